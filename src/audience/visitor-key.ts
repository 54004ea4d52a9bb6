/**
 * The visitor of a hit as stored: a keyed hash of the cookie's random id and
 * the day, under a key of the authority's own. The same browser is one
 * visitor within a day (visits and unique visitors can be counted) and
 * nobody at all across days, authorities or sites: neither the stored value
 * nor the authority can link two days' hits, and the raw hits are deleted
 * once the day is aggregated.
 */
import { hash, hkdfSync } from 'node:crypto';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { todayInFrance } from '../register/date-bound.ts';

const VID = /^[A-Za-z0-9_-]{22}$/;
export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && VID.test(value);
}

/** Day keys derived from each tenant's data key: few (one per authority and day), kept while in use. */
export class VisitorKeys {
  readonly #keys: TenantKeys;
  readonly #dayKeys = new Map<string, Buffer>();

  constructor(keys: TenantKeys) {
    this.#keys = keys;
  }

  async #dayKey(tenantId: string, day: string): Promise<Buffer> {
    const name = `${tenantId}\n${day}`;
    let key = this.#dayKeys.get(name);
    if (!key) {
      const { key: tenantKey } = await this.#keys.current(tenantId);
      key = Buffer.from(hkdfSync('sha256', tenantKey, Buffer.alloc(0), `bastide audience:${tenantId}:${day}`, 32));
      if (this.#dayKeys.size > 10_000) this.#dayKeys.clear();
      this.#dayKeys.set(name, key);
    }
    return key;
  }

  /**
   * A signed 64-bit number (as text, as PostgreSQL's bigint): a collision among a day's visitors is one in billions.
   * SHA-256 of the secret day key then the id: nobody without the key can recompute or link it, which is all a
   * pseudonym needs (an HMAC's protection against forged tags serves no purpose here, and cost twice as much).
   */
  async visitor(tenantId: string, at: Date, vid: string): Promise<string> {
    const key = await this.#dayKey(tenantId, todayInFrance(at));
    const digest = hash('sha256', Buffer.concat([key, Buffer.from(vid, 'latin1')]), 'buffer') as unknown as Buffer;
    return digest.readBigInt64BE(0).toString();
  }
}
