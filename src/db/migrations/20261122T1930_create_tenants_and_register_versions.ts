// Tenants and their register versions: every later table hangs off a tenant,
// and every record will point at the register version it was collected under.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenants (
      id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
      name text NOT NULL,
      current_version integer,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE register_versions (
      tenant_id text NOT NULL REFERENCES tenants (id),
      version integer NOT NULL CHECK (version > 0),
      content_hash text NOT NULL,
      source text NOT NULL,
      register jsonb NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now(),
      loaded_by text NOT NULL,
      PRIMARY KEY (tenant_id, version)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE register_versions`.execute(db);
  await sql`DROP TABLE tenants`.execute(db);
}
