// Each record carries what retention does at its date (the rule that gave
// the date says it: a processing may delete most requests and archive some),
// and archived records leave the agents' view for the DPO's alone, until
// their final deletion (expires_at again).
//
// The dates are walked in (expires_at, id) order, so a retention batch is a
// range of the index that starts after the previous batch's last row.
// Existing records get their action from the next recomputation: forgetting
// which register version the dates follow makes the next `register load`,
// `serve` or retention run recompute them all.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SERVICES = `service_id = ANY (string_to_array(current_setting('app.services', true), ','))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE records ADD COLUMN expiry_action text CHECK (expiry_action IN ('delete', 'anonymise', 'archive'))`);
  await run(`ALTER TABLE records ADD COLUMN archived_at timestamptz`);
  await run(`DROP INDEX records_by_expiry`);
  await run(`CREATE INDEX records_by_expiry ON records (tenant_id, expires_at, id) WHERE expires_at IS NOT NULL`);
  await run(`UPDATE tenants SET expiries_version = NULL`);

  await run(`ALTER POLICY agent_services ON records USING (${TENANT} AND ${SERVICES} AND archived_at IS NULL)`);
  // The tracking code no longer opens an archive.
  await run(`ALTER POLICY public_track ON records USING (${TENANT} AND tracking_hash = current_setting('app.tracking', true) AND archived_at IS NULL)`);
  // The citizen's « Mes demandes » says what becomes of each request.
  await run(`GRANT SELECT (expiry_action, archived_at) ON records TO bastide_citizen`);
  await run(`GRANT SELECT ON records, uploads TO bastide_dpo`);
  await run(`CREATE POLICY dpo_archives ON records FOR SELECT TO bastide_dpo USING (${TENANT} AND archived_at IS NOT NULL)`);
  await run(`CREATE POLICY dpo_archives ON uploads FOR SELECT TO bastide_dpo USING (${TENANT} AND record_id IN (SELECT id FROM records WHERE ${TENANT} AND archived_at IS NOT NULL))`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP POLICY dpo_archives ON uploads`);
  await run(`DROP POLICY dpo_archives ON records`);
  await run(`REVOKE SELECT ON records, uploads FROM bastide_dpo`);
  await run(`REVOKE SELECT (expiry_action, archived_at) ON records FROM bastide_citizen`);
  await run(`ALTER POLICY public_track ON records USING (${TENANT} AND tracking_hash = current_setting('app.tracking', true))`);
  await run(`ALTER POLICY agent_services ON records USING (${TENANT} AND ${SERVICES})`);
  await run(`DROP INDEX records_by_expiry`);
  await run(`CREATE INDEX records_by_expiry ON records (tenant_id, expires_at) WHERE expires_at IS NOT NULL`);
  await run(`ALTER TABLE records DROP COLUMN archived_at`);
  await run(`ALTER TABLE records DROP COLUMN expiry_action`);
}
