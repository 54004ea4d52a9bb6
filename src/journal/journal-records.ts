/**
 * Journal entries that name many records: an export of a list is ONE
 * journal row, and the records it held go to `journal_records`. The row's
 * purpose ends with the count and a SHA-256 of the sorted ids, so the hash
 * chain (which covers the purpose) also covers that list, and
 * `journal verify` can check the side table against it.
 */
import { createHash } from 'node:crypto';
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { appendJournal, appendJournalAfter, type JournalEntry, type JournalRow } from './journal.ts';

/** SHA-256 (hex) of the ids, lower-cased and sorted, one a line. */
export function idsDigest(ids: readonly string[]): string {
  return sortedDigest(ids.map((i) => i.toLowerCase()).sort());
}

function sortedDigest(sorted: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of sorted) hash.update(`${id}\n`);
  return hash.digest('hex');
}

const LIST_MARK = /— (\d+) demandes?, sha-256 des identifiants triés : ([0-9a-f]{64})$/;

/** The purpose as journaled: what the agent did, then the count and the digest of the list. */
export function listPurpose(what: string, ids: readonly string[]): string {
  return purposeOf(what, ids.length, idsDigest(ids));
}

const purposeOf = (what: string, count: number, digest: string) => `${what} — ${count} demande${count > 1 ? 's' : ''}, sha-256 des identifiants triés : ${digest}`;

/** The count and digest a purpose written by `listPurpose` carries; undefined for any other purpose. */
export function parseListPurpose(purpose: string): { count: number; digest: string } | undefined {
  const m = LIST_MARK.exec(purpose);
  return m ? { count: Number(m[1]), digest: m[2]! } : undefined;
}

/** The purpose as the person concerned reads it: what was done, without the count and digest of a list they cannot check. */
export function purposeForCitizen(purpose: string): string {
  return purpose.replace(LIST_MARK, '').trimEnd();
}

/** Appends one entry naming `ids` (its record_id null), and the ids beside it, in the caller's transaction. */
export async function appendJournalWithRecords(trx: Tx, tenantId: string, entry: Omit<JournalEntry, 'recordId' | 'purpose'>, what: string, ids: readonly string[]): Promise<JournalRow> {
  // Sorted once, for the digest and for the insert (lower-case hex sorts as PostgreSQL sorts uuids); positions follow that order.
  const unique = [...new Set(ids.map((i) => i.toLowerCase()))].sort();
  const row = await appendJournal(trx, tenantId, { ...entry, recordId: null, purpose: purposeOf(what, unique.length, sortedDigest(unique)) });
  // One statement whatever the count: the ids travel as one array parameter.
  if (unique.length > 0)
    await sql`insert into journal_records (tenant_id, seq, record_id, position) select ${tenantId}, ${row.seq}, id, n from unnest(${unique}::uuid[]) with ordinality as ids(id, n)`.execute(trx);
  return row;
}

/** idsDigest as an aggregate over a uuid column: one line of lower-case text an id, in uuid order (which is that text's order). */
function idsDigestSql(column: RawBuilder<unknown>) {
  return sql<string>`encode(sha256(convert_to(coalesce(string_agg(${column}::text || E'\\n', '' order by ${column}), ''), 'UTF8')), 'hex')`;
}

/** More records than a caller allows: the transaction must roll back (the ids are already written). */
export class TooManyRecords extends Error {}

/**
 * As appendJournalWithRecords, for the records a query selects (its rows
 * have `id`, and whatever `order` sorts on), in one statement: the database
 * chooses the ids, writes them beside the entry with their place in
 * `order` (`position`, from 1), and counts and digests them exactly as
 * idsDigest does. No id comes back: the caller reads them by position
 * (exportBatches), so that 200,000 of them never sit in memory at once.
 * More than `max` throws TooManyRecords.
 */
export async function appendJournalNamingQuery(
  trx: Tx,
  tenantId: string,
  entry: Omit<JournalEntry, 'recordId' | 'purpose'>,
  what: string,
  chosen: Expression<{ id: string }>,
  max: number,
  order: RawBuilder<unknown>,
): Promise<{ row: JournalRow; count: number }> {
  const { row, result } = await appendJournalAfter(trx, tenantId, { ...entry, recordId: null }, async (seq) => {
    // A data-modifying CTE runs once, on the same snapshot as the select that reads `chosen`: what is named is what is counted.
    // Rows leave the window in position order, the primary key's, so its pages fill one after another; uuid order is
    // the order of their lower-case text (idsDigest's).
    const { rows } = await sql<{ n: string; digest: string }>`
      with chosen as (${chosen}),
      named as (insert into journal_records (tenant_id, seq, record_id, position)
        select ${tenantId}, ${seq}, id, row_number() over (order by ${order}) from chosen)
      select count(*) as n,
        ${idsDigestSql(sql.ref('id'))} as digest
      from chosen`.execute(trx);
    const found = rows[0]!;
    const count = Number(found.n);
    if (count > max) throw new TooManyRecords(`${count} records, at most ${max}`);
    return { purpose: purposeOf(what, count, found.digest), result: count };
  });
  return { row, count: result };
}

/**
 * The count and digest of the ids a list entry names, as stored, computed by
 * the database as idsDigest computes them (for `journal verify`): an export
 * of 500,000 records is then never 500,000 strings in memory.
 */
export async function journalRecordsDigest(trx: Tx, tenantId: string, seq: number): Promise<{ count: number; digest: string }> {
  const { rows } = await sql<{ n: string; digest: string }>`
    select count(*) as n,
      ${idsDigestSql(sql.ref('record_id'))} as digest
    from journal_records where tenant_id = ${tenantId} and seq = ${seq}`.execute(trx);
  return { count: Number(rows[0]!.n), digest: rows[0]!.digest };
}
