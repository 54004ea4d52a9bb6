/**
 * What an agent reads of records, always under its principal so that
 * row-level security decides what exists. Opening a record or one of its
 * files appends to the access journal in the same transaction as the read:
 * no read without its journal row, no journal row for a read that failed.
 * Sealed values are opened after the transaction, from keys loaded before it.
 */
import { byteaAsHex, fromHex } from '../db/bytea.ts';
import { open, openJson } from '../crypto/aead.ts';
import type { DataKey, TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import type { RecordStatus, Tables } from '../db/tables.ts';
import type { Kysely } from 'kysely';
import { appendJournal, type JournalEntry } from '../journal/journal.ts';
import { mergeRecord } from './record-split.ts';
import { recordAad, uploadAad } from './submit-form.ts';

export interface RecordSummary {
  id: string;
  formId: string;
  processingId: string;
  serviceId: string;
  status: RecordStatus;
  createdAt: string;
}

export interface RecordFile {
  id: string;
  field: string;
  filename: string;
  mediaType: string;
  size: number;
}

export interface RecordDetail extends RecordSummary {
  registerVersion: number;
  updatedAt: string;
  closedAt: string | null;
  expiresAt: string | null;
  /** When retention anonymised it: what remains identifies no one. */
  anonymisedAt: string | null;
  /** When retention archived it: from then on the DPO alone reads it, until expiresAt. */
  archivedAt: string | null;
  data: Record<string, unknown>;
  files: RecordFile[];
}

export interface ReaderDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

/** Who reads, as the journal names them. */
export type Reader = Pick<JournalEntry, 'actorId' | 'actor'>;

/** Why an agent opens a record: to handle the request, for the processing it belongs to. */
export const readPurpose = (processingId: string) => `instruction de la demande (traitement ${processingId})`;
/** Only the DPO reads an archive (row-level security): the journal says so. */
const purposeOf = (principal: Principal, processingId: string) => (principal.kind === 'dpo' ? `consultation d’une archive (traitement ${processingId})` : readPurpose(processingId));

const iso = (d: Date | string) => new Date(d).toISOString();

/** A record's values with its sealed part opened, for code that needs them without showing them (retention rules, the address a notice goes to). */
export function recordValues(keys: readonly DataKey[], tenantId: string, r: { id: string; data: Record<string, unknown>; sealed: string | null; key_version: number | null }): Record<string, unknown> {
  return r.sealed && r.key_version !== null ? mergeRecord(r.data, openJson<Record<string, unknown>>(keyOf(keys, tenantId, r.key_version), r.sealed, recordAad(tenantId, r.id))) : r.data;
}

export function keyOf(keys: readonly DataKey[], tenantId: string, version: number): Buffer {
  const key = keys.find((k) => k.version === version);
  if (!key) throw new Error(`no data key ${version} for tenant ${tenantId}`);
  return key.key;
}

export interface ListOptions {
  status?: RecordStatus | undefined;
  limit: number;
  offset: number;
}

/** Metadata only (no personal data): not journaled. Newest first. */
export async function listRecords(db: Kysely<Tables>, principal: Principal, options: ListOptions): Promise<RecordSummary[]> {
  const rows = await withPrincipal(db, principal, (trx) => {
    let q = trx
      .selectFrom('records')
      .select(['id', 'form_id', 'processing_id', 'service_id', 'status', 'created_at'])
      .where('tenant_id', '=', principal.tenantId);
    if (options.status) q = q.where('status', '=', options.status);
    return q.orderBy('created_at', 'desc').orderBy('id').limit(options.limit).offset(options.offset).execute();
  });
  return rows.map((r) => ({ id: r.id, formId: r.form_id, processingId: r.processing_id, serviceId: r.service_id, status: r.status, createdAt: iso(r.created_at) }));
}

/** The record with its data, sealed fields opened: a journaled read. Undefined when the principal may not see it. */
export async function readRecord(deps: ReaderDeps, principal: Principal, reader: Reader, recordId: string): Promise<RecordDetail | undefined> {
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  const found = await withPrincipal(deps.db, principal, async (trx) => {
    const record = await trx.selectFrom('records').selectAll().where('tenant_id', '=', tenantId).where('id', '=', recordId).executeTakeFirst();
    if (!record) return undefined;
    const uploads = await trx
      .selectFrom('uploads')
      .select(['id', 'field', 'media_type', 'size', 'sealed_name', 'key_version'])
      .where('tenant_id', '=', tenantId)
      .where('record_id', '=', recordId)
      .orderBy('field')
      .execute();
    await appendJournal(trx, tenantId, { ...reader, action: 'read', recordId, purpose: purposeOf(principal, record.processing_id) });
    return { record, uploads };
  });
  if (!found) return undefined;
  const { record: r, uploads } = found;
  const sealed = r.sealed && r.key_version !== null ? openJson<Record<string, unknown>>(keyOf(keys, tenantId, r.key_version), r.sealed, recordAad(tenantId, r.id)) : null;
  return {
    id: r.id,
    formId: r.form_id,
    processingId: r.processing_id,
    serviceId: r.service_id,
    status: r.status,
    createdAt: iso(r.created_at),
    registerVersion: r.register_version,
    updatedAt: iso(r.updated_at),
    closedAt: r.closed_at ? iso(r.closed_at) : null,
    expiresAt: r.expires_at ? iso(r.expires_at) : null,
    anonymisedAt: r.anonymised_at ? iso(r.anonymised_at) : null,
    archivedAt: r.archived_at ? iso(r.archived_at) : null,
    data: mergeRecord(r.data, sealed),
    files: uploads.map((u) => ({
      id: u.id,
      field: u.field,
      filename: open(keyOf(keys, tenantId, u.key_version), Buffer.from(u.sealed_name, 'base64'), `${uploadAad(tenantId, u.id)}:name`).toString('utf8'),
      mediaType: u.media_type,
      size: u.size,
    })),
  };
}

export interface OpenedFile {
  filename: string;
  mediaType: string;
  bytes: Buffer;
}

/** One file of a record, opened: journaled as a download. Undefined when the principal may not see it. */
export async function readUpload(deps: ReaderDeps, principal: Principal, reader: Reader, recordId: string, uploadId: string): Promise<OpenedFile | undefined> {
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  const upload = await withPrincipal(deps.db, principal, async (trx) => {
    const row = await trx
      .selectFrom('uploads')
      .innerJoin('records', (j) => j.onRef('records.tenant_id', '=', 'uploads.tenant_id').onRef('records.id', '=', 'uploads.record_id'))
      .select(['uploads.id', 'uploads.media_type', 'uploads.sealed_name', 'uploads.key_version', 'records.processing_id'])
      .select(byteaAsHex('uploads.sealed').as('sealed_hex'))
      .where('uploads.tenant_id', '=', tenantId)
      .where('uploads.record_id', '=', recordId)
      .where('uploads.id', '=', uploadId)
      .executeTakeFirst();
    if (!row) return undefined;
    await appendJournal(trx, tenantId, { ...reader, action: 'download', recordId, purpose: purposeOf(principal, row.processing_id) });
    return row;
  });
  if (!upload) return undefined;
  const key = keyOf(keys, tenantId, upload.key_version);
  return {
    filename: open(key, Buffer.from(upload.sealed_name, 'base64'), `${uploadAad(tenantId, upload.id)}:name`).toString('utf8'),
    mediaType: upload.media_type,
    bytes: open(key, fromHex(upload.sealed_hex), uploadAad(tenantId, upload.id)),
  };
}
