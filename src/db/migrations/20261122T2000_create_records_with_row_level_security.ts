// Records and everything hanging off them, with need-to-know enforced by
// PostgreSQL row-level security: in an agent's transaction only the rows of
// its tenant and its services exist. Application code runs record queries
// under the non-owner roles created here (SET LOCAL ROLE), never as owner.
import { sql, type Kysely } from 'kysely';

const ROLES = ['bastide_public', 'bastide_agent', 'bastide_dpo', 'bastide_system'];

/** Roles are cluster-wide: created once, tolerating another process creating them at the same moment. */
async function createRoles(db: Kysely<unknown>): Promise<void> {
  for (const role of ROLES) {
    await sql
      .raw(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$`,
      )
      .execute(db);
    // A non-superuser owner must be a member to SET ROLE; a superuser already may.
    await sql
      .raw(
        `DO $$ BEGIN
           IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT ${role} TO %I', session_user); END IF;
         END $$`,
      )
      .execute(db);
  }
  await sql.raw(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${ROLES.join(', ')}', current_schema()); END $$`).execute(db);
}

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SERVICES = `service_id = ANY (string_to_array(current_setting('app.services', true), ','))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await createRoles(db);
  const run = (text: string) => sql.raw(text).execute(db);

  await run(`
    CREATE TABLE tenant_keys (
      tenant_id text NOT NULL REFERENCES tenants (id),
      version integer NOT NULL,
      wrapped text NOT NULL,
      master_key_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, version)
    )`);

  await run(`
    CREATE TABLE agents (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('agent', 'dpo', 'admin')),
      password_hash text,
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, email)
    )`);
  await run(`
    CREATE TABLE agent_services (
      tenant_id text NOT NULL,
      agent_id uuid NOT NULL,
      service_id text NOT NULL,
      PRIMARY KEY (tenant_id, agent_id, service_id),
      FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`
    CREATE TABLE api_tokens (
      tenant_id text NOT NULL,
      token_hash text NOT NULL,
      agent_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      PRIMARY KEY (tenant_id, token_hash),
      FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
    )`);

  await run(`
    CREATE TABLE records (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      processing_id text NOT NULL,
      form_id text NOT NULL,
      service_id text NOT NULL,
      register_version integer NOT NULL,
      status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'in-progress', 'done', 'rejected')),
      data jsonb NOT NULL,
      sealed text,
      key_version integer,
      tracking_hash text NOT NULL,
      submission_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      expires_at timestamptz,
      frozen boolean NOT NULL DEFAULT false,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, tracking_hash),
      UNIQUE (tenant_id, submission_key)
    )`);
  await run(`CREATE INDEX records_by_service ON records (tenant_id, service_id, created_at DESC)`);
  await run(`CREATE INDEX records_by_expiry ON records (tenant_id, expires_at) WHERE expires_at IS NOT NULL`);

  await run(`
    CREATE TABLE record_subjects (
      tenant_id text NOT NULL,
      blind_index text NOT NULL,
      record_id uuid NOT NULL,
      field text NOT NULL,
      PRIMARY KEY (tenant_id, blind_index, record_id, field),
      FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`CREATE INDEX record_subjects_by_record ON record_subjects (tenant_id, record_id)`);

  await run(`
    CREATE TABLE drafts (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      form_id text NOT NULL,
      token_hash text NOT NULL,
      sealed text NOT NULL,
      key_version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, token_hash)
    )`);
  await run(`CREATE INDEX drafts_by_expiry ON drafts (tenant_id, expires_at)`);

  await run(`
    CREATE TABLE uploads (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      record_id uuid,
      draft_id uuid,
      field text NOT NULL,
      media_type text NOT NULL,
      size integer NOT NULL,
      sealed_name text NOT NULL,
      sealed bytea NOT NULL,
      key_version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, draft_id) REFERENCES drafts (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`CREATE INDEX uploads_by_record ON uploads (tenant_id, record_id)`);

  await run(`
    CREATE TABLE journal (
      tenant_id text NOT NULL REFERENCES tenants (id),
      seq bigint NOT NULL,
      at timestamptz NOT NULL,
      actor_id uuid,
      actor text NOT NULL,
      action text NOT NULL,
      record_id uuid,
      purpose text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (tenant_id, seq)
    )`);
  await run(`CREATE INDEX journal_by_record ON journal (tenant_id, record_id)`);
  await run(`CREATE INDEX journal_by_actor ON journal (tenant_id, actor_id)`);
  await run(`
    CREATE TABLE journal_heads (
      tenant_id text PRIMARY KEY REFERENCES tenants (id),
      seq bigint NOT NULL,
      hash text NOT NULL
    )`);

  await run(`
    CREATE TABLE security_log (
      tenant_id text NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      event text NOT NULL,
      ip text NOT NULL,
      processing_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`);
  await run(`CREATE INDEX security_log_by_expiry ON security_log (tenant_id, expires_at)`);

  for (const table of ['records', 'record_subjects', 'drafts', 'uploads', 'journal', 'journal_heads', 'security_log']) {
    await run(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    // Maintenance (retention, rights fulfilment, key rotation) works one tenant at a time.
    await run(`CREATE POLICY system_tenant ON ${table} FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
    await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bastide_system`);
  }

  // Citizens: submit into their tenant; read back only the record whose tracking code they hold.
  await run(`GRANT INSERT ON records, record_subjects, uploads, security_log TO bastide_public`);
  await run(`GRANT SELECT (tenant_id, id, form_id, processing_id, status, created_at, updated_at, closed_at, tracking_hash) ON records TO bastide_public`);
  await run(`CREATE POLICY public_insert ON records FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  await run(`CREATE POLICY public_track ON records FOR SELECT TO bastide_public USING (${TENANT} AND tracking_hash = current_setting('app.tracking', true))`);
  await run(`CREATE POLICY public_insert ON record_subjects FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  await run(`CREATE POLICY public_insert ON uploads FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  await run(`CREATE POLICY public_insert ON security_log FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO bastide_public`);
  await run(`CREATE POLICY public_drafts ON drafts FOR ALL TO bastide_public USING (${TENANT} AND token_hash = current_setting('app.draft', true)) WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, UPDATE, DELETE ON uploads TO bastide_public`);
  await run(`CREATE POLICY public_draft_uploads ON uploads FOR ALL TO bastide_public USING (${TENANT} AND draft_id IS NOT NULL AND draft_id IN (SELECT id FROM drafts WHERE ${TENANT} AND token_hash = current_setting('app.draft', true)))`);

  // Agents: the records of their services, nothing else; they may change a record's status only.
  await run(`GRANT SELECT ON records TO bastide_agent`);
  await run(`GRANT UPDATE (status, updated_at, closed_at, expires_at) ON records TO bastide_agent`);
  await run(`CREATE POLICY agent_services ON records FOR ALL TO bastide_agent USING (${TENANT} AND ${SERVICES})`);
  await run(`GRANT SELECT ON uploads TO bastide_agent`);
  await run(`CREATE POLICY agent_uploads ON uploads FOR SELECT TO bastide_agent USING (${TENANT} AND record_id IN (SELECT id FROM records WHERE ${TENANT} AND ${SERVICES}))`);

  // Every read appends to the journal, in the reader's own transaction.
  for (const role of ['bastide_agent', 'bastide_dpo']) {
    await run(`GRANT SELECT, INSERT ON journal TO ${role}`);
    await run(`GRANT SELECT, INSERT, UPDATE ON journal_heads TO ${role}`);
    await run(
      role === 'bastide_dpo'
        ? `CREATE POLICY ${role}_journal ON journal FOR ALL TO ${role} USING (${TENANT}) WITH CHECK (${TENANT})`
        : `CREATE POLICY ${role}_journal ON journal FOR INSERT TO ${role} WITH CHECK (${TENANT})`,
    );
    await run(`CREATE POLICY ${role}_heads ON journal_heads FOR ALL TO ${role} USING (${TENANT}) WITH CHECK (${TENANT})`);
  }
  // INSERT … RETURNING and ON CONFLICT need SELECT on the rows concerned for the agent too.
  await run(`CREATE POLICY bastide_agent_journal_read ON journal FOR SELECT TO bastide_agent USING (${TENANT} AND actor_id::text = current_setting('app.agent', true))`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['security_log', 'journal_heads', 'journal', 'uploads', 'drafts', 'record_subjects', 'records', 'api_tokens', 'agent_services', 'agents', 'tenant_keys'])
    await sql.raw(`DROP TABLE ${table}`).execute(db);
}
