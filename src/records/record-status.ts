/**
 * An agent moves a record through its statuses. Closing (done, rejected)
 * records when, since retention may count from closure; reopening clears it.
 * The expiry is then recomputed from the processing as the register in force
 * declares it; a processing no longer declared there keeps the expiry it had
 * (the retention engine decides what happens to such records).
 */
import type { Kysely } from 'kysely';
import { openJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import type { RecordStatus, Tables } from '../db/tables.ts';
import type { Register } from '../register/schema.ts';
import { computeExpiry } from '../retention/expiry.ts';
import { mergeRecord } from './record-split.ts';
import { recordAad } from './submit-form.ts';
import { AppError } from '../errors/app-error.ts';

export const RECORD_STATUSES: readonly RecordStatus[] = ['received', 'in-progress', 'done', 'rejected'];
const CLOSED: readonly RecordStatus[] = ['done', 'rejected'];

export function isRecordStatus(value: unknown): value is RecordStatus {
  return typeof value === 'string' && (RECORD_STATUSES as readonly string[]).includes(value);
}

export interface StatusChange {
  id: string;
  status: RecordStatus;
  updatedAt: string;
  closedAt: string | null;
  expiresAt: string | null;
}

export interface StatusDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

/** Undefined when the principal may not see the record. */
const sameDate = (a: Date | string | null, b: Date | string | null) => (a === null || b === null ? a === b : new Date(a).getTime() === new Date(b).getTime());

export async function changeStatus(deps: StatusDeps, principal: Principal, register: Register, recordId: string, status: RecordStatus, now = new Date()): Promise<StatusChange | undefined> {
  const tenantId = principal.tenantId;
  const keys = await deps.keys.all(tenantId);
  return withPrincipal(deps.db, principal, async (trx) => {
    const r = await trx
      .selectFrom('records')
      .select(['id', 'processing_id', 'status', 'data', 'sealed', 'key_version', 'created_at', 'updated_at', 'closed_at', 'expires_at', 'frozen'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordId)
      .forUpdate()
      .executeTakeFirst();
    if (!r) return undefined;
    const result = (updatedAt: Date, closedAt: Date | null, expiresAt: Date | null): StatusChange => ({
      id: r.id,
      status,
      updatedAt: new Date(updatedAt).toISOString(),
      closedAt: closedAt ? new Date(closedAt).toISOString() : null,
      expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
    });
    if (r.status === status) return result(r.updated_at, r.closed_at, r.expires_at);
    // A restricted record (GDPR art. 18) is only kept: no status change, no new deletion date.
    if (r.frozen) throw new AppError('record-restricted');

    // A record closed twice (done, then rejected) keeps its first closing time.
    const closedAt = CLOSED.includes(status) ? (r.closed_at ?? now) : null;
    const processing = register.processings.find((p) => p.id === r.processing_id);
    let expiresAt = r.expires_at;
    if (processing) {
      // Retention rules read top-level values; sealed ones are opened only if a rule needs them.
      const needed = [...processing.retention.rules.map((rule) => rule.when.field), ...(processing.retention.from.startsWith('field:') ? [processing.retention.from.slice(6)] : [])];
      let values: Record<string, unknown> = r.data;
      if (r.sealed && r.key_version !== null && needed.some((f) => !(f in r.data))) {
        const key = keys.find((k) => k.version === r.key_version);
        if (!key) throw new Error(`no data key ${r.key_version} for tenant ${tenantId}`);
        values = mergeRecord(r.data, openJson(key.key, r.sealed, recordAad(tenantId, r.id)));
      }
      expiresAt = computeExpiry(processing, { createdAt: new Date(r.created_at), closedAt, values });
    }
    await trx
      .updateTable('records')
      // A new date is announced in turn (src/retention/deletion-notice.ts).
      .set({ status, updated_at: now, closed_at: closedAt, expires_at: expiresAt, ...(sameDate(expiresAt, r.expires_at) ? {} : { deletion_notice_at: null }) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordId)
      .execute();
    return result(now, closedAt, expiresAt);
  });
}
