// Receipts sent exactly once, through a crash. The worker marks a message
// sent in a transaction that it commits in the same turn of the event loop
// as it writes the message's final SMTP line (src/mail/outbox-worker.ts), so
// a process killed between the two is all but impossible; before this, it
// marked messages after the server's answer, and a kill in between sent them
// again after the lease.
//
// - `lease`: each claim's own token. Only the claim that holds a message may
//   mark it (`bastide_outbox_handover`); a worker whose lease ran out and was
//   taken over finds nothing to mark and drops its copy unsent.
// - The handover drops the message's sealed text with the same update (one
//   row version, not two); a refusal after the last line puts the message
//   back in the queue with its text, which the worker still holds.
import { sql, type Kysely } from 'kysely';

/** The claim, with its lease token or (down) as it was before. */
function claimFunction(withLease: boolean): string {
  return `CREATE FUNCTION bastide_outbox_claim(p_now timestamptz, p_lease_end timestamptz, p_limit integer${withLease ? ', p_lease uuid' : ''})
     RETURNS TABLE (tenant_id text, id uuid, sealed text, key_version integer, attempts integer)
     LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM set_config('role', 'bastide_mailer', true);
       RETURN QUERY
         UPDATE mail_outbox AS m SET locked_until = p_lease_end, attempts = m.attempts + 1${withLease ? ', lease = p_lease' : ''}
         WHERE (m.tenant_id, m.id) IN (
           SELECT o.tenant_id, o.id FROM mail_outbox AS o
           WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= p_now
             AND (o.locked_until IS NULL OR o.locked_until <= p_now)
           ORDER BY o.next_attempt_at
           LIMIT p_limit
           FOR UPDATE SKIP LOCKED)
         RETURNING m.tenant_id, m.id, m.sealed, m.key_version, m.attempts;
     END $$`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE mail_outbox ADD COLUMN lease uuid`);
  await run(`DROP FUNCTION bastide_outbox_claim(timestamptz, timestamptz, integer)`);
  await run(claimFunction(true));
  // Called inside the worker's own transaction: the role it sets lasts until that transaction's COMMIT.
  await run(
    `CREATE FUNCTION bastide_outbox_handover(p_tenants text[], p_ids uuid[], p_lease uuid, p_at timestamptz)
     RETURNS TABLE (tenant_id text, id uuid)
     LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM set_config('role', 'bastide_mailer', true);
       RETURN QUERY
         UPDATE mail_outbox AS m SET sent_at = p_at, sealed = NULL, locked_until = NULL, last_error = NULL
         FROM unnest(p_tenants, p_ids) AS s(tenant_id, id)
         WHERE m.tenant_id = s.tenant_id AND m.id = s.id AND m.lease = p_lease AND m.sent_at IS NULL AND m.failed_at IS NULL
         RETURNING m.tenant_id, m.id;
     END $$`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP FUNCTION bastide_outbox_handover(text[], uuid[], uuid, timestamptz)`);
  await run(`DROP FUNCTION bastide_outbox_claim(timestamptz, timestamptz, integer, uuid)`);
  await run(claimFunction(false));
  await run(`ALTER TABLE mail_outbox DROP COLUMN lease`);
}
