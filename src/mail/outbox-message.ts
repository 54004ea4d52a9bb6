/**
 * A message of the outbox as stored: sealed under the tenant's data key,
 * bound to its row by the associated data, so that the database holds no
 * address or text in clear, exactly as for the record it is about.
 */
import { randomUUID } from 'node:crypto';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';
import type { OutgoingMail } from './mailer.ts';

export const mailAad = (tenantId: string, id: string) => `bastide:mail:${tenantId}:${id}`;

export interface OutboxInsert {
  tenant_id: string;
  id: string;
  record_id: string | null;
  sealed: string;
  key_version: number;
  created_at: Date;
  next_attempt_at: Date;
  expires_at: Date;
}

/** The row to insert, in the same transaction as what the message is about. */
export function outboxRow(key: DataKey, tenantId: string, recordId: string | null, mail: OutgoingMail, now: Date, expiresAt: Date): OutboxInsert {
  const id = randomUUID();
  const withId: OutgoingMail = { ...mail, messageId: mail.messageId ?? `<${id}@${tenantId}.bastide>` };
  return {
    tenant_id: tenantId,
    id,
    record_id: recordId,
    sealed: sealJson(key.key, withId, mailAad(tenantId, id)),
    key_version: key.version,
    created_at: now,
    next_attempt_at: now,
    expires_at: expiresAt,
  };
}

export function openOutboxMessage(key: DataKey, row: { tenant_id: string; id: string; sealed: string }): OutgoingMail {
  return openJson<OutgoingMail>(key.key, row.sealed, mailAad(row.tenant_id, row.id));
}
