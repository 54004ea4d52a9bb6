/**
 * Naming and revoking an account's API tokens by their public id: what
 * `bastide token list|revoke` and the account page show and do. A revoked
 * token is refused at its next request (tokenAgentId checks `revoked_at`).
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';

export interface TokenInfo {
  publicId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const PUBLIC_ID = /^tok_[0-9a-f]{12}$/;

export const isTokenPublicId = (text: string) => PUBLIC_ID.test(text);

/** The account's tokens, newest first; `live` keeps only those that still open the API. */
export async function listTokens(db: Kysely<Tables>, tenantId: string, agentId: string, options: { live?: boolean; now?: Date } = {}): Promise<TokenInfo[]> {
  let q = db.selectFrom('api_tokens').select(['public_id', 'created_at', 'expires_at', 'revoked_at']).where('tenant_id', '=', tenantId).where('agent_id', '=', agentId);
  if (options.live) q = q.where('revoked_at', 'is', null).where('expires_at', '>', options.now ?? new Date());
  const rows = await q.orderBy('created_at', 'desc').orderBy('public_id').execute();
  return rows.map((r) => ({ publicId: r.public_id, createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at), revokedAt: r.revoked_at ? new Date(r.revoked_at) : null }));
}

/** Revokes one token; `agentId` narrows it to that account's (the account page). How many were revoked (0 or 1). */
export async function revokeToken(db: Kysely<Tables>, tenantId: string, publicId: string, agentId?: string, now = new Date()): Promise<number> {
  if (!isTokenPublicId(publicId)) return 0;
  let q = db.updateTable('api_tokens').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('public_id', '=', publicId).where('revoked_at', 'is', null);
  if (agentId) q = q.where('agent_id', '=', agentId);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** Every token of the account not yet revoked (account disabled, `token revoke --all`). */
export async function revokeAgentTokens(db: Kysely<Tables>, tenantId: string, agentId: string, now = new Date()): Promise<number> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
