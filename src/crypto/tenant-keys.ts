/**
 * Each tenant's data key: random, created on first use, stored only wrapped
 * (sealed) under the current master key, and kept unwrapped in memory. A
 * second key derived from it keys the blind indexes of subject keys.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { open, seal } from './aead.ts';
import type { MasterKeyring } from './master-keyring.ts';

export interface DataKey {
  version: number;
  key: Buffer;
}

const wrapAad = (tenantId: string, version: number) => `bastide:tenant-key:${tenantId}:${version}`;

export class TenantKeys {
  readonly #db: Kysely<Tables>;
  readonly #master: MasterKeyring;
  readonly #cache = new Map<string, Promise<DataKey[]>>();
  readonly #derived = new Map<string, Buffer>();

  constructor(db: Kysely<Tables>, master: MasterKeyring) {
    this.#db = db;
    this.#master = master;
  }

  /** The key new data is sealed with. */
  async current(tenantId: string): Promise<DataKey> {
    const keys = await this.#all(tenantId);
    return keys[keys.length - 1]!;
  }

  /** The key a stored value was sealed with. */
  async byVersion(tenantId: string, version: number): Promise<DataKey> {
    const key = (await this.#all(tenantId)).find((k) => k.version === version);
    if (!key) throw new Error(`no data key ${version} for tenant ${tenantId}`);
    return key;
  }

  /**
   * Every version of the tenant's data key, loaded once. Code that must open
   * a value inside a transaction fetches the keys before it: on PGlite, with
   * one connection, a key query inside another transaction would wait forever.
   */
  async all(tenantId: string): Promise<readonly DataKey[]> {
    return this.#all(tenantId);
  }

  /** Keyed hash of a normalised subject key (e-mail, phone): finds a person's records without decrypting. */
  async blindIndex(tenantId: string, field: 'email' | 'phone', normalised: string): Promise<string> {
    return createHmac('sha256', await this.derivedKey(tenantId, 'bastide blind index')).update(`${field}:${normalised}`).digest('base64url');
  }

  /**
   * A secret of the tenant for one purpose, derived from its first data key
   * (which never changes), once per tenant and purpose: it is on every
   * submission's path.
   */
  async derivedKey(tenantId: string, purpose: string): Promise<Buffer> {
    const id = `${tenantId}\u0000${purpose}`;
    let key = this.#derived.get(id);
    if (!key) {
      const first = (await this.#all(tenantId))[0]!;
      key = Buffer.from(hkdfSync('sha256', first.key, Buffer.alloc(0), purpose, 32));
      this.#derived.set(id, key);
    }
    return key;
  }

  #all(tenantId: string): Promise<DataKey[]> {
    let keys = this.#cache.get(tenantId);
    if (!keys) {
      keys = this.#load(tenantId);
      this.#cache.set(tenantId, keys);
      keys.catch(() => this.#cache.delete(tenantId));
    }
    return keys;
  }

  async #load(tenantId: string): Promise<DataKey[]> {
    let rows = await this.#rows(tenantId);
    if (rows.length === 0) {
      const current = this.#master.keys.get(this.#master.currentId)!;
      await this.#db
        .insertInto('tenant_keys')
        .values({ tenant_id: tenantId, version: 1, wrapped: seal(current, randomBytes(32), wrapAad(tenantId, 1)).toString('base64'), master_key_id: this.#master.currentId })
        .onConflict((oc) => oc.columns(['tenant_id', 'version']).doNothing())
        .execute();
      rows = await this.#rows(tenantId);
    }
    return rows.map((r) => {
      const master = this.#master.keys.get(r.master_key_id);
      if (!master) throw new Error(`master key ${r.master_key_id} is not configured: cannot open the data key of ${tenantId}`);
      return { version: r.version, key: open(master, Buffer.from(r.wrapped, 'base64'), wrapAad(tenantId, r.version)) };
    });
  }

  #rows(tenantId: string) {
    return this.#db.selectFrom('tenant_keys').select(['version', 'wrapped', 'master_key_id']).where('tenant_id', '=', tenantId).orderBy('version').execute();
  }
}

/**
 * Re-wraps every data key under the current master key. Data keys do not
 * change, so nothing else is re-encrypted and running servers go on working.
 */
export async function rewrapAll(db: Kysely<Tables>, master: MasterKeyring): Promise<{ rewrapped: number; already: number }> {
  const current = master.keys.get(master.currentId)!;
  const rows = await db.selectFrom('tenant_keys').selectAll().execute();
  let rewrapped = 0;
  for (const r of rows) {
    if (r.master_key_id === master.currentId) continue;
    const old = master.keys.get(r.master_key_id);
    if (!old) throw new Error(`la clé maîtresse « ${r.master_key_id} » manque : ajoutez-la au fichier de clés pour re-chiffrer ${r.tenant_id} v${r.version}`);
    const key = open(old, Buffer.from(r.wrapped, 'base64'), wrapAad(r.tenant_id, r.version));
    await db
      .updateTable('tenant_keys')
      .set({ wrapped: seal(current, key, wrapAad(r.tenant_id, r.version)).toString('base64'), master_key_id: master.currentId })
      .where('tenant_id', '=', r.tenant_id)
      .where('version', '=', r.version)
      .where('master_key_id', '=', r.master_key_id)
      .execute();
    rewrapped++;
  }
  return { rewrapped, already: rows.length - rewrapped };
}

/** SHA-256 for lookup tokens (tracking codes, API tokens, draft links): not secret, not reversible. */
export function lookupHash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
