// When the notice before deletion (retention.notifyBefore) was queued for a
// record's current date; cleared when the date moves, so that the new one is
// announced in turn.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE records ADD COLUMN deletion_notice_at timestamptz`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE records DROP COLUMN deletion_notice_at`).execute(db);
}
