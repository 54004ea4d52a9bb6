/**
 * The daily aggregation: each past day's raw hits become that day's
 * statistics (page views, visits, unique visitors, new visitors, pages,
 * referring sites, form funnels) and are deleted, in one statement per day
 * under the system role, so that a day is either still raw or aggregated,
 * never both. A visit is a visitor's run of page views at most 30 minutes
 * apart; a page view without cookie is a visit of its own. The visitor hash
 * changes every day, so nothing aggregated can be linked to anyone.
 */
import { sql, type Kysely } from 'kysely';
import { parisMidnight } from '../back-office/paris-time.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { todayInFrance } from '../register/date-bound.ts';

export interface AggregationReport {
  tenantId: string;
  /** Days aggregated by this run, oldest first (YYYY-MM-DD). */
  days: string[];
  hits: number;
}

const dayStart = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return parisMidnight(y, m, d);
};
const nextDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return todayInFrance(new Date(Date.UTC(y, m - 1, d + 1, 12)));
};

/** One day's hits into its statistics, then gone; returns how many hits it took. */
export async function aggregateDay(db: Kysely<Tables>, tenantId: string, serviceId: string, day: string): Promise<number> {
  const start = dayStart(day);
  const end = dayStart(nextDay(day));
  return withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
    const { rows } = await sql<{ hits: string }>`
      with moved as (
        delete from audience_hits where tenant_id = ${tenantId} and at >= ${start} and at < ${end}
        returning at, visitor, new_visitor, path, referrer, form_id, event
      ), marked as (
        select path, referrer, form_id, event, visitor, new_visitor,
          visitor is null or coalesce(at - lag(at) over (partition by visitor order by at) > interval '30 minutes', true) as starts
        from moved
      ), days as (
        insert into audience_days (tenant_id, day, service_id, page_views, visits, visitors, new_visitors)
        select ${tenantId}, ${day}::date, ${serviceId}, count(*), count(*) filter (where starts),
          count(distinct visitor) + count(*) filter (where visitor is null), count(distinct visitor) filter (where new_visitor)
        from marked having count(*) > 0
        on conflict (tenant_id, day) do update set page_views = audience_days.page_views + excluded.page_views,
          visits = audience_days.visits + excluded.visits, visitors = audience_days.visitors + excluded.visitors,
          new_visitors = audience_days.new_visitors + excluded.new_visitors
        returning 1
      ), pages as (
        insert into audience_pages (tenant_id, day, service_id, path, views)
        select ${tenantId}, ${day}::date, ${serviceId}, path, count(*) from marked group by path
        on conflict (tenant_id, day, path) do update set views = audience_pages.views + excluded.views
        returning 1
      ), referrers as (
        insert into audience_referrers (tenant_id, day, service_id, host, visits)
        select ${tenantId}, ${day}::date, ${serviceId}, referrer, count(*) from marked where referrer is not null group by referrer
        on conflict (tenant_id, day, host) do update set visits = audience_referrers.visits + excluded.visits
        returning 1
      ), forms as (
        insert into audience_forms (tenant_id, day, service_id, form_id, viewed, submitted)
        select ${tenantId}, ${day}::date, ${serviceId}, form_id, count(*) filter (where event = 'form-viewed'), count(*) filter (where event = 'form-submitted')
        from marked where form_id is not null group by form_id
        on conflict (tenant_id, day, form_id) do update set viewed = audience_forms.viewed + excluded.viewed, submitted = audience_forms.submitted + excluded.submitted
        returning 1
      )
      select count(*) as hits from moved`.execute(trx);
    return Number(rows[0]!.hits);
  });
}

/** The register gave the statistics to another service: its agents read every day of them, the former service's none. */
async function followService(db: Kysely<Tables>, tenantId: string, serviceId: string): Promise<void> {
  await withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
    for (const table of ['audience_days', 'audience_pages', 'audience_referrers', 'audience_forms'] as const)
      await trx.updateTable(table).set({ service_id: serviceId }).where('tenant_id', '=', tenantId).where('service_id', '<>', serviceId).execute();
  });
}

/**
 * Every day before `now`'s day (in Paris) that still has raw hits. Days are
 * taken oldest first, each in its own transaction: a run stopped midway
 * leaves the rest for the next one.
 */
export async function aggregateAudience(
  db: Kysely<Tables>,
  tenantId: string,
  serviceId: string,
  now: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<AggregationReport> {
  const today = todayInFrance(now);
  const cutoff = dayStart(today);
  const pending = () =>
    withPrincipal(db, { kind: 'system', tenantId }, (trx) =>
      trx.selectFrom('audience_hits').select((eb) => [eb.fn.min('at').as('first'), eb.fn.countAll<string>().as('n')]).where('tenant_id', '=', tenantId).where('at', '<', cutoff).executeTakeFirst(),
    );
  const report: AggregationReport = { tenantId, days: [], hits: 0 };
  await followService(db, tenantId, serviceId);
  let next = await pending();
  if (!next?.first) return report;
  const total = Number(next.n);
  onProgress?.(0, total);
  // Day after day that has hits (the oldest left, each time): empty days between cost nothing.
  while (next?.first) {
    const day = todayInFrance(new Date(next.first));
    const n = await aggregateDay(db, tenantId, serviceId, day);
    if (n > 0) report.days.push(day);
    report.hits += n;
    onProgress?.(report.hits, Math.max(total, report.hits));
    next = await pending();
    // Hits of a day another run took meanwhile are gone; one left of this day (written during the statement) waits for the next run.
    if (next?.first && todayInFrance(new Date(next.first)) <= day) break;
  }
  return report;
}
