// The platform's own logs follow the retention of the processing the
// register names for them (securityLogProcessing): the security log row by
// row, the access journal by its oldest entries.
//
// journal_checkpoints: pruning the journal removes a prefix of its hash
// chain; the checkpoint keeps the last removed entry's number and hash, so
// that `journal verify` starts from it and still detects any change after
// it. The retention certificate that pruned states the same checkpoint, and
// certificates are chained: a checkpoint moved by hand no longer matches.
//
// retention_runs gains the counts of log entries a run removed: each batch
// adds to them in its own transaction, so a run resumed after kill -9
// counts each entry once.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE journal_checkpoints (
      tenant_id text PRIMARY KEY,
      seq bigint NOT NULL,
      hash text NOT NULL,
      pruned bigint NOT NULL,
      run_id uuid NOT NULL,
      at timestamptz NOT NULL
    )`);
  await run(`ALTER TABLE journal_checkpoints ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE journal_checkpoints FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY system_tenant ON journal_checkpoints FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON journal_checkpoints TO bastide_system`);
  await run(`GRANT SELECT ON journal_checkpoints TO bastide_dpo`);
  await run(`CREATE POLICY dpo_read ON journal_checkpoints FOR SELECT TO bastide_dpo USING (${TENANT})`);
  // Counted from each entry's date by the duration in force, not the date fixed when it was written.
  await run(`CREATE INDEX security_log_by_date ON security_log (tenant_id, at)`);
  await run(`ALTER TABLE retention_runs ADD COLUMN security_log_deleted bigint NOT NULL DEFAULT 0`);
  await run(`ALTER TABLE retention_runs ADD COLUMN journal_pruned bigint NOT NULL DEFAULT 0`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE journal_checkpoints`).execute(db);
  await sql.raw(`DROP INDEX security_log_by_date`).execute(db);
  await sql.raw(`ALTER TABLE retention_runs DROP COLUMN security_log_deleted, DROP COLUMN journal_pruned`).execute(db);
}
