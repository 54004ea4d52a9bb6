/** All SQL about tenants and their register versions. */
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { Register } from './schema.ts';

export interface RegisterVersion {
  tenantId: string;
  version: number;
  hash: string;
  loadedAt: Date;
  loadedBy: string;
}

export interface LoadedRegister extends RegisterVersion {
  register: Register;
}

export type NewVersion = { version: number; created: boolean };

/**
 * Records `register` as the tenant's current version unless its content is the
 * current one already. The tenant row is locked so that two loads at once
 * cannot both take the same version number.
 */
export async function saveVersion(
  db: Kysely<Tables>,
  input: { register: Register; hash: string; canonical: string; source: string; loadedBy: string },
): Promise<NewVersion> {
  const tenantId = input.register.tenant.id;
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('tenants')
      .values({ id: tenantId, name: input.register.tenant.name, current_version: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const tenant = await trx.selectFrom('tenants').select('current_version').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    if (tenant.current_version !== null) {
      const current = await trx
        .selectFrom('register_versions')
        .select('content_hash')
        .where('tenant_id', '=', tenantId)
        .where('version', '=', tenant.current_version)
        .executeTakeFirstOrThrow();
      if (current.content_hash === input.hash) return { version: tenant.current_version, created: false };
    }
    const last = await trx
      .selectFrom('register_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    const version = Number(last?.max ?? 0) + 1;
    await trx
      .insertInto('register_versions')
      .values({
        tenant_id: tenantId,
        version,
        content_hash: input.hash,
        source: input.source,
        register: input.canonical,
        loaded_by: input.loadedBy,
      })
      .execute();
    // A tenant's first version: no record exists yet, so every date already follows it (src/retention/expiry-changes.ts).
    await trx
      .updateTable('tenants')
      .set({ current_version: version, name: input.register.tenant.name, expiries_version: sql<number>`coalesce(expiries_version, ${version}::int)` })
      .where('id', '=', tenantId)
      .execute();
    return { version, created: true };
  });
}

export async function currentVersionNumber(db: Kysely<Tables>, tenantId: string): Promise<number | undefined> {
  const row = await db.selectFrom('tenants').select('current_version').where('id', '=', tenantId).executeTakeFirst();
  return row?.current_version ?? undefined;
}

export async function loadVersion(db: Kysely<Tables>, tenantId: string, version: number): Promise<LoadedRegister | undefined> {
  const row = await db
    .selectFrom('register_versions')
    .select(['tenant_id', 'version', 'content_hash', 'register', 'loaded_at', 'loaded_by'])
    .where('tenant_id', '=', tenantId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    tenantId: row.tenant_id,
    version: row.version,
    hash: row.content_hash,
    loadedAt: new Date(row.loaded_at),
    loadedBy: row.loaded_by,
    register: (typeof row.register === 'string' ? JSON.parse(row.register) : row.register) as Register,
  };
}

/** Every version of the tenant's register, newest first. */
export async function listVersions(db: Kysely<Tables>, tenantId: string): Promise<RegisterVersion[]> {
  const rows = await db
    .selectFrom('register_versions')
    .select(['tenant_id', 'version', 'content_hash', 'loaded_at', 'loaded_by'])
    .where('tenant_id', '=', tenantId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, version: r.version, hash: r.content_hash, loadedAt: new Date(r.loaded_at), loadedBy: r.loaded_by }));
}

export async function listTenants(db: Kysely<Tables>): Promise<Array<{ id: string; name: string; currentVersion: number | null }>> {
  const rows = await db.selectFrom('tenants').select(['id', 'name', 'current_version']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, currentVersion: r.current_version }));
}
