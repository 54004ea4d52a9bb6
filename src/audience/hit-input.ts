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

export type HitRead = { ok: true; hit: HitInput } | { ok: false; ignored: string };

const MAX_URL = 2048;
const MAX_PATH = 300;
/** A path segment that names a request, a token or a person rather than a page. */
const MAYBE_IDENTIFIER = /\d{5}|[A-Za-z0-9_-]{20}|[0-9A-Z]{4}-[0-9A-Z]{4}-|\/brouillon\//;
const IDENTIFIER = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{5,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}|[A-Za-z0-9_-]{32,}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$/;

function parseUrl(value: string, base?: string): URL | null {
  try {
    const url = new URL(value, base);
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
        // A draft's token, whatever its letters, and anything shaped like an id or a token.
        .map((segment, i, all) => (all[i - 1] === 'brouillon' || IDENTIFIER.test(segment) ? ':id' : segment))
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
  if (!b) return { ok: false, ignored: 'malformed' };
  const rawUrl = b['url'];
  if (typeof rawUrl !== 'string' || rawUrl.length === 0 || rawUrl.length > MAX_URL) return { ok: false, ignored: 'malformed' };
  // A path alone is a page of the site the hit comes from.
  const url = parseUrl(rawUrl, site.site);
  if (!url) return { ok: false, ignored: 'malformed' };
  if (url.origin.toLowerCase() !== site.site) return { ok: false, ignored: 'other-site' };
  if (site.own && url.pathname !== `/${tenantId}` && !url.pathname.startsWith(`/${tenantId}/`)) return { ok: false, ignored: 'other-tenant' };

  const vid = b['vid'];
  if (vid !== undefined && vid !== null && !isVisitorId(vid)) return { ok: false, ignored: 'visitor-id' };

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
    const formPath = `/${tenantId}/demarches/${rawForm}`;
    if (known && (url.pathname === formPath || url.pathname.startsWith(`${formPath}/`))) {
      event = rawEvent;
      formId = rawForm;
    }
  }
  // Another site's pages are named with its host: two listed sites' « / » are two pages.
  return { ok: true, hit: { path: site.own ? countedPath(url.pathname) : `${url.host}${countedPath(url.pathname)}`, referrer, vid: typeof vid === 'string' ? vid : null, first: b['first'] === true, event, formId } };
}
