/**
 * An export reads many records: it is ONE journal entry naming them all
 * (`journal_records`), written with the list of ids in one transaction
 * before any data leaves. The data is then read in short batches, each under
 * the agent's principal, so that memory stays flat whatever the count and,
 * on embedded PGlite, other requests get the database between batches. A
 * record deleted meanwhile is simply absent from the file.
 */
import type { Kysely } from 'kysely';
import { open, openJson } from '../../crypto/aead.ts';
import type { TenantKeys } from '../../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../../db/principal.ts';
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

/** Beyond this, an export is a migration, not an agent's task: the page asks for a narrower filter. */
export const EXPORT_MAX = 500_000;
const BATCH = 1000;

/**
 * Chooses the records (row-level security decides which exist) and journals
 * the export, in one transaction; the ids come back as one string, 36
 * characters each, in the list's order.
 */
export async function startExport(deps: ExportDeps, principal: Principal, reader: Reader, filter: RecordFilter, sort: Sort, what: string, max = EXPORT_MAX): Promise<string | 'too-many'> {
  try {
    return await withPrincipal(deps.db, principal, async (trx) => {
      const chosen = applyRecordFilter(trx.selectFrom('records'), principal.tenantId, filter)
        .select(['records.id', 'records.created_at', 'records.expires_at'])
        .limit(max + 1);
      const { ids } = await appendJournalNamingQuery(trx, principal.tenantId, { ...reader, action: 'export' }, what, chosen, max, sortOrder(sort));
      return ids;
    });
  } catch (e) {
    if (e instanceof TooManyRecords) return 'too-many';
    throw e;
  }
}

const ID_LENGTH = 36;

/** The records named by `ids` (as startExport returns them), in that order, a batch at a time. */
export async function* exportBatches(deps: ExportDeps, principal: Principal, ids: string, formTitle: (formId: string) => string, size = BATCH): AsyncGenerator<ExportedRecord[]> {
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  for (let i = 0; i < ids.length; i += size * ID_LENGTH) {
    const slice = ids.slice(i, i + size * ID_LENGTH);
    const batch: string[] = [];
    for (let j = 0; j < slice.length; j += ID_LENGTH) batch.push(slice.slice(j, j + ID_LENGTH));
    const { records, uploads } = await withPrincipal(deps.db, principal, async (trx) => ({
      records: await trx
        .selectFrom('records')
        .select(['id', 'form_id', 'status', 'created_at', 'expires_at', 'claimed_by', 'data', 'sealed', 'key_version'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', batch)
        .execute(),
      uploads: await trx.selectFrom('uploads').select(['id', 'record_id', 'sealed_name', 'key_version']).where('tenant_id', '=', tenantId).where('record_id', 'in', batch).execute(),
    }));
    const names = new Map<string, Map<string, string>>();
    for (const u of uploads) {
      if (!u.record_id) continue;
      const name = open(keyOf(keys, tenantId, u.key_version), Buffer.from(u.sealed_name, 'base64'), `${uploadAad(tenantId, u.id)}:name`).toString('utf8');
      names.set(u.record_id, (names.get(u.record_id) ?? new Map()).set(u.id, name));
    }
    const byId = new Map(records.map((r) => [r.id, r]));
    const out: ExportedRecord[] = [];
    for (const id of batch) {
      const r = byId.get(id);
      if (!r) continue;
      const sealed = r.sealed && r.key_version !== null ? openJson<Record<string, unknown>>(keyOf(keys, tenantId, r.key_version), r.sealed, recordAad(tenantId, r.id)) : null;
      out.push({
        id: r.id,
        formId: r.form_id,
        formTitle: formTitle(r.form_id),
        status: r.status,
        createdAt: new Date(r.created_at),
        expiresAt: r.expires_at ? new Date(r.expires_at) : null,
        claimedBy: r.claimed_by,
        data: mergeRecord(r.data, sealed),
        files: names.get(r.id) ?? new Map(),
      });
    }
    yield out;
  }
}
