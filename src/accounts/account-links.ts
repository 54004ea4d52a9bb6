/**
 * Single-use, short-lived links sent by e-mail: an invitation to set a
 * password, a password reset, an e-mail confirmation. Only the SHA-256 of
 * the token is stored; consuming a link is one guarded UPDATE, so a link
 * clicked twice (or in two tabs at once) works once.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lookupHash } from '../crypto/tenant-keys.ts';
import type { AccountKind, Tables } from '../db/tables.ts';

export type LinkPurpose = 'reset' | 'invitation' | 'confirmation';

/** A reset link is a credential: an hour. An invitation waits for a colleague's return: three days. */
export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = {
  reset: 60 * 60 * 1000,
  confirmation: 24 * 60 * 60 * 1000,
  invitation: 72 * 60 * 60 * 1000,
};

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedLink {
  token: string;
  expiresAt: Date;
}

/** A new link; earlier unused links of the same purpose for the account stop working. */
export async function issueLink(
  db: Kysely<Tables>,
  input: { tenantId: string; purpose: LinkPurpose; accountKind: AccountKind; accountId: string; now?: Date },
): Promise<IssuedLink> {
  const now = input.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LINK_LIFETIME_MS[input.purpose]);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('account_links')
      .set({ used_at: now })
      .where('tenant_id', '=', input.tenantId)
      .where('account_kind', '=', input.accountKind)
      .where('account_id', '=', input.accountId)
      .where('purpose', '=', input.purpose)
      .where('used_at', 'is', null)
      .execute();
    await trx
      .insertInto('account_links')
      .values({ tenant_id: input.tenantId, token_hash: lookupHash(token), purpose: input.purpose, account_kind: input.accountKind, account_id: input.accountId, created_at: now, expires_at: expiresAt })
      .execute();
  });
  return { token, expiresAt };
}

export type LinkCheck = { ok: true; accountId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** What a link stands for, without using it (to show the form it opens). */
export async function checkLink(db: Kysely<Tables>, tenantId: string, purpose: LinkPurpose, accountKind: AccountKind, token: string, now = new Date()): Promise<LinkCheck> {
  if (!TOKEN.test(token)) return { ok: false, reason: 'unknown' };
  const row = await db
    .selectFrom('account_links')
    .select(['account_id', 'used_at', 'expires_at'])
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', lookupHash(token))
    .where('purpose', '=', purpose)
    .where('account_kind', '=', accountKind)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.used_at) return { ok: false, reason: 'used' };
  if (new Date(row.expires_at) <= now) return { ok: false, reason: 'expired' };
  return { ok: true, accountId: row.account_id };
}

/** Uses the link once: the second caller gets `used`. Pass the caller's transaction so the link and what it does commit together. */
export async function consumeLink(db: Kysely<Tables>, tenantId: string, purpose: LinkPurpose, accountKind: AccountKind, token: string, now = new Date()): Promise<LinkCheck> {
  const checked = await checkLink(db, tenantId, purpose, accountKind, token, now);
  if (!checked.ok) return checked;
  const used = await db
    .updateTable('account_links')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', lookupHash(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? checked : { ok: false, reason: 'used' };
}

/** The French sentence for a link that no longer works, with what to do next. */
export function linkProblem(reason: 'unknown' | 'used' | 'expired'): string {
  if (reason === 'used') return 'Ce lien a déjà servi : il ne fonctionne qu’une fois. Demandez-en un nouveau.';
  if (reason === 'expired') return 'Ce lien a expiré. Demandez-en un nouveau.';
  return 'Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier, ou demandez-en un nouveau.';
}
