/**
 * Which records an agent asks for in the back office: by form, status,
 * dates and holder. The same filter drives the list page and the exports,
 * so that an export holds exactly what the list showed. Row-level security
 * still decides which records exist; the filter only narrows them.
 */
import type { SelectQueryBuilder } from 'kysely';
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
}

export const NOBODY = 'nobody';

export function applyRecordFilter<O>(query: SelectQueryBuilder<Tables, 'records', O>, tenantId: string, filter: RecordFilter): SelectQueryBuilder<Tables, 'records', O> {
  let q = query.where('records.tenant_id', '=', tenantId);
  if (filter.formId) q = q.where('records.form_id', '=', filter.formId);
  if (filter.status) q = q.where('records.status', '=', filter.status);
  if (filter.from) q = q.where('records.created_at', '>=', filter.from);
  if (filter.until) q = q.where('records.created_at', '<', filter.until);
  if (filter.claimedBy === NOBODY) q = q.where('records.claimed_by', 'is', null);
  else if (filter.claimedBy) q = q.where('records.claimed_by', '=', filter.claimedBy);
  return q;
}
