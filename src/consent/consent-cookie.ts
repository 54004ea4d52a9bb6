/**
 * The `bastide_consent` cookie: the visitor's choices, readable by consent.js
 * (not HttpOnly) and signed by the server, so that the pages it renders
 * (a form's video, the cookies page) trust only choices it recorded:
 *
 *   1.<consent id>.<configuration hash>.<issued, base 36 ms>.<allowed ids joined by +>.<MAC>
 *
 * A cookie that is malformed, forged, older than six months or made under
 * another configuration counts as no choice at all: the banner asks again,
 * nothing third-party loads.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { isUuid } from '../db/uuid.ts';
import type { ConsentConfig } from './consent-config.ts';

export const CONSENT_COOKIE = 'bastide_consent';
/** The audience measurement's random identifier, set by consent.js (never by the server). */
export const VISITOR_COOKIE = 'bastide_vid';
/** Six months (CNIL): a choice, refusal included, is kept that long, then asked again. */
export const CONSENT_LIFETIME_DAYS = 183;
const LIFETIME_MS = CONSENT_LIFETIME_DAYS * 86_400_000;
const SHAPE = /^1\.([0-9a-f-]{36})\.([0-9a-f]{16})\.([0-9a-z]{1,11})\.([a-z0-9+-]{0,1000})\.([A-Za-z0-9_-]{22})$/;

export interface Choices {
  consentId: string;
  /** Every choice id of the configuration: allowed (true) or refused (false). */
  allowed: Record<string, boolean>;
  issuedAt: Date;
}

async function consentKey(keys: TenantKeys, tenantId: string): Promise<Buffer> {
  const { key } = await keys.current(tenantId);
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `bastide consent:${tenantId}`, 32));
}

function mac(key: Buffer, tenantId: string, payload: string): string {
  return createHmac('sha256', key).update(`${tenantId}\n${payload}`).digest('base64url').slice(0, 22);
}

export async function signConsentCookie(keys: TenantKeys, config: ConsentConfig, consentId: string, allowed: Record<string, boolean>, now: Date): Promise<string> {
  const ids = config.choiceIds.filter((id) => allowed[id]).join('+');
  const payload = `1.${consentId}.${config.configHash}.${now.getTime().toString(36)}.${ids}`;
  return `${payload}.${mac(await consentKey(keys, config.tenantId), config.tenantId, payload)}`;
}

/** The choices a cookie holds, or null when it is none the server gave for this configuration in the last six months. */
export async function readConsentCookie(keys: TenantKeys, config: ConsentConfig, value: string | undefined, now: Date): Promise<Choices | null> {
  if (!value || value.length > 1200) return null;
  const m = SHAPE.exec(value);
  if (!m) return null;
  const [, consentId, configHash, issued, ids, given] = m as unknown as [string, string, string, string, string, string];
  if (!isUuid(consentId) || configHash !== config.configHash) return null;
  const expected = Buffer.from(mac(await consentKey(keys, config.tenantId), config.tenantId, value.slice(0, value.length - given.length - 1)));
  if (!timingSafeEqual(expected, Buffer.from(given))) return null;
  const issuedAt = new Date(parseInt(issued, 36));
  const age = now.getTime() - issuedAt.getTime();
  if (!(age >= -60_000 && age <= LIFETIME_MS)) return null;
  const named = new Set(ids ? ids.split('+') : []);
  if ([...named].some((id) => !config.choiceIds.includes(id))) return null;
  return { consentId, allowed: Object.fromEntries(config.choiceIds.map((id) => [id, named.has(id)])), issuedAt };
}

/** The cookie's attributes on the platform's own pages: the authority's path only, readable by its script. */
export function consentCookieOptions(tenantId: string, secure: boolean) {
  return { path: `/${tenantId}`, maxAge: CONSENT_LIFETIME_DAYS * 86_400, sameSite: 'lax' as const, secure, httpOnly: false };
}
