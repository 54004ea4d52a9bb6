/**
 * Signing in to the back office: e-mail and password, then the second
 * factor when the account has one (or must enrol: admins and DPOs).
 *
 * The password check and its lockout are shared with citizen accounts
 * (password-lockout.ts): failures counted per account, then a lock that
 * says until when, the same answers for an e-mail without an account.
 */
import type { Kysely } from 'kysely';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import type { AgentRole } from './agents-repository.ts';
import { checkPassword, clearFailures as clearLockFailures, recordFailure as recordLockFailure } from './password-lockout.ts';
import { looksLikeRecoveryCode, spendRecoveryCode } from './recovery-codes.ts';
import { checkTotp } from './totp.ts';

export { LOCK_MS, MAX_FAILURES } from './password-lockout.ts';

export type SignInResult = { kind: 'ok'; agentId: string; stage: 'active' | 'second-factor' | 'enrol' } | { kind: 'invalid' } | { kind: 'locked'; until: Date };

/** Roles that reach every service's configuration or the journal may not sign in on a password alone. */
export function secondFactorRequired(role: AgentRole): boolean {
  return role === 'admin' || role === 'dpo';
}

const TOTP_AAD = (tenantId: string, agentId: string) => `${tenantId}:agent:${agentId}:totp`;

const recordFailure = (db: Kysely<Tables>, tenantId: string, agentId: string, now: Date) => recordLockFailure(db, 'agents', tenantId, agentId, now);
const clearFailures = (db: Kysely<Tables>, tenantId: string, agentId: string) => clearLockFailures(db, 'agents', tenantId, agentId);

export async function signIn(db: Kysely<Tables>, tenantId: string, email: string, password: string, now = new Date()): Promise<SignInResult> {
  const normalised = email.trim().toLowerCase();
  const ghostKey = `${tenantId}\n${normalised}`;
  const account = await db
    .selectFrom('agents')
    .select(['id', 'role', 'password_hash', 'disabled_at', 'locked_until', 'totp_enabled_at'])
    .where('tenant_id', '=', tenantId)
    .where('email', '=', normalised)
    .executeTakeFirst();
  const usable = account && account.disabled_at === null && account.password_hash !== null ? account : undefined;
  const verdict = await checkPassword(db, 'agents', {
    tenantId,
    ghostKey,
    account: usable ? { id: usable.id, passwordHash: usable.password_hash!, lockedUntil: usable.locked_until } : undefined,
    password,
    now,
  });
  if (verdict.kind !== 'ok' || !usable) return verdict.kind === 'ok' ? { kind: 'invalid' } : verdict;
  if (usable.totp_enabled_at !== null) return { kind: 'ok', agentId: usable.id, stage: 'second-factor' };
  await clearFailures(db, tenantId, usable.id);
  return { kind: 'ok', agentId: usable.id, stage: secondFactorRequired(usable.role) ? 'enrol' : 'active' };
}

export type SecondFactorResult = { kind: 'ok'; recoveryCodeUsed: boolean } | { kind: 'invalid' } | { kind: 'locked'; until: Date };

/** A TOTP code (once only) or a recovery code; failures count towards the same lock as passwords. */
export async function checkSecondFactor(db: Kysely<Tables>, keys: TenantKeys, tenantId: string, agentId: string, code: string, now = new Date()): Promise<SecondFactorResult> {
  const account = await db
    .selectFrom('agents')
    .select(['totp_sealed', 'totp_key_version', 'totp_last_step', 'locked_until'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (!account?.totp_sealed || account.totp_key_version === null) return { kind: 'invalid' };
  if (account.locked_until && new Date(account.locked_until) > now) return { kind: 'locked', until: new Date(account.locked_until) };
  const secret = openJson<string>((await keys.byVersion(tenantId, account.totp_key_version)).key, account.totp_sealed, TOTP_AAD(tenantId, agentId));
  const lastStep = account.totp_last_step === null ? null : Number(account.totp_last_step);
  const step = checkTotp(secret, code, lastStep, now.getTime());
  if (step !== undefined) {
    // Guarded by the step: two requests with the same code, only one moves it.
    const moved = await db
      .updateTable('agents')
      .set({ totp_last_step: step, failed_sign_ins: 0, locked_until: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 1) return { kind: 'ok', recoveryCodeUsed: false };
  } else if (looksLikeRecoveryCode(code) && (await spendRecoveryCode(db, tenantId, agentId, code, now))) {
    await clearFailures(db, tenantId, agentId);
    return { kind: 'ok', recoveryCodeUsed: true };
  }
  const until = await recordFailure(db, tenantId, agentId, now);
  return until ? { kind: 'locked', until } : { kind: 'invalid' };
}

/** Starts an enrolment: the secret is stored sealed but not in force until a first code confirms it. */
export async function storePendingTotp(db: Kysely<Tables>, keys: TenantKeys, tenantId: string, agentId: string, secret: string): Promise<void> {
  const key = await keys.current(tenantId);
  await db
    .updateTable('agents')
    .set({ totp_sealed: sealJson(key.key, secret, TOTP_AAD(tenantId, agentId)), totp_key_version: key.version, totp_enabled_at: null, totp_last_step: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .execute();
}

export async function pendingTotpSecret(db: Kysely<Tables>, keys: TenantKeys, tenantId: string, agentId: string): Promise<string | undefined> {
  const row = await db.selectFrom('agents').select(['totp_sealed', 'totp_key_version']).where('tenant_id', '=', tenantId).where('id', '=', agentId).executeTakeFirst();
  if (!row?.totp_sealed || row.totp_key_version === null) return undefined;
  return openJson<string>((await keys.byVersion(tenantId, row.totp_key_version)).key, row.totp_sealed, TOTP_AAD(tenantId, agentId));
}

/** The first good code turns the factor on; its step is spent like any other. */
export async function confirmTotp(db: Kysely<Tables>, keys: TenantKeys, tenantId: string, agentId: string, code: string, now = new Date()): Promise<boolean> {
  const secret = await pendingTotpSecret(db, keys, tenantId, agentId);
  if (!secret) return false;
  const step = checkTotp(secret, code, null, now.getTime());
  if (step === undefined) return false;
  await db.updateTable('agents').set({ totp_enabled_at: now, totp_last_step: step }).where('tenant_id', '=', tenantId).where('id', '=', agentId).execute();
  return true;
}
