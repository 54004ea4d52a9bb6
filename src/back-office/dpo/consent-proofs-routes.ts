/**
 * The DPO's proofs of consent (issue 10): `GET /{tenant}/back-office/consentements`
 * (`?id=` looks a consent id up), `consentements.csv?du=…&au=…` (a period's
 * proofs, streamed) and the JSON `GET /api/v1/{tenant}/consent/{consentId}`.
 * For the dpo role only; proofs are read under the DPO principal, which
 * row-level security lets read its own authority's proofs and nothing else.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { consentConfig } from '../../consent/consent-config.ts';
import { consentProofApiRoutes } from '../../consent/consent-proof-api-routes.ts';
import { checkProofs } from '../../consent/consent-proof-check.ts';
import { proofsBetween, proofsOf } from '../../consent/consent-proofs.ts';
import { isUuid } from '../../db/uuid.ts';
import { todayInFrance } from '../../register/date-bound.ts';
import type { AppContext } from '../../server/app-context.ts';
import { sendPage } from '../../web/reply.ts';
import { rolePage } from '../admin/role-page.ts';
import { addMonths } from '../period-fields.ts';
import { proofsCsv, readExportPeriod, type ExportForm } from './consent-proofs-export.ts';
import { consentProofsPage, type LookupForm } from './consent-proofs-page.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, unknown> }>;

/** The export form before any choice: the last month, today included. */
function lastMonth(now: Date): ExportForm {
  const today = todayInFrance(now);
  return { du: addMonths(today, -1), au: today, errors: [] };
}

export function consentProofRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get('/:tenant/back-office/consentements', async (request: Req, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    const typed = typeof request.query['id'] === 'string' ? request.query['id'].trim().slice(0, 100) : '';
    const lookup: LookupForm = { id: typed };
    if (typed && !isUuid(typed)) lookup.error = 'Saisissez l’identifiant de consentement complet : 36 caractères, chiffres, lettres de a à f et tirets (par exemple 1b4e28ba-2fa1-41d2-883f-0016d3cca427).';
    // Not journaled: a proof holds no personal data (no address, no browser, nothing about the person), only
    // choices, versions and hashes; the access journal records reads of personal data.
    else if (typed) lookup.proofs = await checkProofs(ctx.registers, req.tenantId, await proofsOf(db, req.tenantId, req.actor.agentId, typed.toLowerCase()));
    return sendPage(reply, consentProofsPage(req, { lookup, exportForm: lastMonth(new Date()) }), lookup.error ? 400 : 200);
  });

  app.get('/:tenant/back-office/consentements.csv', async (request: Req, reply) => {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return reply;
    const exportForm = readExportPeriod(request.query);
    if (!exportForm.period) return sendPage(reply, consentProofsPage(req, { lookup: { id: '' }, exportForm }), 400);
    const { from, until, du, au } = exportForm.period;
    // Not journaled either, for the same reason: no personal data in a proof.
    const body = proofsCsv(consentConfig(req.loaded), proofsBetween(db, req.tenantId, req.actor.agentId, from, until));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="preuves-consentement-${req.tenantId}-${du}-${au}.csv"`)
      .header('cache-control', 'no-store')
      .send(body);
  });

  consentProofApiRoutes(app, ctx);
}
