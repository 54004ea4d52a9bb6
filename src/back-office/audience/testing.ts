/**
 * Audience figures for tests: raw hits written as the hit endpoint writes
 * them (insertHits) on past days, then the daily aggregation, so that the
 * dashboard reads what production would.
 */
import type { Kysely } from 'kysely';
import { aggregateAudience } from '../../audience/aggregate.ts';
import { insertHits, type HitRow } from '../../audience/hit-buffer.ts';
import { todayInFrance } from '../../register/date-bound.ts';
import type { Tables } from '../../db/tables.ts';
import { parisMidnight } from '../paris-time.ts';
import { addDays } from './audience-period.ts';

/** The Paris day `offset` days from today (AAAA-MM-JJ). */
export const parisDayFromToday = (offset: number, now = new Date()) => addDays(todayInFrance(now), offset);

/** That Paris day at hh:mm, Paris time. */
export function parisTime(day: string, hh: number, mm = 0): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(parisMidnight(y, m, d).getTime() + (hh * 60 + mm) * 60_000);
}

export function hit(at: Date, path: string, extra: Partial<Omit<HitRow, 'at' | 'path'>> = {}): HitRow {
  return { at, path, visitor: null, newVisitor: false, referrer: null, formId: null, event: null, ...extra };
}

/** Writes the hits and aggregates every past day of the tenant under `service`. */
export async function seedAudience(db: Kysely<Tables>, tenantId: string, hits: HitRow[], service = 'communication'): Promise<void> {
  await insertHits(db, tenantId, hits);
  const report = await aggregateAudience(db, tenantId, service, new Date());
  if (report.hits !== hits.length) throw new Error(`${hits.length} hits written, ${report.hits} aggregated: seed past days only`);
}

/**
 * One known day of the demo commune: 8 page views, 5 visits, 4 distinct
 * visitors (two cookies and two cookieless page views), 1 new visitor; the
 * contact form viewed twice and sent once; two pages whose paths start like
 * spreadsheet formulas.
 */
export function knownDay(tenantId: string, day: string): HitRow[] {
  const t = (hh: number, mm = 0) => parisTime(day, hh, mm);
  const form = `/${tenantId}/demarches/contact-mairie`;
  return [
    // Visitor 1 (new today): a visit of three page views 10 minutes apart, then another visit at 11:00.
    hit(t(9), `/${tenantId}/demarches`, { visitor: '101', newVisitor: true, referrer: 'www.google.com' }),
    hit(t(9, 10), form, { visitor: '101', formId: 'contact-mairie', event: 'form-viewed' }),
    hit(t(9, 20), form, { visitor: '101', formId: 'contact-mairie', event: 'form-submitted' }),
    hit(t(11), `/${tenantId}/donnees-personnelles`, { visitor: '101', referrer: 'www.google.com' }),
    // Visitor 2: one visit of two page views.
    hit(t(10), `/${tenantId}/demarches`, { visitor: '202', referrer: 'www.qwant.com' }),
    hit(t(10, 5), form, { visitor: '202', formId: 'contact-mairie', event: 'form-viewed' }),
    // Without a cookie, each page view is a visit and a visitor of its own.
    hit(t(10, 30), '=HYPERLINK("http://piege.example","clic")'),
    hit(t(10, 31), '@SUM(1+1)'),
  ];
}
