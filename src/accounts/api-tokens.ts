/**
 * Bearer tokens for the agents' API: 32 random bytes, shown once, stored
 * only as a SHA-256 lookup hash under the tenant, with an expiry. A token is
 * valid for its own tenant only: under another tenant's URL it is unknown.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lookupHash } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import { addDuration, parseDuration, totalDays, type Duration } from '../register/duration.ts';

const PREFIX = 'bst_';
/** `bst_` then base64url of 32 bytes: recognisable by secret scanners, checked before any query. */
const TOKEN = /^bst_[A-Za-z0-9_-]{43}$/;

export const DEFAULT_TOKEN_TTL = 'P1D';
/** A longer-lived token is a standing credential to personal data; a year is the most accepted. */
const MAX_TOKEN_DAYS = 366;

/**
 * A lifetime in days, weeks, months or years (`P1D`, `P1W`, `P3M`). Hours are
 * refused like everywhere else in Bastide (durations are calendar units).
 */
export function parseTokenTtl(text: string): { ok: true; duration: Duration } | { ok: false; problem: string } {
  const parsed = parseDuration(text);
  if (!parsed.ok) return { ok: false, problem: `--ttl : ${parsed.problem.replace('durée de conservation', 'durée de validité')}` };
  if (totalDays(parsed.duration) > MAX_TOKEN_DAYS) return { ok: false, problem: `--ttl : un jeton vaut au plus un an (P1Y), pas « ${text} »` };
  return { ok: true, duration: parsed.duration };
}

export interface IssuedToken {
  token: string;
  /** Names the token without its secret (`tok_` and 12 hex digits). */
  publicId: string;
  expiresAt: Date;
}

export async function issueToken(db: Kysely<Tables>, input: { tenantId: string; agentId: string; ttl: string; now?: Date }): Promise<IssuedToken> {
  const parsed = parseTokenTtl(input.ttl);
  if (!parsed.ok) throw new Error(parsed.problem);
  const now = input.now ?? new Date();
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = addDuration(now, parsed.duration);
  const publicId = `tok_${randomBytes(6).toString('hex')}`;
  await db
    .insertInto('api_tokens')
    .values({ tenant_id: input.tenantId, token_hash: lookupHash(token), public_id: publicId, agent_id: input.agentId, created_at: now, expires_at: expiresAt, revoked_at: null })
    .execute();
  return { token, publicId, expiresAt };
}

/** The account a token stands for, if it is well formed, known for this tenant, unexpired and not revoked. */
export async function tokenAgentId(db: Kysely<Tables>, tenantId: string, token: string, now = new Date()): Promise<string | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const row = await db
    .selectFrom('api_tokens')
    .select('agent_id')
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', lookupHash(token))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.agent_id;
}
