/**
 * What agents write about a request: private notes for colleagues, and
 * replies sent to the citizen. Both are sealed like the record (an agent may
 * write personal details in them), bound by the associated data to their
 * kind, record and id, so a note can never be passed off as a reply.
 * Written and read under the agent's principal (row-level security as for
 * the record); replies are also read by the citizen's own principal.
 */
import { randomUUID } from 'node:crypto';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal, type Tx } from '../db/principal.ts';
import type { WorkDeps } from './record-work.ts';

export type MessageKind = 'note' | 'reply';
const TABLE = { note: 'record_notes', reply: 'record_replies' } as const;

export interface RecordMessage {
  id: string;
  author: string;
  text: string;
  createdAt: Date;
}
export type Note = RecordMessage;

export const NOTE_MAX = 5000;

export const messageAad = (kind: MessageKind, tenantId: string, recordId: string, id: string) => `${tenantId}:record:${recordId}:${kind}:${id}`;

/** Inserts one message in the caller's transaction. */
export async function insertMessage(trx: Tx, key: DataKey, kind: MessageKind, tenantId: string, author: { actorId: string | null; actor: string }, recordId: string, text: string, now: Date): Promise<void> {
  const id = randomUUID();
  await trx
    .insertInto(TABLE[kind])
    .values({ tenant_id: tenantId, id, record_id: recordId, author_id: author.actorId, author: author.actor, sealed: sealJson(key.key, text, messageAad(kind, tenantId, recordId, id)), key_version: key.version, created_at: now })
    .execute();
}

/** False when the record is not visible to the principal. */
export async function addNote(deps: WorkDeps, principal: Principal, author: { actorId: string | null; actor: string }, recordId: string, text: string, now = new Date()): Promise<boolean> {
  const key = await deps.keys.current(principal.tenantId);
  return withPrincipal(deps.db, principal, async (trx) => {
    const exists = await trx.selectFrom('records').select('id').where('tenant_id', '=', principal.tenantId).where('id', '=', recordId).executeTakeFirst();
    if (!exists) return false;
    await insertMessage(trx, key, 'note', principal.tenantId, author, recordId, text, now);
    return true;
  });
}

/** Oldest first, as a conversation reads. */
export async function listMessages(deps: WorkDeps, principal: Principal, kind: MessageKind, recordId: string): Promise<RecordMessage[]> {
  const keys = await deps.keys.all(principal.tenantId);
  const rows = await withPrincipal(deps.db, principal, (trx) =>
    trx
      .selectFrom(TABLE[kind])
      .select(['id', 'author', 'sealed', 'key_version', 'created_at'])
      .where('tenant_id', '=', principal.tenantId)
      .where('record_id', '=', recordId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
  return rows.map((r) => {
    const key = keys.find((k) => k.version === r.key_version);
    if (!key) throw new Error(`no data key ${r.key_version} for tenant ${principal.tenantId}`);
    return { id: r.id, author: r.author, text: openJson<string>(key.key, r.sealed, messageAad(kind, principal.tenantId, recordId, r.id)), createdAt: new Date(r.created_at) };
  });
}

export const listNotes = (deps: WorkDeps, principal: Principal, recordId: string) => listMessages(deps, principal, 'note', recordId);
