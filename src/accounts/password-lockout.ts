/**
 * The password check both kinds of account share (agents, citizens):
 * failures counted per account in the database (every instance sees them),
 * MAX_FAILURES then LOCK_MS locked; an e-mail that matches no usable account
 * gets the same answers from a counter in memory and a password check of the
 * same cost, so neither the lock nor the timing tells whether it exists.
 */
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

/** Tables whose rows carry `failed_sign_ins` and `locked_until`. */
export type LockedTable = 'agents' | 'citizens';

export type PasswordVerdict = { kind: 'ok' } | { kind: 'invalid' } | { kind: 'locked'; until: Date };

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

/** One statement: concurrent failures each count, and the one reaching the limit sets the lock. */
export async function recordFailure(db: Kysely<Tables>, table: LockedTable, tenantId: string, id: string, now: Date): Promise<Date | undefined> {
  const limit = MAX_FAILURES - 1;
  const lockEnd = new Date(now.getTime() + LOCK_MS).toISOString();
  const result = await sql<{ locked_until: Date | string | null }>`UPDATE ${sql.table(table)}
    SET failed_sign_ins = CASE WHEN failed_sign_ins >= ${limit} THEN 0 ELSE failed_sign_ins + 1 END,
        locked_until = CASE WHEN failed_sign_ins >= ${limit} THEN ${lockEnd}::timestamptz ELSE locked_until END
    WHERE tenant_id = ${tenantId} AND id = ${id}
    RETURNING locked_until`.execute(db);
  const value = result.rows[0]?.locked_until;
  const until = value ? new Date(value) : undefined;
  return until && until > now ? until : undefined;
}

export async function clearFailures(db: Kysely<Tables>, table: LockedTable, tenantId: string, id: string): Promise<void> {
  await sql`UPDATE ${sql.table(table)} SET failed_sign_ins = 0, locked_until = NULL WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(db);
}

/**
 * Checks a password against an account (or against nothing, for an e-mail
 * without a usable account), counting the failure either way. `ghostKey`
 * names the e-mail within its tenant and kind of account.
 */
export async function checkPassword(
  db: Kysely<Tables>,
  table: LockedTable,
  input: { tenantId: string; ghostKey: string; account: { id: string; passwordHash: string; lockedUntil: Date | null } | undefined; password: string; now: Date },
): Promise<PasswordVerdict> {
  const { account, now } = input;
  if (!account) {
    const locked = ghosts.check(input.ghostKey, now.getTime());
    if (locked) return { kind: 'locked', until: locked };
    await verifyPassword(await (dummyHash ??= hashPassword('pas un mot de passe')), input.password);
    const until = ghosts.fail(input.ghostKey, now.getTime());
    return until ? { kind: 'locked', until } : { kind: 'invalid' };
  }
  if (account.lockedUntil && new Date(account.lockedUntil) > now) return { kind: 'locked', until: new Date(account.lockedUntil) };
  if (!(await verifyPassword(account.passwordHash, input.password))) {
    const until = await recordFailure(db, table, input.tenantId, account.id, now);
    return until ? { kind: 'locked', until } : { kind: 'invalid' };
  }
  return { kind: 'ok' };
}
