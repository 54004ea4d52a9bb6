/**
 * Archiving (`then: archive`): a record whose active retention ends under a
 * legal obligation leaves the service's agents (row-level security no longer
 * shows it to them, nor to the tracking code) and stays, whole, for the DPO
 * alone, until its final deletion: the archive's duration (`archiveFor`)
 * after the end of its active retention, so that the date does not depend on
 * when a run happened to pass. Its blind-index entries stay, so that the
 * person's access and erasure requests still find it; its pending mail goes.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { Processing } from '../register/schema.ts';

/** Whether a processing says how long its archives are kept: a register version stored before `archiveFor` existed may not, and its records are then not archived (counted as not applied) rather than archived for a day. */
export const archivable = (p: Processing) => parseDuration(p.retention.archiveFor ?? '').ok;

/** The final deletion of a record archived at the end of its active retention (`expiresAt`). */
export function finalDeletion(p: Processing, expiresAt: Date): Date {
  const keep = parseDuration(p.retention.archiveFor ?? '');
  return keep.ok ? addDuration(expiresAt, keep.duration) : expiresAt;
}

/** One batch in one statement: the ledger, the pending mail, and the record moved to the archive. */
export async function archiveRows(trx: Tx, tenantId: string, runId: string, at: Date, rows: ReadonlyArray<{ id: string; processingId: string; finalAt: Date }>): Promise<number> {
  if (rows.length === 0) return 0;
  // A hold set since the batch was picked is seen here (a new statement, a new snapshot): that record stays as it is.
  const { rows: done } = await sql<{ n: string }>`
    with v as (select * from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.processingId)}::text[], ${rows.map((r) => r.finalAt.toISOString())}::timestamptz[]) as v(id, processing_id, final_at)),
    done as (
      update records r set archived_at = ${at}, expires_at = v.final_at, expiry_action = 'delete', claimed_by = null, claimed_at = null
      from v where r.tenant_id = ${tenantId} and r.id = v.id
        and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)
      returning r.id, v.processing_id),
    logged as (insert into erasure_ledger (tenant_id, record_id, run_id, processing_id, action, at)
      select ${tenantId}, id, ${runId}, processing_id, 'archive', ${at} from done on conflict do nothing),
    m as (delete from mail_outbox x using done where x.tenant_id = ${tenantId} and x.record_id = done.id)
    select count(*) as n from done`.execute(trx);
  return Number(done[0]!.n);
}
