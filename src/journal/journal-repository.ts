/** Reading the access journal: by record (what the DPO and, later, the citizen ask) and by agent. */
import type { Tx } from '../db/principal.ts';

export interface JournalListItem {
  seq: number;
  at: string;
  actorId: string | null;
  actor: string;
  action: string;
  recordId: string | null;
  purpose: string;
}

export interface JournalFilter {
  recordId?: string | undefined;
  actorId?: string | undefined;
  /** Rows after this sequence number: the next page. */
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

/**
 * Oldest first, within a transaction whose principal may read the journal (dpo, system).
 * By record: the entries about that record, and the exports whose list held it (`journal_records`).
 */
export async function listJournal(trx: Tx, tenantId: string, filter: JournalFilter = {}): Promise<JournalListItem[]> {
  let q = trx.selectFrom('journal').select(['seq', 'at', 'actor_id', 'actor', 'action', 'record_id', 'purpose']).where('tenant_id', '=', tenantId);
  const recordId = filter.recordId;
  if (recordId)
    q = q.where((eb) =>
      eb.or([
        eb('record_id', '=', recordId),
        eb('seq', 'in', eb.selectFrom('journal_records').select('journal_records.seq').where('journal_records.tenant_id', '=', tenantId).where('journal_records.record_id', '=', recordId)),
      ]),
    );
  if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
  if (filter.afterSeq) q = q.where('seq', '>', String(filter.afterSeq));
  const rows = await q.orderBy('seq').limit(filter.limit ?? 1000).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actor: r.actor,
    action: r.action,
    recordId: r.record_id,
    purpose: r.purpose,
  }));
}
