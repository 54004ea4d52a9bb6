// Consent proofs and audience measurement (issue 10).
//
// consent_proofs: one row per choice a visitor makes in the banner, the panel,
// the cookies page or an embed's placeholder: a random consent id (the same
// across a visitor's later changes), the choices, the register version and a
// hash of the exact text shown. Nothing about the person: no IP address, no
// browser. Written by the public role, read by the DPO.
//
// audience_hits: raw page views, kept only until the daily aggregation (the
// visitor is a keyed hash of the cookie's id that changes every day; no IP).
// audience_days / _pages / _referrers / _forms: the aggregated statistics,
// readable by the agents of the service the register names for them, and
// kept as long as the audience processing says (25 months at most).
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const MY_SERVICE = `${TENANT} AND service_id = ANY (string_to_array(current_setting('app.services', true), ','))`;

const AGGREGATES: Record<string, string> = {
  audience_days: `day date NOT NULL, service_id text NOT NULL, page_views bigint NOT NULL, visits bigint NOT NULL,
      visitors bigint NOT NULL, new_visitors bigint NOT NULL, PRIMARY KEY (tenant_id, day)`,
  audience_pages: `day date NOT NULL, service_id text NOT NULL, path text NOT NULL, views bigint NOT NULL,
      PRIMARY KEY (tenant_id, day, path)`,
  audience_referrers: `day date NOT NULL, service_id text NOT NULL, host text NOT NULL, visits bigint NOT NULL,
      PRIMARY KEY (tenant_id, day, host)`,
  audience_forms: `day date NOT NULL, service_id text NOT NULL, form_id text NOT NULL, viewed bigint NOT NULL, submitted bigint NOT NULL,
      PRIMARY KEY (tenant_id, day, form_id)`,
};

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE consent_proofs (
      tenant_id text NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      consent_id uuid NOT NULL,
      choices jsonb NOT NULL,
      register_version integer NOT NULL,
      config_hash text NOT NULL,
      text_hash text,
      lang text NOT NULL CHECK (lang IN ('fr', 'en')),
      source text NOT NULL CHECK (source IN ('banner', 'panel', 'page', 'embed', 'api')),
      site text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`);
  await run(`CREATE INDEX consent_proofs_by_consent ON consent_proofs (tenant_id, consent_id)`);
  await run(`CREATE INDEX consent_proofs_by_date ON consent_proofs (tenant_id, created_at)`);

  await run(`
    CREATE TABLE audience_hits (
      tenant_id text NOT NULL,
      at timestamptz NOT NULL,
      visitor bigint,
      new_visitor boolean NOT NULL,
      path text NOT NULL,
      referrer text,
      form_id text,
      event text CHECK (event IN ('form-viewed', 'form-submitted'))
    )`);
  await run(`CREATE INDEX audience_hits_by_date ON audience_hits (tenant_id, at)`);
  for (const [table, columns] of Object.entries(AGGREGATES)) await run(`CREATE TABLE ${table} (tenant_id text NOT NULL, ${columns})`);

  for (const table of ['consent_proofs', 'audience_hits', ...Object.keys(AGGREGATES)]) {
    await run(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bastide_system`);
    await run(`CREATE POLICY system_tenant ON ${table} FOR ALL TO bastide_system USING (${TENANT}) WITH CHECK (${TENANT})`);
  }
  for (const table of ['consent_proofs', 'audience_hits']) {
    await run(`GRANT INSERT ON ${table} TO bastide_public`);
    await run(`CREATE POLICY public_insert ON ${table} FOR INSERT TO bastide_public WITH CHECK (${TENANT})`);
  }
  await run(`GRANT SELECT ON consent_proofs TO bastide_dpo`);
  await run(`CREATE POLICY dpo_read ON consent_proofs FOR SELECT TO bastide_dpo USING (${TENANT})`);
  for (const table of Object.keys(AGGREGATES)) {
    await run(`GRANT SELECT ON ${table} TO bastide_agent`);
    await run(`CREATE POLICY agent_service ON ${table} FOR SELECT TO bastide_agent USING (${MY_SERVICE})`);
  }
  await run(`ALTER TABLE retention_runs ADD COLUMN consent_proofs_deleted bigint NOT NULL DEFAULT 0`);
  await run(`ALTER TABLE retention_runs ADD COLUMN audience_days_deleted bigint NOT NULL DEFAULT 0`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['consent_proofs', 'audience_hits', ...Object.keys(AGGREGATES)]) await sql.raw(`DROP TABLE ${table}`).execute(db);
  await sql.raw(`ALTER TABLE retention_runs DROP COLUMN consent_proofs_deleted, DROP COLUMN audience_days_deleted`).execute(db);
}
