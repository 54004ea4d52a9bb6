/**
 * `GET /{tenant}/back-office/export.csv|xlsx`: the list as filtered on the
 * list page (same query string), with the submitted data, streamed. Invalid
 * filters send the agent back to the list, which says what is wrong.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { journalActor, recordsPrincipal } from '../../accounts/actor.ts';
import { AppError } from '../../errors/app-error.ts';
import { findForm } from '../../forms/find-form.ts';
import type { AppContext } from '../../server/app-context.ts';
import { agentPage, type AgentRequest } from '../agent-session.ts';
import { agentForms, readListQuery } from '../records-routes.ts';
import type { RecordFilter } from '../record-filter.ts';
import { csvStream } from './csv-export.ts';
import { exportBatches, startExport } from './export-batches.ts';
import { exportColumns } from './export-columns.ts';
import { parisWallClock } from '../paris-time.ts';
import { xlsxStream } from './xlsx-export.ts';

type TenantReq = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string | undefined> }>;

const FORMATS = {
  csv: { type: 'text/csv; charset=utf-8', label: 'CSV' },
  xlsx: { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'XLSX' },
} as const;

/** What the journal says was exported: the filter, never a value typed by a citizen. */
function describe(format: keyof typeof FORMATS, filter: RecordFilter): string {
  const parts = [
    filter.formId && `démarche ${filter.formId}`,
    filter.status && `statut ${filter.status}`,
    filter.from && `reçues depuis le ${parisWallClock(filter.from).toISOString().slice(0, 10)}`,
    filter.until && `reçues avant le ${parisWallClock(filter.until).toISOString().slice(0, 10)}`,
    filter.claimedBy && `prises en charge par ${filter.claimedBy}`,
    filter.search && 'recherche dans les champs non chiffrés',
  ].filter(Boolean);
  return `export ${FORMATS[format].label} de la liste des demandes${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export function exportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  async function holderNames(req: AgentRequest): Promise<Map<string, string>> {
    const rows = await deps.db.selectFrom('agents').select(['id', 'email', 'display_name']).where('tenant_id', '=', req.tenantId).execute();
    return new Map(rows.map((r) => [r.id, r.display_name ?? r.email]));
  }

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/:tenant/back-office/export.${format}`, async (request: TenantReq, reply) => {
      const req = await agentPage(ctx, request, reply);
      if (!req) return reply;
      const { filter, query, errors } = readListQuery(req, request.query);
      if (errors.length > 0) return reply.redirect(`/${req.tenantId}/back-office?${new URLSearchParams(request.query as Record<string, string>).toString()}`, 303);
      const principal = recordsPrincipal(req.actor);
      const started = await startExport(deps, principal, journalActor(req.actor), filter, query.sort, describe(format, filter));
      if (started === 'too-many') throw new AppError('export-too-large');
      const forms = agentForms(req)
        .filter((f) => !filter.formId || f.id === filter.formId)
        .flatMap((f) => {
          const found = findForm(req.loaded.register, f.id);
          return found ? [{ form: found.form }] : [];
        });
      const names = await holderNames(req);
      const columns = exportColumns(forms, (id) => names.get(id) ?? 'un agent');
      // Asked for every record: the register is searched once per form, not once per row.
      const titles = new Map<string, string>();
      const title = (formId: string) => {
        let found = titles.get(formId);
        if (found === undefined) titles.set(formId, (found = findForm(req.loaded.register, formId)?.form.title ?? formId));
        return found;
      };
      const batches = exportBatches(deps, principal, started, title);
      const day = new Date().toISOString().slice(0, 10);
      const body =
        format === 'csv'
          ? csvStream(columns, batches)
          : xlsxStream(columns, batches, 'Demandes', (error) => request.log.error({ err: { message: error instanceof Error ? error.message : 'export failed' } }, 'xlsx export failed'));
      return reply
        .header('content-type', FORMATS[format].type)
        .header('content-disposition', `attachment; filename="demandes-${req.tenantId}-${day}.${format}"`)
        .header('cache-control', 'no-store')
        .send(body);
    });
  }
}
