// Submissions written several to a statement. Under load, submissions wait
// for a connection anyway; the server now writes those of one tenant that
// are waiting together (src/records/submission-writer.ts), in one call of
// bastide_public_submissions: one round trip, one function call, one
// statement per table and one COMMIT for all of them, instead of one each.
// Alone, a submission is a batch of one and waits for nothing.
//
// The function runs as bastide_submitter, a role with no login that may
// only insert, in the tenant of the transaction, the columns of a new record
// and of what comes with it (blind indexes, security-log row, receipt); the
// role it found is back when it returns. It checks that every blind index
// and receipt names one of the records it has just inserted, so the
// existence check of those two tables (records_exist, a SECURITY DEFINER
// trigger that looked each record up again: half of PostgreSQL's time in a
// submission) is skipped for that role, by the triggers' WHEN. Everyone
// else's inserts are checked as before. (The login user, a member of the
// role, could take it: it owns the tables and could drop the triggers too;
// the roles guard against the application's mistakes, not against it.)
//
// The outbox worker may now update only the columns of its own work, never
// a message's record, so the check after an update of mail_outbox, which ran
// for each of its claims and hand-overs to find nothing to check, is
// skipped for its role.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
/** What a submission writes: a new record's columns (its status, closure and freeze are the defaults), and all of the rest. */
const COLUMNS = {
  records: 'tenant_id, id, processing_id, form_id, service_id, register_version, data, sealed, key_version, tracking_hash, submission_key, request_digest, created_at, updated_at, expires_at, expiry_action',
  record_subjects: 'tenant_id, blind_index, record_id, field',
  security_log: 'tenant_id, id, at, event, ip, processing_id, expires_at',
  mail_outbox: 'tenant_id, id, record_id, sealed, key_version, created_at, next_attempt_at, expires_at',
};
const CHECKED_BY_THE_FUNCTION = ['record_subjects', 'mail_outbox'];
const MAILER_COLUMNS = 'sealed, attempts, next_attempt_at, locked_until, lease, sent_at, failed_at, last_error';

const insertTrigger = (table: string, exceptSubmitter: boolean) =>
  `CREATE TRIGGER ${table}_record_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS added FOR EACH STATEMENT
   ${exceptSubmitter ? `WHEN (current_user <> 'bastide_submitter')` : ''} EXECUTE FUNCTION records_exist()`;
const outboxUpdateTrigger = (exceptMailer: boolean) =>
  `CREATE TRIGGER mail_outbox_record_updated AFTER UPDATE ON mail_outbox REFERENCING OLD TABLE AS before NEW TABLE AS added FOR EACH STATEMENT
   ${exceptMailer ? `WHEN (current_user <> 'bastide_mailer')` : ''} EXECUTE FUNCTION records_still_exist()`;
