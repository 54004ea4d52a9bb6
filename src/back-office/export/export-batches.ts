/**
 * An export reads many records: it is ONE journal entry naming them all
 * (`journal_records`, each with its place in the list), written in one
 * transaction before any data leaves. The data is then read by position in
 * short batches, each under the agent's principal, so that memory stays flat
 * whatever the count (no list of ids is held) and,
 * on embedded PGlite, other requests get the database between batches. A
 * record deleted meanwhile is simply absent from the file.
 */
import { sql, type Kysely } from 'kysely';
import { open, openJson } from '../../crypto/aead.ts';
import type { TenantKeys } from '../../crypto/tenant-keys.ts';
import { applyPrincipal, withPrincipal, type Principal } from '../../db/principal.ts';
import type { RecordStatus, Tables } from '../../db/tables.ts';
import { appendJournalNamingQuery, TooManyRecords } from '../../journal/journal-records.ts';
import { keyOf, type Reader } from '../../records/record-reader.ts';
import { mergeRecord } from '../../records/record-split.ts';
import { recordAad, uploadAad } from '../../records/submit-form.ts';
import { applyRecordFilter, type RecordFilter } from '../record-filter.ts';
import { sortOrder, type Sort } from '../record-list.ts';

export interface ExportedRecord {
  id: string;
  formId: string;
  formTitle: string;
  status: RecordStatus;
  createdAt: Date;
  expiresAt: Date | null;
  claimedBy: string | null;
  data: Record<string, unknown>;
  /** Upload id → file name as the citizen sent it. */
  files: ReadonlyMap<string, string>;
}

export interface ExportDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

const NO_FILES: ReadonlyMap<string, string> = new Map();

/** Beyond this, an export is a migration, not an agent's task: the page asks for a narrower filter. */
export const EXPORT_MAX = 500_000;
const BATCH = 1000;
/**
 * Batches read ahead of the one being written, each a transaction on a
 * pooled connection of its own. With one, the CSV writer waited for the
 * database 4.3 of its 7.5 seconds at 200,000 rows; with two, 2.6.
 */
const AHEAD = 2;

/** An export as journaled: its entry names `count` records, at positions 1 to count. */
export interface StartedExport {
  seq: number;
  count: number;
}

/**
 * Chooses the records (row-level security decides which exist) and journals
 * the export, with each record's place in the list, in one transaction.
 */
export async function startExport(deps: ExportDeps, principal: Principal, reader: Reader, filter: RecordFilter, sort: Sort, what: string, max = EXPORT_MAX): Promise<StartedExport | 'too-many'> {
  try {
    return await withPrincipal(deps.db, principal, async (trx) => {
      const chosen = applyRecordFilter(trx.selectFrom('records'), principal.tenantId, filter)
        .select(['records.id', 'records.created_at', 'records.expires_at'])
        .limit(max + 1);
      const { row, count } = await appendJournalNamingQuery(trx, principal.tenantId, { ...reader, action: 'export' }, what, chosen, max, sortOrder(sort));
      return { seq: row.seq, count };
    });
  } catch (e) {
    if (e instanceof TooManyRecords) return 'too-many';
    throw e;
  }
}

/** A record as a batch reads it: instants as milliseconds (float8: the drivers give a number, where parsing timestamp text was a tenth of a row's time). */
interface BatchRow {
  id: string;
  form_id: string;
  status: RecordStatus;
  claimed_by: string | null;
  data: Record<string, unknown>;
  sealed: string | null;
  key_version: number | null;
  created_ms: number;
  expires_ms: number | null;
}

interface BatchUpload {
  id: string;
  record_id: string | null;
  sealed_name: string;
  key_version: number;
}

/**
 * One batch's rows, in one transaction: the ids at these positions of the
 * export's journal entry, read as the tenant's system (agents do not read the
 * journal's side table), then their records and files under the agent's
 * principal, so that row-level security still decides what the agent gets.
 * The ids stay in the database's hands as one text, and the records come
 * back in the list's order: no string, array or map per id here.
 */
