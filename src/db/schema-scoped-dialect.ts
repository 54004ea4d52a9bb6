/**
 * A PostgreSQL dialect whose introspection sees one schema only.
 *
 * Kysely's migrator asks the introspector for every table of the server to learn whether its
 * bookkeeping table exists. That query calls functions on each schema's name, and fails with
 * `schema "…" does not exist` when another process (a test file, a benchmark) drops its own schema
 * meanwhile. Asking about our schema alone removes the race instead of retrying it.
 */
import { sql, type DatabaseIntrospector, type Dialect, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

class SchemaScopedIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ${this.schema}`.execute(this.db);
    return rows;
  }

  /** Names only: the migrator needs no columns, and reading them is what races. */
  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string }>`SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = ${this.schema}`.execute(this.db);
    return rows.map((r) => ({ name: r.name, schema: this.schema, isView: false, isForeign: false, columns: [] }));
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() };
  }
}

export function schemaScopedDialect(inner: Dialect, schema: string): Dialect {
  return {
    createDriver: () => inner.createDriver(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => new SchemaScopedIntrospector(db, schema),
  };
}
