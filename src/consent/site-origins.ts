/**
 * Which sites may speak for an authority: the platform's own pages (the
 * origin of BASTIDE_PUBLIC_URL in production, else the one the request came
 * to) and the other sites its register lists
 * in `tenant.origins` (its CMS). Consent proofs and audience hits are taken
 * from those alone, and only those get CORS headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { parseJsonBody } from '../web/json-body-parser.ts';
import { requireTenant } from '../web/tenant.ts';

/**
 * The platform's own origin: BASTIDE_PUBLIC_URL's when it is set (the host
 * check pins requests to it, and a TLS proxy not listed in
 * BASTIDE_TRUST_PROXY would otherwise make it look like http), else the one
 * this request was addressed to, as a browser writes it.
 */
export function ownOrigin(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
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
export function requestSite(loaded: LoadedRegister, request: FastifyRequest, publicUrl: string | undefined): SiteCheck {
  const header = request.headers.origin;
  const own = ownOrigin(request, publicUrl);
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

/** Preflight of a listed site's script: the methods and the one header it sends. */
export function preflightRoute(app: FastifyInstance, ctx: AppContext, path: string): void {
  app.options<{ Params: { tenant: string } }>(path, async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const site = requestSite(loaded, request, ctx.config.publicUrl);
    reply.header('cache-control', 'no-store');
    if (!site.ok) return reply.code(403).send({ error: 'origin-not-allowed', message: 'Ce site n’est pas déclaré par la collectivité (tenant.origins).' });
    allowSite(reply, site);
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .send();
  });
}

/**
 * A body sent as text/plain (a beacon avoids the preflight) read with the
 * same bounds as every JSON body (depth, values, duplicate keys, lone
 * surrogates: json-body-parser.ts); an application/json body arrives parsed
 * by that parser already. Anything else is nothing usable.
 */
export function beaconBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const parsed = parseJsonBody(body, BEACON_STRING_LENGTH);
  return parsed.ok ? parsed.value : undefined;
}

/** A beacon's longest string: an address (2,048) with room to spare; the route's body limit bounds the rest. */
const BEACON_STRING_LENGTH = 4096;
