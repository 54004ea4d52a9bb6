/**
 * Server-side sessions: the browser holds only an opaque random id (in an
 * HttpOnly cookie), the database its SHA-256 with the account, the stage of
 * the sign-in, and two deadlines: idle (pushed back by each request) and
 * absolute (fixed at sign-in). Ending a session ends it wherever its cookie
 * is, since every request looks it up.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lookupHash } from '../crypto/tenant-keys.ts';
import type { AccountKind, SessionsTable, Tables } from '../db/tables.ts';

export type SessionStage = SessionsTable['stage'];

/** ANSSI's guidance for administration interfaces: short idle time, a working day at most. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** A sign-in waiting for its second factor or enrolment gets little time. */
const PENDING_MS = 10 * 60_000;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  tenantId: string;
  idHash: string;
  accountKind: AccountKind;
  accountId: string;
  stage: SessionStage;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface NewSession {
  tenantId: string;
  accountKind: AccountKind;
  accountId: string;
  stage: SessionStage;
  now?: Date;
}

function idleDeadline(stage: SessionStage, now: Date, absolute: Date): Date {
  const idle = new Date(now.getTime() + (stage === 'active' ? SESSION_IDLE_MS : PENDING_MS));
  return idle < absolute ? idle : absolute;
}

/** A new id every time (at sign-in, and when the stage changes), so a fixed id planted beforehand is worthless. */
export async function createSession(db: Kysely<Tables>, input: NewSession): Promise<{ id: string; session: Session }> {
  const now = input.now ?? new Date();
  const id = randomBytes(32).toString('base64url');
  const absolute = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  const session: Session = {
    tenantId: input.tenantId,
    idHash: lookupHash(id),
    accountKind: input.accountKind,
    accountId: input.accountId,
    stage: input.stage,
    idleExpiresAt: idleDeadline(input.stage, now, absolute),
    absoluteExpiresAt: absolute,
  };
  await db
    .insertInto('sessions')
    .values({
      tenant_id: session.tenantId,
      id_hash: session.idHash,
      account_kind: session.accountKind,
      account_id: session.accountId,
      stage: session.stage,
      created_at: now,
      last_seen_at: now,
      idle_expires_at: session.idleExpiresAt,
      absolute_expires_at: session.absoluteExpiresAt,
    })
    .execute();
  return { id, session };
}

/** The live session of that id, its idle deadline pushed back; undefined when unknown, ended or expired. */
export async function resumeSession(db: Kysely<Tables>, tenantId: string, accountKind: AccountKind, id: string | undefined, now = new Date(), touch = true): Promise<Session | undefined> {
  if (!id || !SESSION_ID.test(id)) return undefined;
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', lookupHash(id))
    .where('account_kind', '=', accountKind)
    .where('ended_at', 'is', null)
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const session: Session = {
    tenantId,
    idHash: row.id_hash,
    accountKind,
    accountId: row.account_id,
    stage: row.stage,
    idleExpiresAt: new Date(row.idle_expires_at),
    absoluteExpiresAt: new Date(row.absolute_expires_at),
  };
  if (touch) {
    session.idleExpiresAt = idleDeadline(session.stage, now, session.absoluteExpiresAt);
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now, idle_expires_at: session.idleExpiresAt })
      .where('tenant_id', '=', tenantId)
      .where('id_hash', '=', session.idHash)
      .execute();
  }
  return session;
}

export async function endSession(db: Kysely<Tables>, session: Pick<Session, 'tenantId' | 'idHash'>, now = new Date()): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: now }).where('tenant_id', '=', session.tenantId).where('id_hash', '=', session.idHash).where('ended_at', 'is', null).execute();
}

/** Every session of an account (password changed, account disabled, "sign out everywhere"). */
export async function endAccountSessions(db: Kysely<Tables>, tenantId: string, accountKind: AccountKind, accountId: string, now = new Date()): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ ended_at: now })
    .where('tenant_id', '=', tenantId)
    .where('account_kind', '=', accountKind)
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Sessions that can no longer be used, removed by the hourly job. */
export async function purgeSessions(db: Kysely<Tables>, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('absolute_expires_at', '<=', now), eb('idle_expires_at', '<=', now), eb('ended_at', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
