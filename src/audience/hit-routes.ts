/**
 * `POST /api/v1/{tenant}/hit` (CONTRACT.md): one page view, sent by
 * consent.js with navigator.sendBeacon (as text/plain, so that another site
 * of the authority sends it without a preflight). Always 204 for what it
 * decides not to count, so that a page never shows an error for its
 * statistics: the authority measures nothing (no audienceProcessing), the
 * site is not one the register lists, the browser asks not to be tracked
 * (Global Privacy Control, Do Not Track), the page is another authority's,
 * or one truncated address sends too many, or the body is no hit at all
 * (CONTRACT.md: 204 for whatever is not counted). `x-bastide-hit` says which.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { allowSite, beaconBody, preflightRoute, requestSite } from '../consent/site-origins.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { readHit } from './hit-input.ts';
import { truncateIp } from './truncate-ip.ts';

type Params = { tenant: string };

function ignored(reply: FastifyReply, why: string) {
  return reply.code(204).header('x-bastide-hit', `ignored; ${why}`).send();
}

export function hitRoutes(app: FastifyInstance, ctx: AppContext): void {
  preflightRoute(app, ctx, '/api/v1/:tenant/hit');

  app.post<{ Params: Params; Body: unknown }>('/api/v1/:tenant/hit', { bodyLimit: 8 * 1024 }, async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    reply.header('cache-control', 'no-store');
    if (!loaded.register.audienceProcessing) return ignored(reply, 'not-measured');
    const site = requestSite(loaded, request, ctx.config.publicUrl);
    if (!site.ok) return ignored(reply, 'origin');
    allowSite(reply, site);
    if (request.headers['sec-gpc'] === '1' || request.headers['dnt'] === '1') return ignored(reply, 'do-not-track');
    const read = readHit(loaded.register, loaded.tenantId, site, beaconBody(request.body));
    if (!read.ok) return ignored(reply, read.ignored);
    // The address is truncated before anything else looks at it; the flood limit counts per truncated prefix.
    if (!ctx.limits.hit('hit', truncateIp(request.ip)).ok) return ignored(reply, 'flood');
    const at = new Date();
    const { hit } = read;
    ctx.hits.add(loaded.tenantId, {
      at,
      visitor: hit.vid ? await ctx.visitorKeys.visitor(loaded.tenantId, at, hit.vid) : null,
      newVisitor: hit.first && hit.vid !== null,
      path: hit.path,
      referrer: hit.referrer,
      formId: hit.formId,
      event: hit.event,
    });
    return reply.code(204).header('x-bastide-hit', 'counted').send();
  });
}