const inserted = (table: keyof typeof COLUMNS, from: string) =>
  `INSERT INTO ${table} (${COLUMNS[table]}) SELECT ${COLUMNS[table]} FROM jsonb_populate_recordset(NULL::${table}, ${from});`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastide_submitter') THEN CREATE ROLE bastide_submitter NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  await run(`DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT bastide_submitter TO %I', session_user); END IF;
    END $$`);
  await run(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO bastide_submitter', current_schema()); END $$`);
  for (const [table, columns] of Object.entries(COLUMNS)) {
    await run(`GRANT INSERT (${columns}) ON ${table} TO bastide_submitter`);
    await run(`CREATE POLICY submitter_insert ON ${table} FOR INSERT TO bastide_submitter WITH CHECK (${TENANT})`);
  }

  await run(
    `CREATE FUNCTION bastide_public_submissions(p_tenant text, p_records jsonb, p_subjects jsonb, p_logs jsonb, p_mails jsonb) RETURNS void
     LANGUAGE plpgsql AS $$
     DECLARE
       was_role text := current_setting('role');
       was_tenant text := current_setting('app.tenant', true);
     BEGIN
       PERFORM set_config('role', 'bastide_submitter', true);
       PERFORM set_config('app.tenant', p_tenant, true);
       -- What the skipped existence check would have refused: a blind index or a receipt of another record.
       IF EXISTS (
         SELECT FROM (SELECT x->>'record_id' FROM jsonb_array_elements(p_subjects) x
                      UNION ALL SELECT x->>'record_id' FROM jsonb_array_elements(p_mails) x) AS c(record_id)
         WHERE c.record_id IS NULL OR c.record_id NOT IN (SELECT x->>'id' FROM jsonb_array_elements(p_records) x)
       ) THEN
         RAISE EXCEPTION 'la demande référencée n’est pas de cet envoi' USING ERRCODE = 'foreign_key_violation';
       END IF;
       ${inserted('records', 'p_records')}
       ${inserted('record_subjects', 'p_subjects')}
       ${inserted('security_log', 'p_logs')}
       ${inserted('mail_outbox', 'p_mails')}
       -- Called inside a longer transaction, what follows is not the submitter's.
       PERFORM set_config('role', was_role, true);
       PERFORM set_config('app.tenant', coalesce(was_tenant, ''), true);
     END $$`,
  );
  await run(`DROP FUNCTION bastide_public_submit(text, jsonb, jsonb, jsonb, jsonb)`);
  for (const table of CHECKED_BY_THE_FUNCTION) {
    await run(`DROP TRIGGER ${table}_record_inserted ON ${table}`);
    await run(insertTrigger(table, true));
  }

  await run(`REVOKE UPDATE ON mail_outbox FROM bastide_mailer`);
  await run(`GRANT UPDATE (${MAILER_COLUMNS}) ON mail_outbox TO bastide_mailer`);
  await run(`DROP TRIGGER mail_outbox_record_updated ON mail_outbox`);
  await run(outboxUpdateTrigger(true));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER mail_outbox_record_updated ON mail_outbox`);
  await run(outboxUpdateTrigger(false));
  await run(`REVOKE UPDATE (${MAILER_COLUMNS}) ON mail_outbox FROM bastide_mailer`);
  await run(`GRANT UPDATE ON mail_outbox TO bastide_mailer`);
  for (const table of CHECKED_BY_THE_FUNCTION) {
    await run(`DROP TRIGGER ${table}_record_inserted ON ${table}`);
    await run(insertTrigger(table, false));
  }
  await run(
    `CREATE FUNCTION bastide_public_submit(p_tenant text, p_record jsonb, p_subjects jsonb, p_log jsonb, p_mail jsonb) RETURNS void
     LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM set_config('role', 'bastide_public', true);
       PERFORM set_config('app.tenant', p_tenant, true);
       INSERT INTO records SELECT * FROM jsonb_populate_record(NULL::records, p_record);
       INSERT INTO record_subjects SELECT * FROM jsonb_populate_recordset(NULL::record_subjects, p_subjects);
       IF p_log IS NOT NULL THEN
         INSERT INTO security_log SELECT * FROM jsonb_populate_record(NULL::security_log, p_log);
       END IF;
       IF p_mail IS NOT NULL THEN
         INSERT INTO mail_outbox (tenant_id, id, record_id, sealed, key_version, created_at, next_attempt_at, expires_at)
           SELECT tenant_id, id, record_id, sealed, key_version, created_at, next_attempt_at, expires_at
           FROM jsonb_populate_record(NULL::mail_outbox, p_mail);
       END IF;
     END $$`,
  );
  await run(`DROP FUNCTION bastide_public_submissions(text, jsonb, jsonb, jsonb, jsonb)`);
  for (const [table, columns] of Object.entries(COLUMNS)) {
    await run(`DROP POLICY submitter_insert ON ${table}`);
    await run(`REVOKE INSERT (${columns}) ON ${table} FROM bastide_submitter`);
  }
  await run(`DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM bastide_submitter', current_schema()); END $$`);
}
