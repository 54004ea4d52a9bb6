/**
 * The register in force for each tenant, kept in memory. Versions never
 * change once written, so a version is cached for good; which version is
 * current is re-read at most every `ttlMs`, so that a register loaded by
 * another process (or another instance over the same PostgreSQL) shows up
 * within seconds without a query on every request.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { currentVersionNumber, loadVersion, type LoadedRegister } from './register-repository.ts';

interface Current {
  version: number | undefined;
  checkedAt: number;
}

const MAX_CACHED_VERSIONS = 500;

export class RegisterDirectory {
  readonly #db: Kysely<Tables>;
  readonly #ttlMs: number;
  readonly #current = new Map<string, Current>();
  readonly #versions = new Map<string, LoadedRegister>();
  readonly #pending = new Map<string, Promise<number | undefined>>();

  constructor(db: Kysely<Tables>, options: { ttlMs?: number } = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 2000;
  }

  /** The tenant's register in force, or undefined for a tenant that does not exist. */
  async current(tenantId: string): Promise<LoadedRegister | undefined> {
    const version = await this.currentVersion(tenantId);
    return version === undefined ? undefined : this.version(tenantId, version);
  }

  async currentVersion(tenantId: string): Promise<number | undefined> {
    const cached = this.#current.get(tenantId);
    if (cached && Date.now() - cached.checkedAt < this.#ttlMs) return cached.version;
    let pending = this.#pending.get(tenantId);
    if (!pending) {
      pending = currentVersionNumber(this.#db, tenantId).finally(() => this.#pending.delete(tenantId));
      this.#pending.set(tenantId, pending);
    }
    const version = await pending;
    // Unknown tenants are not remembered: anyone can invent ids, and memory must not grow with them.
    if (version === undefined) this.#current.delete(tenantId);
    else this.#current.set(tenantId, { version, checkedAt: Date.now() });
    return version;
  }

  async version(tenantId: string, version: number): Promise<LoadedRegister | undefined> {
    const key = `${tenantId}@${version}`;
    const cached = this.#versions.get(key);
    if (cached) return cached;
    const loaded = await loadVersion(this.#db, tenantId, version);
    if (loaded) {
      if (this.#versions.size >= MAX_CACHED_VERSIONS) this.#versions.delete(this.#versions.keys().next().value!);
      this.#versions.set(key, loaded);
    }
    return loaded;
  }

  /** After a load in this process: the next read sees the new version at once. */
  forget(tenantId: string): void {
    this.#current.delete(tenantId);
  }
}
