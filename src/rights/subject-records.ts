/**
 * A person's records, as the rights principal sees them: those whose
 * blind index is one of the person's verified subject keys, across every
 * processing and form (archives included), never found by decrypting
 * anything. Narrowed to the request's scope (one processing, or the one
 * request whose tracking code was given).
 */
import { open, openJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';
import type { Tx } from '../db/principal.ts';
import type { RecordStatus } from '../db/tables.ts';
import { messageAad } from '../back-office/record-messages.ts';
import { keyOf, recordValues } from '../records/record-reader.ts';
import { uploadAad } from '../records/submit-form.ts';
import type { RequestRow } from './request-repository.ts';

export interface SubjectRecord {
  id: string;
  processingId: string;
  formId: string;
  serviceId: string;
  status: RecordStatus;
  createdAt: Date;
  closedAt: Date | null;
  expiresAt: Date | null;
  expiryAction: 'delete' | 'anonymise' | 'archive' | null;
  archivedAt: Date | null;
  anonymisedAt: Date | null;
  frozen: boolean;
  held: boolean;
}

/** The subject keys a request may use: the address it verified, and the phone when the DPO established identity in person. */
export function requestSubjects(row: RequestRow): string[] {
  return row.phone_index && row.verified_by !== 'lien' ? [row.subject_index, row.phone_index] : [row.subject_index];
}

const date = (d: Date | string | null) => (d === null ? null : new Date(d));

export async function findSubjectRecords(trx: Tx, row: RequestRow): Promise<SubjectRecord[]> {
  const tenantId = row.tenant_id;
  const rows = await trx
    .selectFrom('records')
    .select(['id', 'processing_id', 'form_id', 'service_id', 'status', 'created_at', 'closed_at', 'expires_at', 'expiry_action', 'archived_at', 'anonymised_at', 'frozen'])
    .where('tenant_id', '=', tenantId)
    .$if(row.scope_processing !== null, (q) => q.where('processing_id', '=', row.scope_processing!))
    .$if(row.scope_tracking_hash !== null, (q) => q.where('tracking_hash', '=', row.scope_tracking_hash!))
    .$if(row.scope_record_id !== null, (q) => q.where('id', '=', row.scope_record_id!))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const held = new Set(
    rows.length === 0
      ? []
      : (await trx.selectFrom('record_holds').select('record_id').where('tenant_id', '=', tenantId).where('record_id', 'in', rows.map((r) => r.id)).execute()).map((h) => h.record_id),
  );
  return rows.map((r) => ({
    id: r.id,
    processingId: r.processing_id,
    formId: r.form_id,
    serviceId: r.service_id,
    status: r.status,
    createdAt: new Date(r.created_at),
    closedAt: date(r.closed_at),
    expiresAt: date(r.expires_at),
    expiryAction: r.expiry_action,
    archivedAt: date(r.archived_at),
    anonymisedAt: date(r.anonymised_at),
    frozen: r.frozen,
    held: held.has(r.id),
  }));
}

export interface RecordContents {
  data: Record<string, unknown>;
  files: Array<{ id: string; field: string; filename: string; mediaType: string; size: number }>;
  replies: Array<{ text: string; at: Date }>;
  consultations: Array<{ at: Date; action: string; purpose: string }>;
}

/** What the records hold, opened: values, file names, the agents' replies, and who consulted them (when, why; not the agent's name). */
export async function readContents(trx: Tx, keys: readonly DataKey[], tenantId: string, ids: readonly string[]): Promise<Map<string, RecordContents>> {
  const out = new Map<string, RecordContents>();
  if (ids.length === 0) return out;
  const records = await trx.selectFrom('records').select(['id', 'data', 'sealed', 'key_version']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  for (const r of records) out.set(r.id, { data: recordValues(keys, tenantId, r), files: [], replies: [], consultations: [] });
  const uploads = await trx.selectFrom('uploads').select(['id', 'record_id', 'field', 'media_type', 'size', 'sealed_name', 'key_version']).where('tenant_id', '=', tenantId).where('record_id', 'in', ids).orderBy('field').execute();
  for (const u of uploads) {
    if (!u.record_id) continue;
    const filename = open(keyOf(keys, tenantId, u.key_version), Buffer.from(u.sealed_name, 'base64'), `${uploadAad(tenantId, u.id)}:name`).toString('utf8');
    out.get(u.record_id)?.files.push({ id: u.id, field: u.field, filename, mediaType: u.media_type, size: u.size });
  }
  const replies = await trx.selectFrom('record_replies').select(['id', 'record_id', 'sealed', 'key_version', 'created_at']).where('tenant_id', '=', tenantId).where('record_id', 'in', ids).orderBy('created_at').orderBy('id').execute();
  for (const m of replies) out.get(m.record_id)?.replies.push({ text: openJson<string>(keyOf(keys, tenantId, m.key_version), m.sealed, messageAad('reply', tenantId, m.record_id, m.id)), at: new Date(m.created_at) });
  const direct = await trx
    .selectFrom('journal')
    .select(['record_id', 'at', 'action', 'purpose'])
    .where('tenant_id', '=', tenantId)
    .where('record_id', 'in', ids)
    .where('action', 'in', ['read', 'download', 'export', 'list'])
    .orderBy('seq')
    .execute();
  for (const j of direct) if (j.record_id) out.get(j.record_id)?.consultations.push({ at: new Date(j.at), action: j.action, purpose: j.purpose });
  const named = await trx
    .selectFrom('journal_records')
    .innerJoin('journal', (j) => j.onRef('journal.tenant_id', '=', 'journal_records.tenant_id').onRef('journal.seq', '=', 'journal_records.seq'))
    .select(['journal_records.record_id', 'journal.at', 'journal.action', 'journal.purpose'])
    .where('journal_records.tenant_id', '=', tenantId)
    .where('journal_records.record_id', 'in', ids)
    .where('journal.action', 'in', ['read', 'download', 'export', 'list'])
    .orderBy('journal.seq')
    .execute();
  for (const j of named) out.get(j.record_id)?.consultations.push({ at: new Date(j.at), action: j.action, purpose: j.purpose });
  for (const c of out.values()) c.consultations.sort((a, b) => a.at.getTime() - b.at.getTime());
  return out;
}
