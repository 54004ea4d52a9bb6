// A durable outbox: a message (the receipt of a submission, later the other
// mails) is written in the same transaction as what it is about, sealed under
// the tenant key like the record, and a worker sends it afterwards. A crash
// therefore loses no message; the worker's lease (`locked_until`, claimed with
// FOR UPDATE SKIP LOCKED) keeps two instances from sending the same one.
//
// The worker looks across tenants, so it has a role of its own that sees every
// row of this table and of no other: what it reads is sealed.
//
// `records.request_digest` lets a replayed Idempotency-Key get the original
// answer back, and a different request under the same key be told apart.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);

  await run(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastide_mailer') THEN CREATE ROLE bastide_mailer NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  await run(`
    DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT bastide_mailer TO %I', session_user); END IF;
    END $$`);
  await run(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO bastide_mailer', current_schema()); END $$`);

  await run(`
    CREATE TABLE mail_outbox (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      record_id uuid,
      sealed text,
      key_version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      sent_at timestamptz,
      failed_at timestamptz,
      last_error text,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`);
  await run(`CREATE INDEX mail_outbox_by_expiry ON mail_outbox (expires_at)`);
  await run(`CREATE INDEX mail_outbox_by_record ON mail_outbox (tenant_id, record_id)`);

  await run(`ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY system_tenant ON mail_outbox FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  // Maintenance reads (a replay's first answer) and deletes (erasure, retention); the worker does the rest.
  await run(`GRANT SELECT, DELETE ON mail_outbox TO bastide_system`);
  await run(`GRANT INSERT ON mail_outbox TO bastide_public`);
  await run(`CREATE POLICY public_insert ON mail_outbox FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, UPDATE, DELETE ON mail_outbox TO bastide_mailer`);
  await run(`CREATE POLICY mailer_all ON mail_outbox FOR ALL TO bastide_mailer USING (true) WITH CHECK (true)`);

  await run(`ALTER TABLE records ADD COLUMN request_digest text`);

  await run(`DROP FUNCTION bastide_public_submit(text, jsonb, jsonb, jsonb)`);
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION bastide_public_submit(text, jsonb, jsonb, jsonb, jsonb)`.execute(db);
  await sql`ALTER TABLE records DROP COLUMN request_digest`.execute(db);
  await sql`DROP TABLE mail_outbox`.execute(db);
}
