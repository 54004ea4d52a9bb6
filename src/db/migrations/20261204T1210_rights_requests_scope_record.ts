// A rights request made from a citizen account names the one request it is
// about by its id (the account knows it; the tracking code exists only as a
// hash), so that the DPO's answer concerns that request alone.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE rights_requests ADD COLUMN scope_record_id uuid`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE rights_requests DROP COLUMN scope_record_id`.execute(db);
}
