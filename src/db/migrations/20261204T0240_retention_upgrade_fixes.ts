// What a review of the retention changes of 2026-12-04 found:
// - migration 0210 marked the dates to recompute with expiries_version NULL,
//   which a `register load` reads as "a first version" and overwrites: 0
//   (no such version) means "recompute everything" and survives a load;
// - an agent's status change that moves a date must clear the notice mark
//   (deletion-notice.ts), so that the new date is announced too;
// - a citizen may not erase an archive, whatever the page computed;
// - the trigger functions search their own schema, then pg_temp last, so
//   that no temporary table can stand in for one of ours.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const ME = `citizen_id::text = current_setting('app.citizen', true)`;
const MY_SUBJECTS = `blind_index = ANY (string_to_array(current_setting('app.subjects', true), ','))`;
const OWN = `(id IN (SELECT record_id FROM citizen_records WHERE ${TENANT} AND ${ME})
  OR id IN (SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${MY_SUBJECTS}))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`UPDATE tenants SET expiries_version = 0 WHERE expiries_version IS NULL AND current_version IS NOT NULL`);
  await run(`GRANT UPDATE (deletion_notice_at) ON records TO bastide_agent`);
  await run(`ALTER POLICY citizen_erase ON records USING (${TENANT} AND ${OWN} AND NOT frozen AND archived_at IS NULL)`);
  for (const fn of ['records_cascade', 'records_exist', 'records_still_exist'])
    await run(`DO $$ BEGIN EXECUTE format('ALTER FUNCTION ${fn}() SET search_path = %I, pg_temp', current_schema()); END $$`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const fn of ['records_cascade', 'records_exist', 'records_still_exist']) await run(`DO $$ BEGIN EXECUTE format('ALTER FUNCTION ${fn}() SET search_path = %I', current_schema()); END $$`);
  await run(`ALTER POLICY citizen_erase ON records USING (${TENANT} AND ${OWN} AND NOT frozen)`);
  await run(`REVOKE UPDATE (deletion_notice_at) ON records FROM bastide_agent`);
}
