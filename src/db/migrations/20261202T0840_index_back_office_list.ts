// The back office lists an agent's requests newest first across all of its
// services. records_by_service (tenant, service, created_at) gives that order
// within one service only, so a list over several services read every row
// of them and sorted it to show 50 (a seq scan and a top-N sort of 100,000
// rows). This index gives the list's exact order (created_at, then id), so
// the first pages read about as many rows as they show, whatever the filter
// on form, status or holder (row-level security then keeps the agent's).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX records_by_date ON records (tenant_id, created_at DESC, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX records_by_date`.execute(db);
}
