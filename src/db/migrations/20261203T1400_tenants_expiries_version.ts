// Which register version the records' expiry dates follow. A register load
// that changes a retention rule recomputes the dates of that processing's
// records in batches, then sets this to the new version; a load or a
// retention run that finds it behind finishes the work first, so that no
// run ever deletes by a rule the register no longer states. Existing
// tenants' dates were computed by their current version.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE tenants ADD COLUMN expiries_version integer`).execute(db);
  await sql.raw(`UPDATE tenants SET expiries_version = current_version`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE tenants DROP COLUMN expiries_version`).execute(db);
}
