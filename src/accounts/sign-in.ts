/**
 * Signing in to the back office: e-mail and password, then the second
 * factor when the account has one (or must enrol: admins and DPOs).
 *
 * Failures are counted per account in the database (every instance sees
 * them): after MAX_FAILURES the account is locked for LOCK_MS, and says
 * until when. An e-mail that matches no usable account gets exactly the same
 * answers from a counter in memory, and a password check of the same cost,
 * so neither the lock nor the timing tells whether an account exists.
 */
import type { Kysely } from 'kysely';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import type { AgentRole } from './agents-repository.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { looksLikeRecoveryCode, spendRecoveryCode } from './recovery-codes.ts';
import { checkTotp } from './totp.ts';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export type SignInResult = { kind: 'ok'; agentId: string; stage: 'active' | 'second-factor' | 'enrol' } | { kind: 'invalid' } | { kind: 'locked'; until: Date };

/** Roles that reach every service's configuration or the journal may not sign in on a password alone. */
export function secondFactorRequired(role: AgentRole): boolean {
  return role === 'admin' || role === 'dpo';
}

let dummyHash: Promise<string> | undefined;

/** Failures of e-mails without an account, so that they lock as an account would. */
class GhostLocks {
  readonly #entries = new Map<string, { failures: number; lockedUntil: number }>();

  check(key: string, now: number): Date | undefined {
    const e = this.#entries.get(key);
    return e && e.lockedUntil > now ? new Date(e.lockedUntil) : undefined;
  }

  fail(key: string, now: number): Date | undefined {
    if (this.#entries.size > 100_000) this.#entries.clear();
    const e = this.#entries.get(key) ?? { failures: 0, lockedUntil: 0 };
    e.failures++;
    if (e.failures >= MAX_FAILURES) {
      e.failures = 0;
      e.lockedUntil = now + LOCK_MS;
    }
    this.#entries.set(key, e);
    return e.lockedUntil > now ? new Date(e.lockedUntil) : undefined;
  }
}

const ghosts = new GhostLocks();

const TOTP_AAD = (tenantId: string, agentId: string) => `${tenantId}:agent:${agentId}:totp`;

async function recordFailure(db: Kysely<Tables>, tenantId: string, agentId: string, now: Date): Promise<Date | undefined> {
  // One statement: concurrent failures each count, and the one reaching the limit sets the lock.
  const row = await db
    .updateTable('agents')
    .set((eb) => ({
      failed_sign_ins: eb.case().when('failed_sign_ins', '>=', MAX_FAILURES - 1).then(0).else(eb('failed_sign_ins', '+', 1)).end(),
      locked_until: eb.case().when('failed_sign_ins', '>=', MAX_FAILURES - 1).then(new Date(now.getTime() + LOCK_MS)).else(eb.ref('locked_until')).end(),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .returning('locked_until')
    .executeTakeFirst();
  const until = row?.locked_until ? new Date(row.locked_until) : undefined;
  return until && until > now ? until : undefined;
}

async function clearFailures(db: Kysely<Tables>, tenantId: string, agentId: string): Promise<void> {
  await db.updateTable('agents').set({ failed_sign_ins: 0, locked_until: null }).where('tenant_id', '=', tenantId).where('id', '=', agentId).execute();
}

export async function signIn(db: Kysely<Tables>, tenantId: string, email: string, password: string, now = new Date()): Promise<SignInResult> {
  const normalised = email.trim().toLowerCase();
  const ghostKey = `${tenantId}\n${normalised}`;
  const account = await db
    .selectFrom('agents')
    .select(['id', 'role', 'password_hash', 'disabled_at', 'locked_until', 'totp_enabled_at'])
    .where('tenant_id', '=', tenantId)
    .where('email', '=', normalised)
    .executeTakeFirst();
  if (!account || account.disabled_at !== null || account.password_hash === null) {
    const locked = ghosts.check(ghostKey, now.getTime());
    if (locked) return { kind: 'locked', until: locked };
    await verifyPassword(await (dummyHash ??= hashPassword('pas un mot de passe')), password);
    const until = ghosts.fail(ghostKey, now.getTime());
    return until ? { kind: 'locked', until } : { kind: 'invalid' };
  }
  if (account.locked_until && new Date(account.locked_until) > now) return { kind: 'locked', until: new Date(account.locked_until) };
  if (!(await verifyPassword(account.password_hash, password))) {
    const until = await recordFailure(db, tenantId, account.id, now);
    return until ? { kind: 'locked', until } : { kind: 'invalid' };
  }
  if (account.totp_enabled_at !== null) return { kind: 'ok', agentId: account.id, stage: 'second-factor' };
  await clearFailures(db, tenantId, account.id);
  return { kind: 'ok', agentId: account.id, stage: secondFactorRequired(account.role) ? 'enrol' : 'active' };
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
