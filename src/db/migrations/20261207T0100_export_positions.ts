// An export's records keep their place in the list: `position` (1, 2, …)
// in the order the agent chose. The export then reads its records a batch
// at a time by position, straight from the journal's side table, instead of
// receiving all their ids at once (7 MB of text at 200,000 records, held
// for the whole download). The primary key becomes (tenant, entry,
// position): rows are written in that order, so its pages fill one after
// another. Rows written before are numbered in id order (their list order
// was not kept; they are never read by position).
//
// Agents read the positions of their own exports only: the entry must be
// theirs, which they may read (policy bastide_agent_journal_read).
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE journal_records ADD COLUMN position integer`);
  await run(`
    UPDATE journal_records AS jr SET position = numbered.n
    FROM (SELECT tenant_id, seq, record_id, row_number() OVER (PARTITION BY tenant_id, seq ORDER BY record_id) AS n FROM journal_records) AS numbered
    WHERE jr.tenant_id = numbered.tenant_id AND jr.seq = numbered.seq AND jr.record_id = numbered.record_id`);
  await run(`ALTER TABLE journal_records ALTER COLUMN position SET NOT NULL`);
  await run(`ALTER TABLE journal_records DROP CONSTRAINT journal_records_pkey`);
  await run(`ALTER TABLE journal_records ADD PRIMARY KEY (tenant_id, seq, position)`);
  await run(`GRANT SELECT ON journal_records TO bastide_agent`);
  await run(
    `CREATE POLICY bastide_agent_own_exports ON journal_records FOR SELECT TO bastide_agent USING (${TENANT} AND EXISTS (SELECT 1 FROM journal j WHERE j.tenant_id = journal_records.tenant_id AND j.seq = journal_records.seq AND j.actor_id::text = current_setting('app.agent', true)))`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP POLICY bastide_agent_own_exports ON journal_records`);
  await run(`REVOKE SELECT ON journal_records FROM bastide_agent`);
  await run(`ALTER TABLE journal_records DROP CONSTRAINT journal_records_pkey`);
  await run(`ALTER TABLE journal_records ADD PRIMARY KEY (tenant_id, seq, record_id)`);
  await run(`ALTER TABLE journal_records DROP COLUMN position`);
}
