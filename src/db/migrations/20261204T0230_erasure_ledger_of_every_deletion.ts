// Every deletion of a record goes to the erasure ledger, whoever makes it:
// a retention run names itself (app.run, set in its batch's transaction), a
// citizen deleting its account leaves the run empty. A backup restore can
// then replay every erasure (ROADMAP), not only the runs'. The deletion's
// trigger (migration 20261204T0200) writes the rows, before the children go.
import { sql, type Kysely } from 'kysely';

const CHILDREN = ['record_subjects', 'uploads', 'mail_outbox', 'record_notes', 'record_replies', 'citizen_records'];
const TENANT = `tenant_id = current_setting('app.tenant', true)`;

const cascade = (ledger: boolean) => `
  CREATE OR REPLACE FUNCTION records_cascade() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM record_holds h JOIN gone g ON h.tenant_id = g.tenant_id AND h.record_id = g.id) THEN
      RAISE EXCEPTION 'une demande sous conservation pour raison juridique ne peut pas être supprimée'
        USING ERRCODE = 'foreign_key_violation', TABLE = 'record_holds';
    END IF;
    ${
      ledger
        ? `INSERT INTO erasure_ledger (tenant_id, record_id, run_id, processing_id, action, at)
      SELECT tenant_id, id, nullif(current_setting('app.run', true), '')::uuid, processing_id, 'delete', now() FROM gone
      ON CONFLICT DO NOTHING;`
        : ''
    }
    ${CHILDREN.map((c) => `DELETE FROM ${c} x USING gone g WHERE x.tenant_id = g.tenant_id AND x.record_id = g.id;`).join('\n    ')}
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE erasure_ledger ALTER COLUMN run_id DROP NOT NULL`);
  await run(`GRANT SELECT, INSERT ON erasure_ledger TO bastide_cascade`);
  await run(`CREATE POLICY cascade_ledger ON erasure_ledger FOR ALL TO bastide_cascade USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(cascade(true));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(cascade(false));
  await run(`DROP POLICY cascade_ledger ON erasure_ledger`);
  await run(`REVOKE ALL ON erasure_ledger FROM bastide_cascade`);
  await run(`DELETE FROM erasure_ledger WHERE run_id IS NULL`);
  await run(`ALTER TABLE erasure_ledger ALTER COLUMN run_id SET NOT NULL`);
}
