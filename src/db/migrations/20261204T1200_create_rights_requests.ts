// The rights desk (issue 9, src/rights/).
//
// rights_requests: one row per request a person makes (access, erasure…).
// Nothing personal in clear: the address, phone, details and the DPO's
// written reasons are sealed under the tenant key; the address is found by
// its blind index, the same keyed hash `record_subjects` holds, so that a
// person's records are found without decrypting anything. The outcome keeps
// record ids and the register's reasons only.
//
// bastide_rights: the role a request is fulfilled under. It sees the records
// of one person only (the blind indexes in `app.subjects`, archives
// included), may freeze them (restriction) or delete them (erasure, which
// the deletion trigger writes to the erasure ledger; a held record cannot
// go), and journals what it does. A bug in the fulfilment code cannot reach
// anyone else's records.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SUBJECTS = `blind_index = ANY (string_to_array(current_setting('app.subjects', true), ','))`;
const THEIRS = `id IN (SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${SUBJECTS})`;
const THEIR_RECORDS = `record_id IN (SELECT id FROM records WHERE ${TENANT})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE rights_requests (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      type text NOT NULL CHECK (type IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'portability')),
      state text NOT NULL CHECK (state IN ('awaiting-verification', 'open', 'done')),
      subject_index text NOT NULL,
      phone_index text,
      scope_processing text,
      scope_tracking_hash text,
      sealed text NOT NULL,
      key_version integer NOT NULL,
      received_at timestamptz NOT NULL,
      verify_token_hash text UNIQUE,
      verify_expires_at timestamptz,
      verified_at timestamptz,
      verified_by text,
      due_at timestamptz,
      extended_at timestamptz,
      reminded_at timestamptz,
      fulfilled_at timestamptz,
      fulfilled_by text,
      outcome jsonb,
      answer_token_hash text UNIQUE,
      answer_expires_at timestamptz,
      answer_sealed text,
      answer_key_version integer,
      restriction_lifted_at timestamptz,
      last_error text,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      CHECK (state = 'awaiting-verification' OR verified_at IS NOT NULL),
      CHECK (state <> 'done' OR fulfilled_at IS NOT NULL)
    )`);
  await run(`CREATE INDEX rights_requests_queue ON rights_requests (tenant_id, state, due_at)`);
  await run(`CREATE INDEX rights_requests_by_subject ON rights_requests (tenant_id, subject_index)`);
  await run(`CREATE INDEX rights_requests_by_expiry ON rights_requests (expires_at)`);
  await run(`ALTER TABLE rights_requests ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE rights_requests FORCE ROW LEVEL SECURITY`);
  // Intake and the link in the e-mail run as the system of the tenant; the DPO works the queue.
  await run(`CREATE POLICY system_tenant ON rights_requests FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON rights_requests TO bastide_system`);
  await run(`CREATE POLICY dpo_tenant ON rights_requests FOR ALL TO bastide_dpo USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, UPDATE ON rights_requests TO bastide_dpo`);
  await run(`GRANT INSERT ON mail_outbox TO bastide_dpo`);
  await run(`CREATE POLICY dpo_mail ON mail_outbox FOR INSERT TO bastide_dpo WITH CHECK (${TENANT})`);

  await run(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastide_rights') THEN CREATE ROLE bastide_rights NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  await run(`
    DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT bastide_rights TO %I', session_user); END IF;
    END $$`);
  await run(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO bastide_rights', current_schema()); END $$`);

  await run(`GRANT SELECT ON record_subjects TO bastide_rights`);
  await run(`CREATE POLICY rights_subjects ON record_subjects FOR SELECT TO bastide_rights USING (${TENANT} AND ${SUBJECTS})`);
  await run(`GRANT SELECT, DELETE ON records TO bastide_rights`);
  await run(`GRANT UPDATE (frozen, updated_at, data, sealed, key_version) ON records TO bastide_rights`);
  await run(`CREATE POLICY rights_records ON records FOR ALL TO bastide_rights USING (${TENANT} AND ${THEIRS})`);
  for (const table of ['uploads', 'record_replies']) {
    await run(`GRANT SELECT ON ${table} TO bastide_rights`);
    await run(`CREATE POLICY rights_${table} ON ${table} FOR SELECT TO bastide_rights USING (${TENANT} AND ${THEIR_RECORDS})`);
  }
  await run(`GRANT SELECT ON record_holds TO bastide_rights`);
  await run(`CREATE POLICY rights_holds ON record_holds FOR SELECT TO bastide_rights USING (${TENANT} AND ${THEIR_RECORDS})`);
  await run(`GRANT SELECT, INSERT ON journal_records TO bastide_rights`);
  await run(`CREATE POLICY rights_journal_records ON journal_records FOR SELECT TO bastide_rights USING (${TENANT} AND ${THEIR_RECORDS})`);
  await run(`CREATE POLICY rights_journal_records_insert ON journal_records FOR INSERT TO bastide_rights WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT ON journal TO bastide_rights`);
  await run(`CREATE POLICY rights_journal ON journal FOR SELECT TO bastide_rights USING (${TENANT} AND (${THEIR_RECORDS} OR seq IN (SELECT seq FROM journal_records WHERE ${TENANT})))`);
  await run(`CREATE POLICY rights_journal_insert ON journal FOR INSERT TO bastide_rights WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE ON journal_heads TO bastide_rights`);
  await run(`CREATE POLICY rights_heads ON journal_heads FOR ALL TO bastide_rights USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, UPDATE ON rights_requests TO bastide_rights`);
  await run(`CREATE POLICY rights_requests_own ON rights_requests FOR ALL TO bastide_rights USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT INSERT ON mail_outbox TO bastide_rights`);
  await run(`CREATE POLICY rights_mail ON mail_outbox FOR INSERT TO bastide_rights WITH CHECK (${TENANT})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP POLICY rights_mail ON mail_outbox`);
  await run(`DROP POLICY rights_requests_own ON rights_requests`);
  await run(`DROP POLICY rights_heads ON journal_heads`);
  await run(`DROP POLICY rights_journal_insert ON journal`);
  await run(`DROP POLICY rights_journal ON journal`);
  await run(`DROP POLICY rights_journal_records_insert ON journal_records`);
  await run(`DROP POLICY rights_journal_records ON journal_records`);
  await run(`DROP POLICY rights_holds ON record_holds`);
  await run(`DROP POLICY rights_record_replies ON record_replies`);
  await run(`DROP POLICY rights_uploads ON uploads`);
  await run(`DROP POLICY rights_records ON records`);
  await run(`DROP POLICY rights_subjects ON record_subjects`);
  await run(`REVOKE ALL ON records, record_subjects, uploads, record_replies, record_holds, journal, journal_records, journal_heads, mail_outbox, rights_requests FROM bastide_rights`);
  await run(`DROP POLICY dpo_mail ON mail_outbox`);
  await run(`REVOKE INSERT ON mail_outbox FROM bastide_dpo`);
  await run(`DROP TABLE rights_requests`);
}
