/**
 * The aggregated statistics of a period, read as an agent: row-level
 * security lets through only the rows of the agent's services in its
 * tenant; the tenant filter below only narrows what the policy allows. `bigint` sums arrive as strings on
 * PostgreSQL and as numbers on PGlite, hence Number() everywhere, and the
 * day as text so that both databases give AAAA-MM-JJ.
 */
import { sql, type Kysely } from 'kysely';
import { withPrincipal } from '../../db/principal.ts';
import type { Tables } from '../../db/tables.ts';
import type { Period } from './audience-period.ts';

export interface AudienceDay {
  day: string;
  pageViews: number;
  visits: number;
  /** Distinct visitors of that day: the visitor hash changes daily, so days cannot be merged into people. */
  visitors: number;
  newVisitors: number;
}

export interface AudienceFigures {
  /** Only the days that have figures, oldest first. */
  days: AudienceDay[];
  /** Most viewed first, at most `limit`; `pageCount` is how many pages were viewed in all. */
  pages: Array<{ path: string; views: number }>;
  pageCount: number;
  referrers: Array<{ host: string; visits: number }>;
  referrerCount: number;
  forms: Array<{ formId: string; viewed: number; submitted: number }>;
}

/** Always as an agent of its services (never the table owner): the policy `agent_service` decides which rows exist. */
export async function readAudience(db: Kysely<Tables>, agent: { tenantId: string; agentId: string; services: readonly string[] }, period: Period, limit: number): Promise<AudienceFigures> {
  const { tenantId } = agent;
  return withPrincipal(db, { kind: 'agent', tenantId, agentId: agent.agentId, services: agent.services }, async (trx) => {
    const days = await trx
      .selectFrom('audience_days')
      .select([sql<string>`day::text`.as('day'), 'page_views', 'visits', 'visitors', 'new_visitors'])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .orderBy('day')
      .execute();
    // `count(*) over ()` after grouping: how many pages (or sites) there were beyond the ones listed.
    const pages = await trx
      .selectFrom('audience_pages')
      .select(['path', sql<string>`sum(views)`.as('views'), sql<string>`count(*) over ()`.as('total')])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .groupBy('path')
      .orderBy(sql`sum(views)`, 'desc')
      .orderBy('path')
      .limit(limit)
      .execute();
    const referrers = await trx
      .selectFrom('audience_referrers')
      .select(['host', sql<string>`sum(visits)`.as('visits'), sql<string>`count(*) over ()`.as('total')])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .groupBy('host')
      .orderBy(sql`sum(visits)`, 'desc')
      .orderBy('host')
      .limit(limit)
      .execute();
    const forms = await trx
      .selectFrom('audience_forms')
      .select(['form_id', sql<string>`sum(viewed)`.as('viewed'), sql<string>`sum(submitted)`.as('submitted')])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .groupBy('form_id')
      .orderBy(sql`sum(viewed)`, 'desc')
      .orderBy('form_id')
      .execute();
    return {
      days: days.map((d) => ({ day: d.day, pageViews: Number(d.page_views), visits: Number(d.visits), visitors: Number(d.visitors), newVisitors: Number(d.new_visitors) })),
      pages: pages.map((p) => ({ path: p.path, views: Number(p.views) })),
      pageCount: Number(pages[0]?.total ?? 0),
      referrers: referrers.map((r) => ({ host: r.host, visits: Number(r.visits) })),
      referrerCount: Number(referrers[0]?.total ?? 0),
      forms: forms.map((f) => ({ formId: f.form_id, viewed: Number(f.viewed), submitted: Number(f.submitted) })),
    };
  });
}
