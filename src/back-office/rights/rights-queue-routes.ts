/** The DPO's rights desk pages (rights-queue-page.ts): each step calls src/rights/ and comes back to the request with the outcome or the French error. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withPrincipal } from '../../db/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import { appendJournal } from '../../journal/journal.ts';
import { fulfilRequest } from '../../rights/fulfilment.ts';
import { liftRestriction } from '../../rights/lift-restriction.ts';
import { recordNotification } from '../../rights/recipient-notifications.ts';
import { countByState, listRequests, lockRequest, secretsOf, toSummary } from '../../rights/request-repository.ts';
import { requireRightsDesk } from '../../rights/request-retention.ts';
import { extendRequest, verifyByDpo, warmKeys } from '../../rights/verification.ts';
import type { AppContext } from '../../server/app-context.ts';
import { requestBaseUrl } from '../../web/public-url.ts';
import { sendPage } from '../../web/reply.ts';
import { field } from '../../web/urlencoded-body.ts';
import { rolePage } from '../admin/role-page.ts';
import type { AgentRequest } from '../agent-session.ts';
import { rightsQueuePage, rightsQueuePath, rightsRequestPage, type RequestView } from './rights-queue-page.ts';

type Req = FastifyRequest<{ Params: { tenant: string; id?: string }; Querystring: { fait?: string } }>;

const LIST_LIMIT = 500;
const DONE: Record<string, string> = {
  verifiee: 'Identité vérifiée : la personne est informée de la date de réponse.',
  prolongee: 'Délai prolongé : le motif est envoyé à la personne.',
  traitee: 'Demande traitée : la réponse est envoyée à l’adresse vérifiée.',
  levee: 'Limitation levée : la personne en est informée.',
  notifiee: 'Information du destinataire enregistrée.',
};

export function rightsQueueRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  async function dpoPage(request: Req, reply: FastifyReply) {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (req) requireRightsDesk(req.loaded);
    return req;
  }

  async function view(req: AgentRequest, id: string): Promise<Omit<RequestView, 'error' | 'notice'>> {
    await warmKeys(deps, req.tenantId);
    return withPrincipal(deps.db, { kind: 'dpo', tenantId: req.tenantId, agentId: req.actor.agentId }, async (trx) => {
      const row = await lockRequest(trx, req.tenantId, id);
      if (!row) throw new AppError('rights-request-not-found');
      // The address and details are the requester's data: opening them is journaled.
      await appendJournal(trx, req.tenantId, { actorId: req.actor.agentId, actor: req.actor.email, action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${row.id} consultée par le délégué` });
      return { summary: toSummary(row, new Date()), secrets: await secretsOf(ctx.keys, row) };
    });
  }

  app.get('/:tenant/back-office/droits', async (request: Req, reply) => {
    const req = await dpoPage(request, reply);
    if (!req) return reply;
    const now = new Date();
    const { counts, rows } = await withPrincipal(deps.db, { kind: 'dpo', tenantId: req.tenantId, agentId: req.actor.agentId }, async (trx) => ({
      counts: await countByState(trx, req.tenantId, now),
      rows: await listRequests(trx, req.tenantId, LIST_LIMIT),
    }));
    return sendPage(reply, rightsQueuePage(req, counts, rows.map((r) => toSummary(r, now))));
  });

  app.get('/:tenant/back-office/droits/:id', async (request: Req, reply) => {
    const req = await dpoPage(request, reply);
    if (!req) return reply;
    const notice = DONE[request.query.fait ?? ''];
    return sendPage(reply, rightsRequestPage(req, { ...(await view(req, request.params.id ?? '')), ...(notice ? { notice } : {}) }));
  });

  const step = (path: string, form: NonNullable<RequestView['error']>['form'], done: string, run: (req: AgentRequest, id: string, request: Req) => Promise<unknown>) =>
    app.post(`/:tenant/back-office/droits/:id/${path}`, async (request: Req, reply) => {
      const req = await dpoPage(request, reply);
      if (!req) return reply;
      const id = request.params.id ?? '';
      try {
        await run(req, id, request);
      } catch (error) {
        if (!(error instanceof AppError) || error.id === 'rights-request-not-found') throw error;
        return sendPage(reply, rightsRequestPage(req, { ...(await view(req, id)), error: { form, message: error.message } }), error.status);
      }
      ctx.mail.nudge();
      return reply.redirect(`${rightsQueuePath(req.tenantId)}/${id.toLowerCase()}?fait=${done}`, 303);
    });

  step('verifier', 'verifier', 'verifiee', (req, id, request) => verifyByDpo(deps, req.loaded, req.actor, id, field(request.body, 'motif').slice(0, 4000)));
  step('prolonger', 'prolonger', 'prolongee', (req, id, request) =>
    extendRequest(deps, req.loaded, req.actor, id, { months: Number(field(request.body, 'mois')), reason: field(request.body, 'motif').slice(0, 4000) }),
  );
  step('traiter', 'traiter', 'traitee', (req, id, request) => {
    const motif = field(request.body, 'motif').trim().slice(0, 4000);
    const body =
      field(request.body, 'demande') || field(request.body, 'champ')
        ? { reason: motif, changes: [{ recordId: field(request.body, 'demande').trim(), field: field(request.body, 'champ').trim(), value: field(request.body, 'valeur').slice(0, 10_000) }] }
        : motif
          ? { grounds: motif }
          : {};
    return fulfilRequest(deps, req.loaded, req.actor, id, body, requestBaseUrl(ctx, request));
  });
  step('lever', 'lever', 'levee', (req, id) => liftRestriction(deps, req.loaded, req.actor, id));
  step('notifier', 'notifier', 'notifiee', (req, id, request) =>
    recordNotification(deps, req.loaded, req.actor, id, { recipient: field(request.body, 'destinataire'), what: field(request.body, 'motif').slice(0, 4000) }),
  );
}
