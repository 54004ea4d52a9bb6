// An export's records keep their place in the list: `position` (1, 2, …)
// in the order the agent chose. The export then reads its records a batch
// at a time by position, straight from the journal's side table, instead of
// receiving all their ids at once (7 MB of text at 200,000 records, held
// for the whole download). The primary key becomes (tenant, entry,
// position): rows are written in that order, so its pages fill one after
// another. Rows written before are numbered in id order (their list order
// was not kept; they are never read by position).
//
// Agents still do not read this table: the export reads the positions as the
// tenant's system, then the records under the agent's principal.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE journal_records ADD COLUMN position integer`);
  // The owner numbers every tenant's rows: row-level security is forced on this table, and an owner that is no
  // superuser has no policy (it would number nothing, and NOT NULL below would fail).
  await run(`ALTER TABLE journal_records NO FORCE ROW LEVEL SECURITY`);
  await run(`
    UPDATE journal_records AS jr SET position = numbered.n
    FROM (SELECT tenant_id, seq, record_id, row_number() OVER (PARTITION BY tenant_id, seq ORDER BY record_id) AS n FROM journal_records) AS numbered
    WHERE jr.tenant_id = numbered.tenant_id AND jr.seq = numbered.seq AND jr.record_id = numbered.record_id`);
  await run(`ALTER TABLE journal_records FORCE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE journal_records ALTER COLUMN position SET NOT NULL`);
  await run(`ALTER TABLE journal_records DROP CONSTRAINT journal_records_pkey`);
  await run(`ALTER TABLE journal_records ADD PRIMARY KEY (tenant_id, seq, position)`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE journal_records DROP CONSTRAINT journal_records_pkey`);
  await run(`ALTER TABLE journal_records ADD PRIMARY KEY (tenant_id, seq, record_id)`);
  await run(`ALTER TABLE journal_records DROP COLUMN position`);
}
