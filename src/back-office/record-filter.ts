/**
 * Which records an agent asks for in the back office: by form, status,
 * dates and holder. The same filter drives the list page and the exports,
 * so that an export holds exactly what the list showed. Row-level security
 * still decides which records exist; the filter only narrows them.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { RecordStatus, Tables } from '../db/tables.ts';

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