function readBatch(deps: ExportDeps, principal: Principal, started: StartedExport, from: number, size: number) {
  const tenantId = principal.tenantId;
  return deps.db.transaction().execute(async (trx) => {
    await applyPrincipal(trx, { kind: 'system', tenantId });
    const named = await trx
      .selectFrom('journal_records')
      .select(sql<string | null>`string_agg(record_id::text, ',' order by position)`.as('ids'))
      .where('tenant_id', '=', tenantId)
      .where('seq', '=', String(started.seq))
      .where('position', '>', from)
      .where('position', '<=', from + size)
      .executeTakeFirst();
    const ids = named?.ids;
    if (!ids) return { records: [], uploads: [] };
    await applyPrincipal(trx, principal);
    const listed = sql`unnest(string_to_array(${ids}, ',')::uuid[]) with ordinality as listed(id, n)`;
    const records = await sql<BatchRow>`
      select r.id, r.form_id, r.status, r.claimed_by, r.data, r.sealed, r.key_version,
        (extract(epoch from r.created_at) * 1000)::float8 as created_ms,
        (extract(epoch from r.expires_at) * 1000)::float8 as expires_ms
      from ${listed} join records r on r.id = listed.id
      where r.tenant_id = ${tenantId}
      order by listed.n`.execute(trx);
    const uploads = await sql<BatchUpload>`
      select u.id, u.record_id, u.sealed_name, u.key_version
      from ${listed} join uploads u on u.record_id = listed.id
      where u.tenant_id = ${tenantId}`.execute(trx);
    return { records: records.rows, uploads: uploads.rows };
  });
}

/**
 * The records the export names, in the list's order, a batch at a time.
 * The next batches are read while this one is opened and written, so that
 * the database's time and ours overlap; AHEAD + 1 batches at most are held.
 */
export async function* exportBatches(deps: ExportDeps, principal: Principal, started: StartedExport, formTitle: (formId: string) => string, size = BATCH): AsyncGenerator<ExportedRecord[]> {
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  const read = (from: number) => {
    if (from >= started.count) return undefined;
    const batch = readBatch(deps, principal, started, from, size);
    // Handled here while it waits its turn (an unheard rejection would end the process); awaited below, it still throws.
    batch.catch(() => undefined);
    return batch;
  };
  // The batches being read, in order: AHEAD of them while one is opened and written.
  const reading: Array<ReturnType<typeof readBatch>> = [];
  let asked = 0;
  const askMore = () => {
    while (reading.length < AHEAD) {
      const batch = read(asked);
      if (!batch) return;
      reading.push(batch);
      asked += size;
    }
  };
  askMore();
  try {
    for (let batch = reading.shift(); batch; batch = reading.shift()) {
      const { records, uploads } = await batch;
      askMore();
      const names = new Map<string, Map<string, string>>();
      for (const u of uploads) {
        if (!u.record_id) continue;
        const name = open(keyOf(keys, tenantId, u.key_version), Buffer.from(u.sealed_name, 'base64'), `${uploadAad(tenantId, u.id)}:name`).toString('utf8');
        names.set(u.record_id, (names.get(u.record_id) ?? new Map()).set(u.id, name));
      }
      const out: ExportedRecord[] = [];
      // In the list's order; a record deleted since the export began is simply absent.
      for (const r of records) {
        const sealed = r.sealed && r.key_version !== null ? openJson<Record<string, unknown>>(keyOf(keys, tenantId, r.key_version), r.sealed, recordAad(tenantId, r.id)) : null;
        out.push({
          id: r.id,
          formId: r.form_id,
          formTitle: formTitle(r.form_id),
          status: r.status,
          createdAt: new Date(r.created_ms),
          expiresAt: r.expires_ms === null ? null : new Date(r.expires_ms),
          claimedBy: r.claimed_by,
          data: mergeRecord(r.data, sealed),
          files: names.get(r.id) ?? NO_FILES,
        });
      }
      yield out;
    }
  } finally {
    // Left early (the client went away): the batches being read are let finish before the generator ends.
    await Promise.all(reading.map((b) => b.catch(() => undefined)));
  }
}
