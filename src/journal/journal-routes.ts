/**
 * The DPO's view of the access journal: who read a record, when and why
 * (GET /api/v1/{tenant}/records/{id}/journal), or what one agent read
 * (GET /api/v1/{tenant}/journal?agent=ID&after=SEQ, 1000 rows a page).
 * Under the DPO principal, which may read the journal but no record: the DPO
 * sees who read, never what was read. Any other account gets 404, as for a
 * record it may not see.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dpoPrincipal } from '../accounts/actor.ts';
import { requireActor } from '../accounts/bearer-auth.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import { isUuid } from '../db/uuid.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { listJournal, type JournalFilter } from './journal-repository.ts';

type TenantParams = { tenant: string };

export function journalRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function asDpo(request: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply): Promise<Principal> {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const actor = await requireActor(ctx.database.db, ctx.limits, request, reply, loaded.tenantId);
    const principal = dpoPrincipal(actor);
    if (!principal) throw new AppError('page-not-found');
    reply.header('cache-control', 'no-store');
    return principal;
  }

  const list = (principal: Principal, filter: JournalFilter) => withPrincipal(ctx.database.db, principal, (trx) => listJournal(trx, principal.tenantId, filter));

  app.get<{ Params: TenantParams & { id: string } }>('/api/v1/:tenant/records/:id/journal', async (request, reply) => {
    const principal = await asDpo(request, reply);
    if (!isUuid(request.params.id)) throw new AppError('record-not-found');
    return list(principal, { recordId: request.params.id.toLowerCase() });
  });

  app.get<{ Params: TenantParams; Querystring: { agent?: string; after?: string } }>('/api/v1/:tenant/journal', async (request, reply) => {
    const principal = await asDpo(request, reply);
    const { agent, after } = request.query;
    if (agent !== undefined && !isUuid(agent)) throw new AppError('bad-request', 'Le paramètre « agent » doit être l’identifiant (uuid) d’un compte.');
    if (after !== undefined && !/^\d{1,15}$/.test(after)) throw new AppError('bad-request', 'Le paramètre « after » doit être un numéro de ligne du journal.');
    return list(principal, { actorId: agent?.toLowerCase(), afterSeq: after === undefined ? undefined : Number(after) });
  });
}
