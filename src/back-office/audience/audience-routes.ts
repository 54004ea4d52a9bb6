/**
 * `GET /{tenant}/back-office/audience` (the dashboard) and `audience.csv`
 * (the same period for a spreadsheet), for the agents of the audience
 * processing's service only (audience-access.ts). Both read the aggregated
 * tables under the agent principal; a refused period sends the CSV back to
 * the page, which says what is wrong.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findForm } from '../../forms/find-form.ts';
import type { AppContext } from '../../server/app-context.ts';
import { sendPage } from '../../web/reply.ts';
import { agentPage, type AgentRequest } from '../agent-session.ts';
import { audiencePath, requireAudienceReader } from './audience-access.ts';
import { audienceCsv } from './audience-csv.ts';
import { audiencePage } from './audience-page.ts';
import { readPeriod, type Period } from './audience-period.ts';
import { readAudience } from './audience-queries.ts';

type TenantReq = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string | undefined> }>;

/** Rows of pages and of referring sites the CSV holds at most: paths come from browsers, so there may be many. */
const CSV_ROWS = 1000;

function formTitles(req: AgentRequest): (id: string) => string {
  return (id) => findForm(req.loaded.register, id)?.form.title ?? `${id} (démarche retirée du registre)`;
}

export function audienceDashboardRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;

  async function figuresOf(req: AgentRequest, period: Period) {
    const figures = await readAudience(db, req.actor, period, CSV_ROWS);
    return { figures, csv: audienceCsv(req.loaded.register.tenant.name, period, figures, formTitles(req)) };
  }

  app.get('/:tenant/back-office/audience', async (request: TenantReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    requireAudienceReader(req);
    const form = readPeriod(request.query, new Date());
    if (!form.period) return sendPage(reply, audiencePage(req, { form, formTitle: formTitles(req) }), 400);
    const { figures, csv } = await figuresOf(req, form.period);
    const href = `${audiencePath(req.tenantId)}.csv?${new URLSearchParams({ du: form.period.from, au: form.period.to }).toString()}`;
    return sendPage(reply, audiencePage(req, { form, figures, csv: { href, bytes: Buffer.byteLength(csv) }, formTitle: formTitles(req) }));
  });

  app.get('/:tenant/back-office/audience.csv', async (request: TenantReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    requireAudienceReader(req);
    const { period } = readPeriod(request.query, new Date());
    if (!period) return reply.redirect(`${audiencePath(req.tenantId)}?${new URLSearchParams({ du: String(request.query['du'] ?? ''), au: String(request.query['au'] ?? '') }).toString()}`, 303);
    const { csv } = await figuresOf(req, period);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audience-${req.tenantId}-${period.from}-${period.to}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
