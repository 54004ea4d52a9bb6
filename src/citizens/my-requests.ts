/**
 * "Mes demandes": the citizen's own requests, read under its principal, so
 * that row-level security decides what exists: those sent while signed in
 * (citizen_records) and those bearing the confirmed address's blind index
 * (record_subjects), never found by decrypting anything. The list is
 * metadata; opening one shows what was sent and the replies, decrypted, and
 * is journaled like any read, in the same transaction.
 */
import { openJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import type { RecordStatus } from '../db/tables.ts';
import { messageAad } from '../back-office/record-messages.ts';
import { appendJournal } from '../journal/journal.ts';
import { keyOf } from '../records/record-reader.ts';
import { mergeRecord } from '../records/record-split.ts';
import { citizenTrackingAad, recordAad } from '../records/submit-form.ts';
import type { CitizenDeps } from './citizen-accounts.ts';

export interface MyRequest {
  id: string;
  formId: string;
  processingId: string;
  serviceId: string;
  status: RecordStatus;
  createdAt: Date;
  closedAt: Date | null;
  expiresAt: Date | null;
  /** What happens at expiresAt, as the request's own rule says (null before the first recomputation after an upgrade). */
  expiryAction: 'delete' | 'anonymise' | 'archive' | null;
  /** Archived under a legal obligation: kept for the DPO alone until expiresAt. */
  archivedAt: Date | null;
  frozen: boolean;
  /** Kept for the requests sent while signed in; the others' codes exist only as a hash. */
  trackingCode: string | undefined;
  /** Sent while signed in (else found by the confirmed address). */
  linked: boolean;
}

export interface Consultation {
  at: Date;
  actorId: string | null;
  action: string;
  purpose: string;
}

export interface MyRequestDetail extends MyRequest {
  data: Record<string, unknown>;
  replies: Array<{ text: string; createdAt: Date }>;
  consultations: Consultation[];
}

/** What a citizen reading its own request is called in the journal: its account id, never its address. */
export const CITIZEN_ACTOR = 'usager (depuis son compte)';
export const CITIZEN_READ_PURPOSE = 'consultation de sa demande par la personne concernée';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = {
  id: string;
  form_id: string;
  processing_id: string;
  service_id: string;
  status: RecordStatus;
  created_at: Date | string;
  closed_at: Date | string | null;
  expires_at: Date | string | null;
  expiry_action: 'delete' | 'anonymise' | 'archive' | null;
  archived_at: Date | string | null;
  frozen: boolean;
  tracking_sealed: string | null;
  tracking_version: number | null;
};

function toRequest(keys: readonly DataKey[], tenantId: string, r: Row): MyRequest {
  return {
    id: r.id,
    formId: r.form_id,
    processingId: r.processing_id,
    serviceId: r.service_id,
    status: r.status,
    createdAt: new Date(r.created_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    expiresAt: r.expires_at ? new Date(r.expires_at) : null,
    expiryAction: r.expiry_action,
    archivedAt: r.archived_at ? new Date(r.archived_at) : null,
    frozen: r.frozen,
    trackingCode: r.tracking_sealed && r.tracking_version !== null ? openJson<string>(keyOf(keys, tenantId, r.tracking_version), r.tracking_sealed, citizenTrackingAad(tenantId, r.id)) : undefined,
    linked: r.tracking_sealed !== null,
  };
}

function requestsQuery(trx: Parameters<Parameters<typeof withPrincipal>[2]>[0], tenantId: string) {
  return trx
    .selectFrom('records')
    .leftJoin('citizen_records', (j) => j.onRef('citizen_records.record_id', '=', 'records.id').onRef('citizen_records.tenant_id', '=', 'records.tenant_id'))
    .select([
      'records.id',
      'records.form_id',
      'records.processing_id',
      'records.service_id',
      'records.status',
      'records.created_at',
      'records.closed_at',
      'records.expires_at',
      'records.expiry_action',
      'records.archived_at',
      'records.frozen',
      'citizen_records.tracking_sealed',
      'citizen_records.key_version as tracking_version',
    ])
    .where('records.tenant_id', '=', tenantId);
}

/** Newest first; metadata only, not journaled. */
export async function listMyRequests(deps: CitizenDeps, principal: Principal): Promise<MyRequest[]> {
  const keys = await deps.keys.all(principal.tenantId);
  const rows = await withPrincipal(deps.db, principal, (trx) => requestsQuery(trx, principal.tenantId).orderBy('records.created_at', 'desc').orderBy('records.id').limit(500).execute());
  return rows.map((r) => toRequest(keys, principal.tenantId, r));
}

/** One request with its data and replies (a journaled read) and who consulted it; undefined when it is not the citizen's. */
export async function readMyRequest(deps: CitizenDeps, principal: Principal & { kind: 'citizen' }, recordId: string): Promise<MyRequestDetail | undefined> {
  if (!UUID.test(recordId)) return undefined;
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  const found = await withPrincipal(deps.db, principal, async (trx) => {
    // An archive is read by the DPO alone: the list says when it goes, nothing opens it here.
    const row = await requestsQuery(trx, tenantId).select(['records.data', 'records.sealed', 'records.key_version']).where('records.id', '=', recordId).where('records.archived_at', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const replies = await trx
      .selectFrom('record_replies')
      .select(['id', 'sealed', 'key_version', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('record_id', '=', recordId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    await appendJournal(trx, tenantId, { actorId: principal.citizenId, actor: CITIZEN_ACTOR, action: 'read', recordId, purpose: CITIZEN_READ_PURPOSE });
    const journal = await trx
      .selectFrom('journal')
      .select(['at', 'actor_id', 'action', 'purpose'])
      .where('tenant_id', '=', tenantId)
      // Who consulted it: reads only (a legal hold is not a consultation).
      .where('action', 'in', ['read', 'download', 'export', 'list'])
      .where((eb) =>
        eb.or([
          eb('record_id', '=', recordId),
          eb('seq', 'in', eb.selectFrom('journal_records').select('journal_records.seq').where('journal_records.tenant_id', '=', tenantId).where('journal_records.record_id', '=', recordId)),
        ]),
      )
      .orderBy('seq', 'desc')
      .limit(500)
      .execute();
    return { row, replies, journal };
  });
  if (!found) return undefined;
  const { row, replies, journal } = found;
  const sealed = row.sealed && row.key_version !== null ? openJson<Record<string, unknown>>(keyOf(keys, tenantId, row.key_version), row.sealed, recordAad(tenantId, row.id)) : null;
  return {
    ...toRequest(keys, tenantId, row),
    data: mergeRecord(row.data, sealed),
    replies: replies.map((r) => ({ text: openJson<string>(keyOf(keys, tenantId, r.key_version), r.sealed, messageAad('reply', tenantId, recordId, r.id)), createdAt: new Date(r.created_at) })),
    consultations: journal.map((j) => ({ at: new Date(j.at), actorId: j.actor_id, action: j.action, purpose: j.purpose })),
  };
}
