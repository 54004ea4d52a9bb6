// The policies that give agents (and the DPO, for archives) the uploads,
// notes, replies and outgoing mail of the records they may see, rewritten
// so that a record's page stays fast when a service holds a million records.
//
// `record_id IN (SELECT id FROM records WHERE <my services>)` stays a
// sub-plan in a row-level security policy (PostgreSQL does not pull it up
// into a join): to read one record's notes it read every record of the
// agent's services first (1.6 s at 1,000,000 records). A correlated EXISTS
// probes the records' primary key once per row the query reaches instead
// (0.4 ms). Same rows either way: a NULL record_id matches neither.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SERVICES = `service_id = ANY (string_to_array(current_setting('app.services', true), ','))`;

type Form = (table: string, condition: string) => string;

const perRow: Form = (table, condition) => `EXISTS (SELECT 1 FROM records r WHERE r.tenant_id = ${table}.tenant_id AND r.id = ${table}.record_id AND r.${condition})`;
// As 20261122T2000, 20261202T0800 and 20261204T0210 wrote them.
const subPlan: Form = (_table, condition) => `record_id IN (SELECT id FROM records WHERE ${TENANT} AND ${condition})`;

function policies(form: Form): string[] {
  const agent = (table: string) => `${TENANT} AND ${form(table, SERVICES)}`;
  return [
    `ALTER POLICY agent_uploads ON uploads USING (${agent('uploads')})`,
    `ALTER POLICY agent_services ON record_notes USING (${agent('record_notes')}) WITH CHECK (${agent('record_notes')})`,
    `ALTER POLICY agent_services ON record_replies USING (${agent('record_replies')}) WITH CHECK (${agent('record_replies')})`,
    `ALTER POLICY agent_insert ON mail_outbox WITH CHECK (${agent('mail_outbox')})`,
    `ALTER POLICY dpo_archives ON uploads USING (${TENANT} AND ${form('uploads', 'archived_at IS NOT NULL')})`,
  ];
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const text of policies(perRow)) await sql.raw(text).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const text of policies(subPlan)) await sql.raw(text).execute(db);
}
