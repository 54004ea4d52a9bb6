// When retention anonymised a record (then: anonymise): what remains cannot
// identify anyone, and the back office says so. Null for every other record.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE records ADD COLUMN anonymised_at timestamptz`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE records DROP COLUMN anonymised_at`).execute(db);
}
