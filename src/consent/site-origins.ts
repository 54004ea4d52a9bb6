/**
 * Which sites may speak for an authority: the platform's own pages (the
 * origin the request came to, which the host check pins to
 * BASTIDE_PUBLIC_URL in production) and the other sites its register lists
 * in `tenant.origins` (its CMS). Consent proofs and audience hits are taken
 * from those alone, and only those get CORS headers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedRegister } from '../register/register-repository.ts';

/** The origin this request was addressed to, as a browser on our own pages would write it. */
export function ownOrigin(request: FastifyRequest): string {
  const origin = `${request.protocol}://${request.host}`.toLowerCase();
  // `Host: localhost:80` names the same origin as a browser's http://localhost: the default port is dropped.
  return /:(80|443)$/.test(origin) ? new URL(origin).origin : origin;
}

export type SiteCheck = { ok: true; site: string; own: boolean } | { ok: false };

/**
 * The site a browser request comes from (its Origin header), if the
 * authority lists it; a request without Origin (a script on a server, curl)
 * speaks for the platform's own origin.
 */
export function requestSite(loaded: LoadedRegister, request: FastifyRequest): SiteCheck {
  const header = request.headers.origin;
  const own = ownOrigin(request);
  if (header === undefined) return { ok: true, site: own, own: true };
  const origin = header.toLowerCase();
  if (origin === own) return { ok: true, site: own, own: true };
  if (loaded.register.tenant.origins.includes(origin)) return { ok: true, site: origin, own: false };
  return { ok: false };
}

/** CORS for a listed site: its origin alone, never a wildcard; answers vary by Origin. */
export function allowSite(reply: FastifyReply, check: SiteCheck): void {
  reply.header('vary', 'origin');
  if (!check.ok || check.own) return;
  reply.header('access-control-allow-origin', check.site);
  // A beacon is a no-cors request, which CORS headers do not cover: with helmet's `same-origin` resource policy the
  // browser blocked the hit's answer and logged an error in the console of every page of the authority's sites.
  reply.header('cross-origin-resource-policy', 'cross-origin');
}
