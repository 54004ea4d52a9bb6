// Administration of back-office accounts (issue 7, item 3).
//
// API tokens get a short public id, so that a token can be named (listed,
// revoked from the command line or the account page) without its secret:
// existing tokens get a random one. The token itself stays stored only as a
// hash.
//
// Invitations and password resets are e-mailed through the outbox. They are
// about an account, not a record, so they are queued by the maintenance role
// (record_id null), under its tenant policy like the rest of its work.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE api_tokens ADD COLUMN public_id text`);
  await run(`UPDATE api_tokens SET public_id = 'tok_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12) WHERE public_id IS NULL`);
  await run(`ALTER TABLE api_tokens ALTER COLUMN public_id SET NOT NULL`);
  await run(`CREATE UNIQUE INDEX api_tokens_by_public_id ON api_tokens (tenant_id, public_id)`);
  await run(`CREATE INDEX api_tokens_by_agent ON api_tokens (tenant_id, agent_id)`);
  await run(`GRANT INSERT ON mail_outbox TO bastide_system`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`REVOKE INSERT ON mail_outbox FROM bastide_system`);
  await run(`DROP INDEX api_tokens_by_agent`);
  await run(`DROP INDEX api_tokens_by_public_id`);
  await run(`ALTER TABLE api_tokens DROP COLUMN public_id`);
}
