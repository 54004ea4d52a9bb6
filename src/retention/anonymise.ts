/**
 * Anonymisation (`then: anonymise`): what may remain of a record once
 * nothing in it may identify anyone, so that statistics stay possible.
 *
 * A value survives only if all of these hold:
 * - its field is top-level and a closed choice (select, checkbox, number)
 *   or a date (kept as its month);
 * - it is stored in clear (a sealed value is never opened for this);
 * - its category is one the register lists in `retention.keep`, which may
 *   not name an identifying category (register check).
 *
 * Free text, e-mails, phones, addresses, files and groups never survive.
 * The record loses its sealed part, uploads, blind-index entries, notes,
 * replies, pending mail, its link to a citizen account, its tracking code
 * and holder. Its dates are coarsened to the month, and it has no further
 * expiry.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { isSealed } from '../forms/find-form.ts';
import type { Processing } from '../register/schema.ts';

const SURVIVING_TYPES = new Set(['select', 'checkbox', 'number', 'date']);

/** What remains of a record's clear data. */
export function anonymisedData(p: Processing, formId: string, data: Record<string, unknown>): Record<string, unknown> {
  const form = p.forms.find((f) => f.id === formId);
  if (!form || p.retention.keep.length === 0) return {};
  const keep = new Set<string>(p.retention.keep);
  const out: Record<string, unknown> = {};
  for (const field of form.fields) {
    if (!SURVIVING_TYPES.has(field.type) || !field.category || !keep.has(field.category) || isSealed(field)) continue;
    const value = data[field.name];
    if (value === undefined || value === null) continue;
    if (field.type === 'date') {
      if (typeof value === 'string' && /^\d{4}-\d{2}/.test(value)) out[field.name] = value.slice(0, 7);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[field.name] = value;
  }
  return out;
}

/** One batch in one statement: the ledger, everything hanging off the records, and what remains of them. */
export async function anonymiseRows(trx: Tx, tenantId: string, runId: string, at: Date, rows: ReadonlyArray<{ id: string; processingId: string; data: Record<string, unknown> }>): Promise<number> {
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  const data = rows.map((r) => JSON.stringify(r.data));
  const processings = rows.map((r) => r.processingId);
  // A hold set since the batch was picked is seen here (a new statement, a new snapshot): that record stays as it is.
  const { rows: done } = await sql<{ n: string }>`
    with v as (select * from unnest(${ids}::uuid[], ${data}::jsonb[], ${processings}::text[]) as v(id, data, processing_id)),
    done as (
      update records r set data = v.data, sealed = null, key_version = null, tracking_hash = 'anonymised:' || r.id::text,
        submission_key = null, request_digest = null, claimed_by = null, claimed_at = null,
        created_at = date_trunc('month', r.created_at), updated_at = date_trunc('month', r.created_at),
        closed_at = date_trunc('month', r.closed_at), expires_at = null, anonymised_at = ${at}
      from v where r.tenant_id = ${tenantId} and r.id = v.id
        and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)
      returning r.id, v.processing_id),
    logged as (insert into erasure_ledger (tenant_id, record_id, run_id, processing_id, action, at)
      select ${tenantId}, id, ${runId}, processing_id, 'anonymise', ${at} from done on conflict do nothing),
    u as (delete from uploads x using done where x.tenant_id = ${tenantId} and x.record_id = done.id),
    s as (delete from record_subjects x using done where x.tenant_id = ${tenantId} and x.record_id = done.id),
    n as (delete from record_notes x using done where x.tenant_id = ${tenantId} and x.record_id = done.id),
    rp as (delete from record_replies x using done where x.tenant_id = ${tenantId} and x.record_id = done.id),
    m as (delete from mail_outbox x using done where x.tenant_id = ${tenantId} and x.record_id = done.id),
    c as (delete from citizen_records x using done where x.tenant_id = ${tenantId} and x.record_id = done.id)
    select count(*) as n from done`.execute(trx);
  return Number(done[0]!.n);
}
