/**
 * The database as Kysely sees it. Every table is keyed by tenant first, so
 * that a distributed PostgreSQL (Citus) can shard it by tenant later.
 */
import type { ColumnType } from 'kysely';

/** A timestamptz the database fills in by default. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: string;
  name: string;
  /** Version of the register in force; null only between creation and first version. */
  current_version: number | null;
  created_at: CreatedAt;
}

export interface RegisterVersionsTable {
  tenant_id: string;
  version: number;
  /** SHA-256 of the canonical JSON: a comment or layout change is not a new version. */
  content_hash: string;
  /** The YAML as the DPO wrote it, comments included, for the record. */
  source: string;
  /** The checked register (defaults filled in), as the platform uses it. */
  register: ColumnType<unknown, string, string>;
  loaded_at: CreatedAt;
  loaded_by: string;
}

export interface Tables {
  tenants: TenantsTable;
  register_versions: RegisterVersionsTable;
}
