/**
 * Tracking codes: what a citizen keeps to follow a request without an
 * account. 12 characters of Crockford base32 (60 bits), grouped by four,
 * without the letters people confuse (I, L, O, U). Only a hash is stored.
 */
import { pooledRandomBytes } from '../crypto/random-pool.ts';
import { lookupHash } from '../crypto/tenant-keys.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random code; or, from a secret (a keyed hash of an Idempotency-Key), the same code every time. */
export function newTrackingCode(secret: Uint8Array = pooledRandomBytes(12)): string {
  const bytes = secret.subarray(0, 12);
  let code = '';
  for (const b of bytes) code += ALPHABET[b & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}

/** Reads a code as typed: any case, spaces or dashes, O for 0 and I or L for 1. */
export function normaliseTrackingCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(s)) return undefined;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

export function trackingHash(tenantId: string, code: string): string {
  return lookupHash(`${tenantId}:${code}`);
}
