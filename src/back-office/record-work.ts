/**
 * Claiming a request, so that two colleagues do not both handle it. Under
 * the agent's principal: a record of another service does not exist here.
 * Notes and replies are in record-messages.ts.
 */
import type { Kysely } from 'kysely';
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

/** How colleagues are named on the pages: their display name, else their e-mail (accounts are not under row-level security). */
export async function agentNames(db: Kysely<Tables>, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('agents').select(['id', 'email', 'display_name']).where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.display_name ?? r.email]));
}
