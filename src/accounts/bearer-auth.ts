/**
 * `Authorization: Bearer …` on the JSON API. Every failure is a 401 with
 * `WWW-Authenticate: Bearer` (RFC 6750): missing, malformed, forged, expired,
 * revoked, a disabled account, or a token of another tenant (unknown there).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { AppError } from '../errors/app-error.ts';
import { retryDelayInFrench, type RateLimits } from '../web/rate-limits.ts';
import { resolveActor, type Actor } from './actor.ts';
import { tokenAgentId } from './api-tokens.ts';

export type BearerResult = { ok: true; actor: Actor } | { ok: false; reason: 'missing' | 'invalid' };

/** Independent of HTTP frameworks: an Authorization header value in, an actor out. */
export async function authenticateBearer(db: Kysely<Tables>, tenantId: string, authorization: string | undefined, now = new Date()): Promise<BearerResult> {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return { ok: false, reason: authorization ? 'invalid' : 'missing' };
  const agentId = await tokenAgentId(db, tenantId, match[1]!, now);
  const actor = agentId ? await resolveActor(db, tenantId, agentId) : undefined;
  return actor ? { ok: true, actor } : { ok: false, reason: 'invalid' };
}

/**
 * Repeated failures from one address are made to wait before any token is
 * even looked at. Each attempt is counted before the look-up and given back
 * when it succeeds, so that many requests sent at once cannot all pass.
 */
export async function requireActor(db: Kysely<Tables>, limits: RateLimits, request: FastifyRequest, reply: FastifyReply, tenantId: string): Promise<Actor> {
  const verdict = limits.hit('auth-failure', request.ip);
  if (!verdict.ok) {
    reply.header('retry-after', String(verdict.retryAfterSeconds));
    throw new AppError('too-many-requests', `Trop de jetons refusés depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.`);
  }
  const result = await authenticateBearer(db, tenantId, request.headers.authorization);
  if (result.ok) {
    limits.forgive('auth-failure', request.ip);
    return result.actor;
  }
  // Set before throwing: the error handler keeps headers already on the reply.
  reply.header('www-authenticate', result.reason === 'missing' ? `Bearer realm="${tenantId}"` : `Bearer realm="${tenantId}", error="invalid_token"`);
  throw new AppError(result.reason === 'missing' ? 'unauthenticated' : 'invalid-token');
}
