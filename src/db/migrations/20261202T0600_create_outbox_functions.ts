// The outbox worker's two statements as functions that switch to its role
// for their own transaction, as bastide_public_submit does for a submission:
// one round trip to claim a batch, one to mark a batch sent, instead of four
// each (BEGIN, set_config, the statement, COMMIT). Row-level security checks
// each row exactly as under withPrincipal.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION bastide_outbox_claim(p_now timestamptz, p_lease_end timestamptz, p_limit integer)
       RETURNS TABLE (tenant_id text, id uuid, sealed text, key_version integer, attempts integer)
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM set_config('role', 'bastide_mailer', true);
         RETURN QUERY
           UPDATE mail_outbox AS m SET locked_until = p_lease_end, attempts = m.attempts + 1
           WHERE (m.tenant_id, m.id) IN (
             SELECT o.tenant_id, o.id FROM mail_outbox AS o
             WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= p_now
               AND (o.locked_until IS NULL OR o.locked_until <= p_now)
             ORDER BY o.next_attempt_at
             LIMIT p_limit
             FOR UPDATE SKIP LOCKED)
           RETURNING m.tenant_id, m.id, m.sealed, m.key_version, m.attempts;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE FUNCTION bastide_outbox_sent(p_tenants text[], p_ids uuid[], p_at timestamptz) RETURNS void
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM set_config('role', 'bastide_mailer', true);
         UPDATE mail_outbox AS m SET sent_at = p_at, sealed = NULL, locked_until = NULL, last_error = NULL
         FROM unnest(p_tenants, p_ids) AS s(tenant_id, id)
         WHERE m.tenant_id = s.tenant_id AND m.id = s.id;
       END $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION bastide_outbox_sent(text[], uuid[], timestamptz)`.execute(db);
  await sql`DROP FUNCTION bastide_outbox_claim(timestamptz, timestamptz, integer)`.execute(db);
}
