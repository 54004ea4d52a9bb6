// The retention engine's tables (src/retention/).
//
// record_holds: a legal hold the DPO sets on a record (litigation, unpaid
// bills), with its reason. Its foreign key RESTRICTs: nothing, retention run
// or account deletion, can delete a held record by mistake.
//
// retention_runs: one row per run of a tenant. While it runs, its lease says
// until when it is alive and who holds it (a second run meets it and stops;
// a run killed with kill -9 lets its lease lapse and the next run resumes
// it; a batch commits only while its process still holds the lease). Finished, it is
// the purge certificate: counts per processing and a digest of the ids,
// chained to the previous certificate by hash. Nothing personal in it.
//
// erasure_ledger: which record went, when, how (ids only), so that a backup
// restored later can apply the erasures made since, and a resumed run counts
// nothing twice.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE record_holds (
      tenant_id text NOT NULL,
      record_id uuid NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
      set_by text NOT NULL,
      set_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, record_id),
      FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE RESTRICT
    )`);
  await run(`
    CREATE TABLE retention_runs (
      tenant_id text NOT NULL,
      id uuid NOT NULL,
      as_of timestamptz NOT NULL,
      register_version integer NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz NOT NULL,
      lease_owner uuid NOT NULL,
      finished_at timestamptz,
      seq bigint,
      certificate text,
      prev_hash text,
      hash text,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, seq)
    )`);
  await run(`CREATE UNIQUE INDEX retention_runs_one_open ON retention_runs (tenant_id) WHERE finished_at IS NULL`);
  await run(`
    CREATE TABLE erasure_ledger (
      tenant_id text NOT NULL,
      record_id uuid NOT NULL,
      run_id uuid NOT NULL,
      processing_id text NOT NULL,
      action text NOT NULL CHECK (action IN ('delete', 'anonymise', 'archive')),
      at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, record_id, action)
    )`);
  await run(`CREATE INDEX erasure_ledger_by_run ON erasure_ledger (tenant_id, run_id, processing_id, record_id)`);
  for (const table of ['record_holds', 'retention_runs', 'erasure_ledger']) {
    await run(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await run(`CREATE POLICY system_tenant ON ${table} FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
    await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bastide_system`);
    await run(`GRANT SELECT ON ${table} TO bastide_dpo`);
    await run(`CREATE POLICY dpo_read ON ${table} FOR SELECT TO bastide_dpo USING (${TENANT})`);
  }
  await run(`GRANT INSERT, DELETE ON record_holds TO bastide_dpo`);
  await run(`CREATE POLICY dpo_holds ON record_holds FOR ALL TO bastide_dpo USING (${TENANT}) WITH CHECK (${TENANT})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE erasure_ledger, retention_runs, record_holds`).execute(db);
}
