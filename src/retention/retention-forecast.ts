/**
 * What the DPO sees coming: how many records each processing will lose per
 * week over the next twelve months (held and restricted ones excluded), and
 * the legal holds. Counts and ids only: nothing a citizen typed.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';

export interface ForecastWeek {
  /** Monday of the week, Paris time, AAAA-MM-JJ. */
  week: string;
  total: number;
  byProcessing: Array<{ processingId: string; count: number }>;
}

export const FORECAST_WEEKS = 53;

/** Every week from this one on, for a year, with zero weeks included (a chart without gaps). */
export async function deletionForecast(db: Kysely<Tables>, tenantId: string, now: Date): Promise<ForecastWeek[]> {
  const { rows } = await withPrincipal(db, { kind: 'system', tenantId }, (trx) =>
    sql<{ week: string; processing_id: string; n: string }>`
      select to_char(date_trunc('week', r.expires_at at time zone 'Europe/Paris'), 'YYYY-MM-DD') as week, r.processing_id, count(*) as n
      from records r
      where r.tenant_id = ${tenantId} and r.expires_at > ${now} and r.expires_at <= ${now}::timestamptz + interval '1 year' and not r.frozen
        -- An archiving is no deletion: the archive's own end is, as action 'delete'.
        and r.expiry_action is distinct from 'archive'
        and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)
      group by 1, 2 order by 1, 2`.execute(trx),
  );
  const weeks = new Map<string, ForecastWeek>();
  const monday = mondayInParis(now);
  for (let i = 0; i < FORECAST_WEEKS; i++) {
    const d = new Date(Date.UTC(monday.y, monday.m - 1, monday.d + 7 * i));
    const key = d.toISOString().slice(0, 10);
    weeks.set(key, { week: key, total: 0, byProcessing: [] });
  }
  for (const r of rows) {
    const w = weeks.get(r.week);
    if (!w) continue;
    w.total += Number(r.n);
    w.byProcessing.push({ processingId: r.processing_id, count: Number(r.n) });
  }
  return [...weeks.values()];
}

function mondayInParis(now: Date): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const back = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { y: Number(get('year')), m: Number(get('month')), d: Number(get('day')) - back };
}
