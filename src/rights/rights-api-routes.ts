/**
 * The rights desk's API (CONTRACT.md): anyone files a request; the DPO
 * (bearer token of a DPO account) lists, verifies, extends, fulfils,
 * records the art. 19 notification of each recipient, and lifts a
 * restriction. A request's existence is never revealed to anyone
 * else: another role gets 403, an unknown id 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireActor } from '../accounts/bearer-auth.ts';
import { withPrincipal } from '../db/principal.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { retryDelayInFrench } from '../web/rate-limits.ts';
import { requireTenant } from '../web/tenant.ts';
import { fulfilRequest } from './fulfilment.ts';
import { receiveRequest } from './intake.ts';
import { liftRestriction } from './lift-restriction.ts';
import { recordNotification } from './recipient-notifications.ts';
import { countByState, listRequests, lockRequest, toSummary } from './request-repository.ts';
import { requireRightsDesk } from './request-retention.ts';
import { extendRequest, verifyByDpo } from './verification.ts';

type TenantParams = { tenant: string };
type IdParams = { tenant: string; id: string };

const objectBody = (body: unknown): Record<string, unknown> => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

/** A rights request counts against its sender's address, whichever way it came (page or API). */
export function rightsLimit(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string | undefined {
  const verdict = ctx.limits.hit('rights', request.ip);
  if (verdict.ok) return undefined;
  reply.header('retry-after', String(verdict.retryAfterSeconds));
  return `Trop de demandes envoyées depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.`;
}

export function rightsApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  async function dpo(request: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    requireRightsDesk(loaded);
    const actor = await requireActor(ctx.database.db, ctx.limits, request, reply, loaded.tenantId);
    if (actor.role !== 'dpo') throw new AppError('forbidden-role', 'Les demandes d’exercice des droits sont traitées par le délégué à la protection des données.');
    reply.header('cache-control', 'no-store');
    return { loaded, actor };
  }

  app.post<{ Params: TenantParams; Body: unknown }>('/api/v1/:tenant/rights-requests', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    requireRightsDesk(loaded);
    const limited = rightsLimit(ctx, request, reply);
    if (limited) return reply.code(429).send({ errors: [{ field: 'email', message: limited }] });
    const body = objectBody(request.body);
    const result = await receiveRequest(deps, loaded, { type: body['type'], email: body['email'], phone: body['phone'], details: body['details'], scope: body['scope'] }, requestBaseUrl(ctx, request));
    if (!result.ok) return reply.code(result.status).send({ errors: result.errors });
    ctx.mail.nudge();
    return reply.code(201).send({
      id: result.id,
      dueAt: result.dueAt.toISOString(),
      state: 'awaiting-verification',
      message: `Demande reçue. Un lien de confirmation a été envoyé à l’adresse indiquée ; le délai d’un mois court à partir de cette confirmation.`,
    });
  });

  app.get<{ Params: TenantParams; Querystring: { state?: string } }>('/api/v1/:tenant/rights-requests', async (request, reply) => {
    const { loaded } = await dpo(request, reply);
    const all = request.query.state === 'all';
    const now = new Date();
    return withPrincipal(deps.db, { kind: 'system', tenantId: loaded.tenantId }, async (trx) => ({
      counts: await countByState(trx, loaded.tenantId, now),
      requests: (await listRequests(trx, loaded.tenantId, 1000)).filter((r) => all || r.state !== 'done').map((r) => toSummary(r, now)),
    }));
  });

  app.get<{ Params: IdParams }>('/api/v1/:tenant/rights-requests/:id', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const row = await withPrincipal(deps.db, { kind: 'dpo', tenantId: loaded.tenantId, agentId: actor.agentId }, (trx) => lockRequest(trx, loaded.tenantId, request.params.id));
    if (!row) throw new AppError('rights-request-not-found');
    return toSummary(row, new Date());
  });

  app.post<{ Params: IdParams; Body: unknown }>('/api/v1/:tenant/rights-requests/:id/verify', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const done = await verifyByDpo(deps, loaded, actor, request.params.id, objectBody(request.body)['reason']);
    ctx.mail.nudge();
    return { id: done.id, state: 'open', dueAt: done.dueAt.toISOString() };
  });

  app.post<{ Params: IdParams; Body: unknown }>('/api/v1/:tenant/rights-requests/:id/extend', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const body = objectBody(request.body);
    const done = await extendRequest(deps, loaded, actor, request.params.id, { months: body['months'], reason: body['reason'] });
    ctx.mail.nudge();
    return { id: done.id, dueAt: done.dueAt.toISOString() };
  });

  app.post<{ Params: IdParams; Body: unknown }>('/api/v1/:tenant/rights-requests/:id/fulfil', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const body = objectBody(request.body);
    const result = await fulfilRequest(deps, loaded, actor, request.params.id, { grounds: body['grounds'], alsoErase: body['alsoErase'], changes: body['changes'], reason: body['reason'] }, requestBaseUrl(ctx, request));
    ctx.mail.nudge();
    return result;
  });

  app.post<{ Params: IdParams; Body: unknown }>('/api/v1/:tenant/rights-requests/:id/notifications', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const body = objectBody(request.body);
    const done = await recordNotification(deps, loaded, actor, request.params.id, { recipient: body['recipient'], what: body['what'] });
    return { id: done.id, recipient: done.recipient, notifiedAt: done.notifiedAt.toISOString(), pending: done.pending };
  });

  app.post<{ Params: IdParams }>('/api/v1/:tenant/rights-requests/:id/lift', async (request, reply) => {
    const { loaded, actor } = await dpo(request, reply);
    const done = await liftRestriction(deps, loaded, actor, request.params.id);
    ctx.mail.nudge();
    return done;
  });
}
