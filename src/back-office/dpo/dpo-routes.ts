/**
 * The DPO's pages, for the dpo role only: the access journal by record or by
 * account, PAGE_SIZE entries a page, read under the DPO principal (which may
 * read the journal and no record), and `journal verify` run on demand; the
 * retention page (what is due, what comes, holds, purge certificates).
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
import { listCertificates, verifyCertificates } from '../../retention/certificates.ts';
import { listHolds, releaseHold, setHold } from '../../retention/holds.ts';
import { field } from '../../web/urlencoded-body.ts';
import { deletionForecast } from '../../retention/retention-forecast.ts';
import { runRetention } from '../../retention/retention-run.ts';
import { retentionPage, type HoldForm } from './retention-page.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { demande?: string; agent?: string; apres?: string } }>;

export const PAGE_SIZE = 50;
/** The certificates the Conservation page lists, and recounts against the ledger at each view. */
const SHOWN_CERTIFICATES = 20;

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

  async function retentionView(tenantId: string) {
    const now = new Date();
    // Counts and ids only: the same figures as `retention run --dry-run` and the certificates.
    const [due, forecast, holds, stored] = await Promise.all([
      runRetention(db, tenantId, { asOf: now, dryRun: true }),
      deletionForecast(db, tenantId, now),
      listHolds(db, tenantId),
      withPrincipal(db, { kind: 'system', tenantId }, async (trx) => ({ all: await listCertificates(trx, tenantId), check: await verifyCertificates(trx, tenantId, { recountLast: SHOWN_CERTIFICATES }) })),
    ]);
    return { due, forecast, holds, certificates: stored.all.slice(-SHOWN_CERTIFICATES).reverse(), check: stored.check };
  }
  const NOTICES: Record<string, string> = { conservee: 'La demande est conservée : elle ne sera pas supprimée tant que la mesure dure.', levee: 'La mesure est levée : la demande suit de nouveau sa durée de conservation.' };

  app.get('/:tenant/back-office/conservation', async (request: FastifyRequest<{ Params: { tenant: string }; Querystring: { fait?: string } }>, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    return sendPage(reply, retentionPage(req, { ...(await retentionView(req.tenantId)), notice: NOTICES[request.query.fait ?? ''] }));
  });

  app.post('/:tenant/back-office/conservation/mesures', async (request: Req, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    const record = field(request.body, 'demande').trim().slice(0, 200);
    const reason = field(request.body, 'motif').slice(0, 2000);
    const errors: HoldForm['errors'] = [];
    if (!isUuid(record)) errors.push({ field: 'mesure-demande', message: 'Saisissez l’identifiant complet de la demande : 36 caractères, chiffres, lettres de a à f et tirets.' });
    if (reason.trim().length < 3) errors.push({ field: 'mesure-motif', message: 'Indiquez le motif de la conservation (au moins 3 caractères).' });
    else if (reason.trim().length > 500) errors.push({ field: 'mesure-motif', message: `Le motif fait ${reason.trim().length} caractères : 500 au plus.` });
    if (errors.length === 0) {
      const result = await setHold(db, req.tenantId, record, reason, { actorId: req.actor.agentId, actor: req.actor.email });
      if (result.ok) return reply.redirect(`/${req.tenantId}/back-office/conservation?fait=conservee`, 303);
      errors.push({ field: 'mesure-demande', message: 'Aucune demande de la collectivité ne porte cet identifiant (déjà supprimée, ou jamais reçue).' });
    }
    return sendPage(reply, retentionPage(req, { ...(await retentionView(req.tenantId)), form: { record, reason, errors } }), 400);
  });

  app.post<{ Params: { tenant: string; id: string } }>('/:tenant/back-office/conservation/mesures/:id/levee', async (request, reply) => {
    const req = await rolePage(ctx, request as unknown as Req, reply, 'dpo');
    if (!req) return reply;
    if (!(await releaseHold(db, req.tenantId, request.params.id, { actorId: req.actor.agentId, actor: req.actor.email }))) throw new AppError('page-not-found');
    return reply.redirect(`/${req.tenantId}/back-office/conservation?fait=levee`, 303);
  });

  app.get<{ Params: { tenant: string; seq: string } }>('/:tenant/back-office/conservation/certificats/:seq', async (request, reply) => {
    const req = await rolePage(ctx, request as unknown as Req, reply, 'dpo');
    if (!req) return reply;
    const m = /^(\d{1,9})\.json$/.exec(request.params.seq);
    const tenantId = req.tenantId;
    const found = m ? (await withPrincipal(db, { kind: 'system', tenantId }, (trx) => listCertificates(trx, tenantId, Number(m[1]))))[0] : undefined;
    if (!found) throw new AppError('page-not-found');
    // The certificate exactly as signed, with what verifies it.
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="certificat-purge-${tenantId}-${found.seq}.json"`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ seq: found.seq, prevHash: found.prevHash, hash: found.hash, hashOf: 'sha256(prevHash + "\\n" + certificate)', certificate: found.text }, null, 2));
  });
}
