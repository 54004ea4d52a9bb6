// The records one export journal entry names. An export of a list is one
// journal row (action 'export', record_id null); the records it held are
// listed here, so that the DPO's per-record journal finds the exports that
// contained a record. The row's purpose carries the count and a SHA-256 of
// the sorted ids, so the hash chain covers this list too: a row deleted or
// added here no longer matches the hash its journal row was chained with.
//
// Row-level security as on the journal: agents append (in the export's own
// transaction) but do not read; the DPO reads its tenant's; maintenance
// works one tenant at a time.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE journal_records (
      tenant_id text NOT NULL,
      seq bigint NOT NULL,
      record_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, seq, record_id),
      FOREIGN KEY (tenant_id, seq) REFERENCES journal (tenant_id, seq)
    )`);
  // No foreign key to records: the journal outlives the records it names (retention deletes them).
  await run(`CREATE INDEX journal_records_by_record ON journal_records (tenant_id, record_id)`);
  await run(`ALTER TABLE journal_records ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE journal_records FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY system_tenant ON journal_records FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON journal_records TO bastide_system`);
  await run(`GRANT INSERT ON journal_records TO bastide_agent`);
  await run(`CREATE POLICY bastide_agent_journal_records ON journal_records FOR INSERT TO bastide_agent WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT ON journal_records TO bastide_dpo`);
  await run(`CREATE POLICY bastide_dpo_journal_records ON journal_records FOR ALL TO bastide_dpo USING (${TENANT}) WITH CHECK (${TENANT})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE journal_records`).execute(db);
}
