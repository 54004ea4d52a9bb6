/**
 * What agents do with a request besides its status: claim it (so that two
 * colleagues do not both handle it), and leave private notes for each other.
 * Everything runs under the agent's principal: a record of another service
 * does not exist here either. Notes are sealed like the record, since an
 * agent may write personal details in them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';

export interface WorkDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export type ClaimResult = { kind: 'claimed' } | { kind: 'held'; holderId: string } | { kind: 'not-found' };

/** Takes the record for `agentId`; one already held by a colleague is taken over only when asked explicitly. */
export async function claimRecord(deps: WorkDeps, principal: Principal, recordId: string, agentId: string, takeOver: boolean, now = new Date()): Promise<ClaimResult> {
  return withPrincipal(deps.db, principal, async (trx) => {
    const row = await trx.selectFrom('records').select(['claimed_by']).where('tenant_id', '=', principal.tenantId).where('id', '=', recordId).forUpdate().executeTakeFirst();
    if (!row) return { kind: 'not-found' };
    if (row.claimed_by && row.claimed_by !== agentId && !takeOver) return { kind: 'held', holderId: row.claimed_by };
    if (row.claimed_by !== agentId)
      await trx.updateTable('records').set({ claimed_by: agentId, claimed_at: now }).where('tenant_id', '=', principal.tenantId).where('id', '=', recordId).execute();
    return { kind: 'claimed' };
  });
}

/** Gives the record back; only its holder can. */
export async function releaseRecord(deps: WorkDeps, principal: Principal, recordId: string, agentId: string): Promise<boolean> {
  return withPrincipal(deps.db, principal, async (trx) => {
    const r = await trx
      .updateTable('records')
      .set({ claimed_by: null, claimed_at: null })
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', recordId)
      .where('claimed_by', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });
}

export interface Note {
  id: string;
  author: string;
  text: string;
  createdAt: Date;
}

const noteAad = (tenantId: string, recordId: string, id: string) => `${tenantId}:record:${recordId}:note:${id}`;

export const NOTE_MAX = 5000;

/** False when the record is not visible to the principal. */
export async function addNote(deps: WorkDeps, principal: Principal, author: { actorId: string | null; actor: string }, recordId: string, text: string, now = new Date()): Promise<boolean> {
  const key = await deps.keys.current(principal.tenantId);
  const id = randomUUID();
  return withPrincipal(deps.db, principal, async (trx) => {
    const exists = await trx.selectFrom('records').select('id').where('tenant_id', '=', principal.tenantId).where('id', '=', recordId).executeTakeFirst();
    if (!exists) return false;
    await trx
      .insertInto('record_notes')
      .values({
        tenant_id: principal.tenantId,
        id,
        record_id: recordId,
        author_id: author.actorId,
        author: author.actor,
        sealed: sealJson(key.key, text, noteAad(principal.tenantId, recordId, id)),
        key_version: key.version,
        created_at: now,
      })
      .execute();
    return true;
  });
}

/** Oldest first, as a conversation reads. */
export async function listNotes(deps: WorkDeps, principal: Principal, recordId: string): Promise<Note[]> {
  const keys = await deps.keys.all(principal.tenantId);
  const rows = await withPrincipal(deps.db, principal, (trx) =>
    trx
      .selectFrom('record_notes')
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
    return { id: r.id, author: r.author, text: openJson<string>(key.key, r.sealed, noteAad(principal.tenantId, recordId, r.id)), createdAt: new Date(r.created_at) };
  });
}

/** How colleagues are named on the pages: their display name, else their e-mail (accounts are not under row-level security). */
export async function agentNames(db: Kysely<Tables>, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('agents').select(['id', 'email', 'display_name']).where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.display_name ?? r.email]));
}
