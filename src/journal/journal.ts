/**
 * The access journal: every read of personal data appends who, when, which
 * record and why, in the reader's own transaction. Rows are hash-chained per
 * tenant (each hash covers the previous one), so a changed, deleted or
 * reordered row breaks the chain at that row.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../db/principal.ts';

export const GENESIS = '0'.repeat(64);

export interface JournalEntry {
  actorId: string | null;
  /** What a DPO reads: an e-mail or "cli:…", never a citizen's data. */
  actor: string;
  /** Reads of personal data; `hold` and `release` are the DPO's legal holds on a record (src/retention/holds.ts); `rights` a step of a rights request (src/rights/). */
  action: 'read' | 'download' | 'export' | 'list' | 'hold' | 'release' | 'rights';
  recordId: string | null;
  purpose: string;
}

export interface JournalRow extends JournalEntry {
  tenantId: string;
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export function rowHash(prevHash: string, row: Omit<JournalRow, 'hash' | 'prevHash'>): string {
  const content = JSON.stringify([row.tenantId, row.seq, row.at, row.actorId, row.actor, row.action, row.recordId, row.purpose]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

/** Appends one entry; the head row lock orders concurrent appends of one tenant. */
export async function appendJournal(trx: Tx, tenantId: string, entry: JournalEntry): Promise<JournalRow> {
  const { row } = await appendJournalAfter(trx, tenantId, entry, async () => ({ purpose: entry.purpose, result: undefined }));
  return row;
}

/**
 * Appends one entry whose purpose is known only once its seq is: `before`
 * runs with the seq taken (the head locked, so no other entry can take it)
 * and returns the purpose. Used when the rows an entry names are written
 * beside it first (journal_records).
 */
export async function appendJournalAfter<T>(
  trx: Tx,
  tenantId: string,
  entry: Omit<JournalEntry, 'purpose'>,
  before: (seq: number) => Promise<{ purpose: string; result: T }>,
): Promise<{ row: JournalRow; result: T }> {
  await trx.insertInto('journal_heads').values({ tenant_id: tenantId, seq: 0, hash: GENESIS }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
  const head = await trx.selectFrom('journal_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
  const seq = Number(head.seq) + 1;
  const { purpose, result } = await before(seq);
  // Millisecond precision, as JavaScript and the hash see it.
  const at = new Date().toISOString();
  const base = { tenantId, seq, at, actorId: entry.actorId, actor: entry.actor, action: entry.action, recordId: entry.recordId, purpose };
  const hash = rowHash(head.hash, base);
  await trx
    .insertInto('journal')
    .values({ tenant_id: tenantId, seq, at, actor_id: entry.actorId, actor: entry.actor, action: entry.action, record_id: entry.recordId, purpose, prev_hash: head.hash, hash })
    .execute();
  await trx.updateTable('journal_heads').set({ seq, hash }).where('tenant_id', '=', tenantId).execute();
  return { row: { ...base, prevHash: head.hash, hash }, result };
}
