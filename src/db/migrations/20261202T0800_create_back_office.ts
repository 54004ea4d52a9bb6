// The back office: server-side sessions (agents now, citizens later), sign-in
// lockout and the TOTP second factor on accounts, single-use links (password
// reset, invitation), and on records what agents do with them: who holds a
// request (claim), private notes and replies to the citizen, both sealed.
//
// Sessions, links and recovery codes are looked up before anyone is known,
// like accounts and API tokens, so they are read by the owner role and hold
// only hashes of their secrets. Notes and replies hang off records and are
// seen under the same row-level security as the record they belong to.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SERVICES = `service_id = ANY (string_to_array(current_setting('app.services', true), ','))`;
const OWN_RECORDS = `record_id IN (SELECT id FROM records WHERE ${TENANT} AND ${SERVICES})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);

  await run(`
    ALTER TABLE agents
      ADD COLUMN display_name text,
      ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0,
      ADD COLUMN locked_until timestamptz,
      ADD COLUMN totp_sealed text,
      ADD COLUMN totp_key_version integer,
      ADD COLUMN totp_enabled_at timestamptz,
      ADD COLUMN totp_last_step bigint`);

  await run(`
    CREATE TABLE sessions (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id_hash text NOT NULL,
      account_kind text NOT NULL CHECK (account_kind IN ('agent', 'citizen')),
      account_id uuid NOT NULL,
      stage text NOT NULL CHECK (stage IN ('second-factor', 'enrol', 'active')),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL,
      idle_expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (tenant_id, id_hash)
    )`);
  await run(`CREATE INDEX sessions_by_account ON sessions (tenant_id, account_kind, account_id)`);
  await run(`CREATE INDEX sessions_by_expiry ON sessions (absolute_expires_at)`);

  await run(`
    CREATE TABLE recovery_codes (
      tenant_id text NOT NULL,
      agent_id uuid NOT NULL,
      code_hash text NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (tenant_id, agent_id, code_hash),
      FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
    )`);

  await run(`
    CREATE TABLE account_links (
      tenant_id text NOT NULL REFERENCES tenants (id),
      token_hash text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('reset', 'invitation', 'confirmation')),
      account_kind text NOT NULL CHECK (account_kind IN ('agent', 'citizen')),
      account_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (tenant_id, token_hash)
    )`);
  await run(`CREATE INDEX account_links_by_account ON account_links (tenant_id, account_kind, account_id)`);

  await run(`ALTER TABLE records ADD COLUMN claimed_by uuid, ADD COLUMN claimed_at timestamptz`);
  await run(`CREATE INDEX records_by_status ON records (tenant_id, service_id, status, created_at DESC)`);
  await run(`CREATE INDEX records_by_holder ON records (tenant_id, claimed_by) WHERE claimed_by IS NOT NULL`);
  await run(`GRANT UPDATE (claimed_by, claimed_at) ON records TO bastide_agent`);

  for (const table of ['record_notes', 'record_replies']) {
    await run(`
      CREATE TABLE ${table} (
        tenant_id text NOT NULL,
        id uuid NOT NULL,
        record_id uuid NOT NULL,
        author_id uuid,
        author text NOT NULL,
        sealed text NOT NULL,
        key_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE
      )`);
    await run(`CREATE INDEX ${table}_by_record ON ${table} (tenant_id, record_id, created_at)`);
    await run(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await run(`CREATE POLICY system_tenant ON ${table} FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
    await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bastide_system`);
    await run(`GRANT SELECT, INSERT ON ${table} TO bastide_agent`);
    await run(`CREATE POLICY agent_services ON ${table} FOR ALL TO bastide_agent USING (${TENANT} AND ${OWN_RECORDS}) WITH CHECK (${TENANT} AND ${OWN_RECORDS})`);
  }
  // A reply goes out through the outbox, queued by the agent in the same transaction.
  await run(`GRANT INSERT ON mail_outbox TO bastide_agent`);
  await run(`CREATE POLICY agent_insert ON mail_outbox FOR INSERT TO bastide_agent WITH CHECK (${TENANT} AND ${OWN_RECORDS})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP POLICY agent_insert ON mail_outbox`);
  await run(`REVOKE INSERT ON mail_outbox FROM bastide_agent`);
  await run(`DROP TABLE record_replies`);
  await run(`DROP TABLE record_notes`);
  await run(`DROP INDEX records_by_holder`);
  await run(`DROP INDEX records_by_status`);
  await run(`ALTER TABLE records DROP COLUMN claimed_by, DROP COLUMN claimed_at`);
  await run(`DROP TABLE account_links`);
  await run(`DROP TABLE recovery_codes`);
  await run(`DROP TABLE sessions`);
  await run(`ALTER TABLE agents DROP COLUMN display_name, DROP COLUMN failed_sign_ins, DROP COLUMN locked_until, DROP COLUMN totp_sealed, DROP COLUMN totp_key_version, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step`);
}
