/**
 * A hit as consent.js sends it, read into what may be stored: the page's
 * path (no query string, no fragment, identifiers in the path replaced),
 * the host of an outside referring site, a form event of the platform's own
 * pages, the cookie's random id and whether it was just created. Anything
 * else the body carries (a timestamp, a user agent) is ignored: the time is
 * the server's.
 */
import type { Register } from '../register/schema.ts';
import { isVisitorId } from './visitor-key.ts';

export interface HitInput {
  path: string;
  referrer: string | null;
  vid: string | null;
  first: boolean;
  event: 'form-viewed' | 'form-submitted' | null;
  formId: string | null;
}

export type HitRead = { ok: true; hit: HitInput } | { ok: false; status: 400; errors: Array<{ field: string; message: string }> } | { ok: false; status: 204; ignored: string };

const MAX_URL = 2048;
const MAX_PATH = 300;
/** A path segment that names a request, a token or a person rather than a page. */
const MAYBE_IDENTIFIER = /\d{5}|[A-Za-z0-9_-]{20}|[0-9A-Z]{4}-[0-9A-Z]{4}-/;
const IDENTIFIER = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{5,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$/;

function parseUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** The path as counted: identifiers replaced by `:id`, bounded, so that no request, token or person is named. */
export function countedPath(pathname: string): string {
  // Most paths hold no identifier at all: only those with a candidate are split.
  const path = MAYBE_IDENTIFIER.test(pathname)
    ? pathname
        .split('/')
        .map((segment) => (IDENTIFIER.test(segment) ? ':id' : segment))
        .join('/')
    : pathname;
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

/**
 * `site` is the origin the request came from (checked against the register
 * already); `own` when it is the platform's own pages, where only this
 * authority's paths count.
 */
export function readHit(register: Register, tenantId: string, site: { site: string; own: boolean }, body: unknown): HitRead {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (!b) return { ok: false, status: 400, errors: [{ field: 'url', message: 'corps attendu : {"url": "https://…", "referrer": "…"}' }] };
  const rawUrl = b['url'];
  if (typeof rawUrl !== 'string' || rawUrl.length === 0) return { ok: false, status: 400, errors: [{ field: 'url', message: 'adresse de la page consultée manquante' }] };
  if (rawUrl.length > MAX_URL) return { ok: false, status: 400, errors: [{ field: 'url', message: `adresse trop longue (au plus ${MAX_URL} caractères)` }] };
  const url = parseUrl(rawUrl);
  if (!url) return { ok: false, status: 400, errors: [{ field: 'url', message: 'adresse http(s) attendue' }] };
  if (url.origin.toLowerCase() !== site.site) return { ok: false, status: 204, ignored: 'other-site' };
  if (site.own && url.pathname !== `/${tenantId}` && !url.pathname.startsWith(`/${tenantId}/`)) return { ok: false, status: 204, ignored: 'other-tenant' };

  const vid = b['vid'];
  if (vid !== undefined && vid !== null && !isVisitorId(vid)) return { ok: false, status: 204, ignored: 'visitor-id' };

  let referrer: string | null = null;
  const rawReferrer = b['referrer'];
  // Within the same site (most page views): no need to parse it.
  if (typeof rawReferrer === 'string' && rawReferrer.length > 0 && rawReferrer.length <= MAX_URL && !rawReferrer.startsWith(`${site.site}/`)) {
    const from = parseUrl(rawReferrer);
    const ours = from && (from.origin.toLowerCase() === site.site || register.tenant.origins.includes(from.origin.toLowerCase()));
    if (from && !ours) referrer = from.hostname.toLowerCase().slice(0, 253);
  }

  let event: HitInput['event'] = null;
  let formId: string | null = null;
  const rawEvent = b['event'];
  const rawForm = b['form'];
  if (site.own && (rawEvent === 'form-viewed' || rawEvent === 'form-submitted') && typeof rawForm === 'string') {
    const known = register.processings.some((p) => p.forms.some((f) => f.id === rawForm));
    if (known && url.pathname.startsWith(`/${tenantId}/demarches/${rawForm}`)) {
      event = rawEvent;
      formId = rawForm;
    }
  }
  return { ok: true, hit: { path: countedPath(url.pathname), referrer, vid: typeof vid === 'string' ? vid : null, first: b['first'] === true, event, formId } };
}
