/**
 * The DPO's pages, for the dpo role only: the access journal by record or by
 * account, PAGE_SIZE entries a page, read under the DPO principal (which may
 * read the journal and no record), and `journal verify` run on demand.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dpoPrincipal } from '../../accounts/actor.ts';
import { listAgents } from '../../accounts/agent-directory.ts';
import { withPrincipal } from '../../db/principal.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../errors/app-error.ts';
import { listJournal, type JournalFilter } from '../../journal/journal-repository.ts';
import { verifyJournal } from '../../journal/journal-verify.ts';
import type { AppContext } from '../../server/app-context.ts';
import { sendPage } from '../../web/reply.ts';
import { rolePage } from '../admin/role-page.ts';
import { journalPage, verifyPage, type JournalView } from './journal-page.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { demande?: string; agent?: string; apres?: string } }>;

export const PAGE_SIZE = 50;

export function dpoRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get('/:tenant/back-office/journal', async (request: Req, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    const principal = dpoPrincipal(req.actor);
    if (!principal) throw new AppError('forbidden-role');
    const agents = await listAgents(db, req.tenantId);
    const record = (request.query.demande ?? '').trim().slice(0, 100);
    const agent = (request.query.agent ?? '').slice(0, 100);
    const after = /^\d{1,15}$/.test(request.query.apres ?? '') ? Number(request.query.apres) : 0;
    const view: JournalView = { record, agent: '', agents, first: after === 0 };
    let filter: JournalFilter | undefined;
    if (record && !isUuid(record)) view.error = 'Saisissez l’identifiant complet de la demande : 36 caractères, chiffres, lettres de a à f et tirets.';
    else if (record) filter = { recordId: record.toLowerCase() };
    else if (agent && agents.some((a) => a.id === agent.toLowerCase())) {
      view.agent = agent.toLowerCase();
      filter = { actorId: view.agent };
    }
    if (filter) {
      // One more than a page: whether there is a next one.
      const rows = await withPrincipal(db, principal, (trx) => listJournal(trx, req.tenantId, { ...filter, afterSeq: after, limit: PAGE_SIZE + 1 }));
      view.entries = rows.slice(0, PAGE_SIZE);
      view.next = rows.length > PAGE_SIZE ? view.entries.at(-1)!.seq : undefined;
    }
    return sendPage(reply, journalPage(req, view), view.error ? 400 : 200);
  });

  app.get('/:tenant/back-office/journal/verification', async (request: Req, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    return sendPage(reply, verifyPage(req, await verifyJournal(db, req.tenantId)));
  });
}
