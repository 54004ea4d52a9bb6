/**
 * Which records an agent asks for in the back office: by form, status,
 * dates and holder. The same filter drives the list page and the exports,
 * so that an export holds exactly what the list showed. Row-level security
 * still decides which records exist; the filter only narrows them.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { RecordStatus, Tables } from '../db/tables.ts';
import { parisMidnight } from './paris-time.ts';

export interface RecordFilter {
  formId?: string | undefined;
  status?: RecordStatus | undefined;
  /** Received on or after this instant. */
  from?: Date | undefined;
  /** Received before this instant (the day after the last day asked for). */
  until?: Date | undefined;
  /** An agent's id, or `nobody` for requests no one holds. */
  claimedBy?: string | undefined;
  /**
   * Text found in a field stored in clear, or the start of the request's id.
   * Sealed fields (health, `encrypted: true`) are never searched: a search
   * must not decrypt.
   */
  search?: string | undefined;
}

/** `LIKE` pattern for a text taken literally (lower-cased by the database, as the values are). */
const literal = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const NOBODY = 'nobody';

export function applyRecordFilter<O>(query: SelectQueryBuilder<Tables, 'records', O>, tenantId: string, filter: RecordFilter): SelectQueryBuilder<Tables, 'records', O> {
  let q = query.where('records.tenant_id', '=', tenantId);
  if (filter.formId) q = q.where('records.form_id', '=', filter.formId);
  if (filter.status) q = q.where('records.status', '=', filter.status);
  if (filter.from) q = q.where('records.created_at', '>=', filter.from);
  if (filter.until) q = q.where('records.created_at', '<', filter.until);
  if (filter.claimedBy === NOBODY) q = q.where('records.claimed_by', 'is', null);
  else if (filter.claimedBy) q = q.where('records.claimed_by', '=', filter.claimedBy);
  if (filter.search) {
    const pattern = literal(filter.search);
    const idStart = /^[0-9a-f-]{4,36}$/i.test(filter.search) ? filter.search.toLowerCase() : undefined;
    q = q.where((eb) =>
      eb.or([
        ...(idStart ? [eb(sql<string>`records.id::text`, 'like', `${idStart}%`)] : []),
        eb.exists(sql`(select 1 from jsonb_each_text(records.data) as f(k, v) where lower(f.v) like lower(${pattern}))`),
      ]),
    );
  }
  return q;
}

/**
 * A day as a date input sends it (AAAA-MM-JJ) or as a person types it where
 * the browser has no date picker (JJ/MM/AAAA): its first instant in Paris,
 * the next day's, and its AAAA-MM-JJ form to show back in the input.
 */
export function parseDay(text: string): { start: Date; next: Date; iso: string } | undefined | 'bad' {
  if (!text) return undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const typed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!iso && !typed) return 'bad';
  const [y, mo, d] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [Number(typed![3]), Number(typed![2]), Number(typed![1])];
  // 31/02/2026 is not a day: Date.UTC would roll it over to March.
  // Before 1900 is a typo here (and Date.UTC would read the years 0 to 99 as 1900 to 1999).
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return 'bad';
  return { start: parisMidnight(y, mo, d), next: parisMidnight(y, mo, d + 1), iso: `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}
