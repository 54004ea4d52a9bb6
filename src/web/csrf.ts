/**
 * Cross-site request forgery protection for the citizen forms, without any
 * session storage: a `bastide_session` cookie holding a random id, and in
 * each rendered form a token MAC'ed over that id, the form, when it was
 * issued and a random nonce. Every instance can check a token: the MAC key
 * is derived (HKDF) from the tenant's data key, which all instances share,
 * where a per-process secret would fail behind a load balancer. The nonce
 * also names the submission, so a replayed token finds the record it made.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantKeys } from '../crypto/tenant-keys.ts';

export const SESSION_COOKIE = 'bastide_session';
/** A form left open longer than this must be reloaded (its typed data is kept). */
export const FORM_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;
/** Clocks of several instances may differ a little. */
const CLOCK_SKEW_MS = 60_000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const TOKEN = /^v1\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export type TokenCheck = { ok: true; nonce: string } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'forged' };

/** The session id of the request's cookie, if it carries a well-formed one. */
export function readSessionId(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value && SESSION_ID.test(value) ? value : undefined;
}

/**
 * The request's session id, or a new one set as a cookie: HttpOnly, SameSite=Lax
 * (a cross-site POST does not carry it), Secure behind https, and no expiry
 * (it ends with the browser session, as the notice's cookie table says).
 */
export function ensureSession(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): string {
  const existing = readSessionId(request);
  if (existing) return existing;
  const id = randomBytes(32).toString('base64url');
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: Boolean(publicUrl?.startsWith('https://')) });
  return id;
}

async function csrfKey(keys: TenantKeys, tenantId: string): Promise<Buffer> {
  const { key } = await keys.current(tenantId);
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `bastide csrf:${tenantId}`, 32));
}

function mac(key: Buffer, sessionId: string, formId: string, issuedAt: string, nonce: string): string {
  return createHmac('sha256', key).update(`${sessionId}\n${formId}\n${issuedAt}\n${nonce}`).digest('base64url');
}

export async function issueFormToken(keys: TenantKeys, tenantId: string, sessionId: string, formId: string, now = Date.now()): Promise<string> {
  const issuedAt = now.toString(36);
  const nonce = randomBytes(16).toString('base64url');
  return `v1.${issuedAt}.${nonce}.${mac(await csrfKey(keys, tenantId), sessionId, formId, issuedAt, nonce)}`;
}

export async function checkFormToken(
  keys: TenantKeys,
  tenantId: string,
  sessionId: string | undefined,
  formId: string,
  token: unknown,
  now = Date.now(),
): Promise<TokenCheck> {
  if (typeof token !== 'string' || token === '' || !sessionId) return { ok: false, reason: 'missing' };
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, issuedAt, nonce, given] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(await csrfKey(keys, tenantId), sessionId, formId, issuedAt, nonce));
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, reason: 'forged' };
  const age = now - parseInt(issuedAt, 36);
  if (age > FORM_TOKEN_TTL_MS || age < -CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
  return { ok: true, nonce };
}
