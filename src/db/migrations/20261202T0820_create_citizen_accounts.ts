// Citizen accounts (issue 7, item 4).
//
// `citizens` is looked up before anyone is known (sign-in, links), like
// `agents`, so it is read by the owner role. It holds no e-mail in clear:
// the address is sealed under the tenant key, and found by its blind index,
// the same keyed hash that `record_subjects` holds for a request's e-mail,
// which is how "Mes demandes" finds requests sent before the account.
//
// `citizen_records` links a request sent while signed in to the account (and
// keeps its tracking code, sealed). Deleting the account deletes the links,
// never by itself the requests.
//
// A new non-owner role, bastide_citizen, reads a citizen's own requests: those
// linked to its account (`app.citizen`) or bearing its confirmed e-mail's
// blind index (`app.subjects`), their replies and the journal entries about
// them, and journals its own reads. It erases, on account deletion, only
// what the application chose and nothing frozen.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const ME = `citizen_id::text = current_setting('app.citizen', true)`;
const MY_SUBJECTS = `blind_index = ANY (string_to_array(current_setting('app.subjects', true), ','))`;
const OWN = `(id IN (SELECT record_id FROM citizen_records WHERE ${TENANT} AND ${ME})
  OR id IN (SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${MY_SUBJECTS}))`;
const OWN_RECORDS = `record_id IN (SELECT id FROM records WHERE ${TENANT})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);

  await run(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastide_citizen') THEN CREATE ROLE bastide_citizen NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  await run(`
    DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT bastide_citizen TO %I', session_user); END IF;
    END $$`);
  await run(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO bastide_citizen', current_schema()); END $$`);

  await run(`
    CREATE TABLE citizens (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      email_index text NOT NULL,
      pending_index text,
      sealed text NOT NULL,
      key_version integer NOT NULL,
      password_hash text NOT NULL,
      confirmed_at timestamptz,
      failed_sign_ins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_sign_in_at timestamptz,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, email_index)
    )`);
  await run(`CREATE INDEX citizens_by_expiry ON citizens (expires_at)`);

  await run(`
    CREATE TABLE citizen_records (
      tenant_id text NOT NULL,
      citizen_id uuid NOT NULL,
      record_id uuid NOT NULL,
      tracking_sealed text,
      key_version integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, citizen_id, record_id),
      FOREIGN KEY (tenant_id, citizen_id) REFERENCES citizens (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`CREATE INDEX citizen_records_by_record ON citizen_records (tenant_id, record_id)`);
  await run(`ALTER TABLE citizen_records ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE citizen_records FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY system_tenant ON citizen_records FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON citizen_records TO bastide_system`);
  await run(`GRANT SELECT, INSERT ON citizen_records TO bastide_citizen`);
  await run(`CREATE POLICY citizen_own ON citizen_records FOR ALL TO bastide_citizen USING (${TENANT} AND ${ME}) WITH CHECK (${TENANT} AND ${ME})`);

  // The requests: no claim (an agent's id), no submission key or tracking hash.
  await run(
    `GRANT SELECT (tenant_id, id, processing_id, form_id, service_id, register_version, status, data, sealed, key_version, created_at, updated_at, closed_at, expires_at, frozen) ON records TO bastide_citizen`,
  );
  await run(`CREATE POLICY citizen_own ON records FOR SELECT TO bastide_citizen USING (${TENANT} AND ${OWN})`);
  await run(`GRANT DELETE ON records TO bastide_citizen`);
  await run(`CREATE POLICY citizen_erase ON records FOR DELETE TO bastide_citizen USING (${TENANT} AND ${OWN} AND NOT frozen)`);
  await run(`GRANT SELECT ON record_subjects TO bastide_citizen`);
  await run(`CREATE POLICY citizen_subjects ON record_subjects FOR SELECT TO bastide_citizen USING (${TENANT} AND ${MY_SUBJECTS})`);

  // Replies, without the agent who wrote them.
  await run(`GRANT SELECT (tenant_id, id, record_id, sealed, key_version, created_at) ON record_replies TO bastide_citizen`);
  await run(`CREATE POLICY citizen_replies ON record_replies FOR SELECT TO bastide_citizen USING (${TENANT} AND ${OWN_RECORDS})`);

  // Who consulted: the entries about its requests (and exports naming them), without the reader's e-mail.
  await run(`GRANT SELECT ON journal_records TO bastide_citizen`);
  await run(`CREATE POLICY citizen_journal_records ON journal_records FOR SELECT TO bastide_citizen USING (${TENANT} AND ${OWN_RECORDS})`);
  await run(`GRANT SELECT (tenant_id, seq, at, actor_id, action, record_id, purpose) ON journal TO bastide_citizen`);
  await run(
    `CREATE POLICY citizen_journal ON journal FOR SELECT TO bastide_citizen USING (${TENANT} AND (${OWN_RECORDS} OR seq IN (SELECT seq FROM journal_records WHERE ${TENANT})))`,
  );
  // Its own reads are journaled like any other, in its transaction.
  await run(`GRANT INSERT ON journal TO bastide_citizen`);
  await run(`CREATE POLICY citizen_journal_insert ON journal FOR INSERT TO bastide_citizen WITH CHECK (${TENANT} AND actor_id::text = current_setting('app.citizen', true))`);
  await run(`GRANT SELECT, INSERT, UPDATE ON journal_heads TO bastide_citizen`);
  await run(`CREATE POLICY citizen_heads ON journal_heads FOR ALL TO bastide_citizen USING (${TENANT}) WITH CHECK (${TENANT})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP POLICY citizen_heads ON journal_heads`);
  await run(`DROP POLICY citizen_journal_insert ON journal`);
  await run(`DROP POLICY citizen_journal ON journal`);
  await run(`DROP POLICY citizen_journal_records ON journal_records`);
  await run(`DROP POLICY citizen_replies ON record_replies`);
  await run(`DROP POLICY citizen_subjects ON record_subjects`);
  await run(`DROP POLICY citizen_erase ON records`);
  await run(`DROP POLICY citizen_own ON records`);
  await run(`REVOKE ALL ON records, record_subjects, record_replies, journal, journal_heads, journal_records FROM bastide_citizen`);
  await run(`DROP TABLE citizen_records`);
  await run(`DROP TABLE citizens`);
}
