// A submission without files in one round trip: this function switches to
// the public role and the tenant for the current transaction, then inserts
// the record, its blind indexes and its security-log row. It is called as a
// single statement (its own transaction), so the settings end with it, and
// row-level security checks each row exactly as in an explicit transaction
// under `withPrincipal` (bench/submit.ts: three round trips fewer).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION bastide_public_submit(p_tenant text, p_record jsonb, p_subjects jsonb, p_log jsonb) RETURNS void
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM set_config('role', 'bastide_public', true);
         PERFORM set_config('app.tenant', p_tenant, true);
         INSERT INTO records SELECT * FROM jsonb_populate_record(NULL::records, p_record);
         INSERT INTO record_subjects SELECT * FROM jsonb_populate_recordset(NULL::record_subjects, p_subjects);
         IF p_log IS NOT NULL THEN
           INSERT INTO security_log SELECT * FROM jsonb_populate_record(NULL::security_log, p_log);
         END IF;
       END $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION bastide_public_submit(text, jsonb, jsonb, jsonb)`.execute(db);
}
