// The policies that confine a citizen or the rights desk to one person's
// records, rewritten so that they stay fast among a million records.
//
// PostgreSQL does not pull a sub-select of a row-level security policy up
// into a join: `id IN (SELECT …)` became a hashed sub-plan tested on every
// row of a sequential scan of `records` (1.3 s per access answer at a
// million records, bench/rights.ts). `id = ANY (ARRAY(SELECT …))` is
// computed once, as an init plan, and its array feeds the index condition.
// Same rows either way: a NULL or an absent id matches neither.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;
const SUBJECTS = `blind_index = ANY (string_to_array(current_setting('app.subjects', true), ','))`;
const ME = `citizen_id::text = current_setting('app.citizen', true)`;

interface Forms {
  /** The rights desk's person: records bearing one of the verified blind indexes. */
  theirs: string;
  /** The citizen: records sent from the account, or bearing a confirmed address's blind index. */
  own: string;
  /** A row hanging off a record the role may see (its own policy on `records` decides which). */
  ofVisibleRecord: string;
  /** A journal entry naming such a record, directly or through journal_records. */
  journal: string;
}

const initPlans: Forms = {
  theirs: `id = ANY (ARRAY(SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${SUBJECTS}))`,
  own: `id = ANY (ARRAY(SELECT record_id FROM citizen_records WHERE ${TENANT} AND ${ME} UNION SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${SUBJECTS}))`,
  ofVisibleRecord: `record_id = ANY (ARRAY(SELECT id FROM records WHERE ${TENANT}))`,
  journal: `(record_id = ANY (ARRAY(SELECT id FROM records WHERE ${TENANT})) OR seq = ANY (ARRAY(SELECT seq FROM journal_records WHERE ${TENANT})))`,
};

// As 20261202T0820, 20261204T0240 and 20261204T1200 wrote them.
const subPlans: Forms = {
  theirs: `id IN (SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${SUBJECTS})`,
  own: `(id IN (SELECT record_id FROM citizen_records WHERE ${TENANT} AND ${ME})
  OR id IN (SELECT record_id FROM record_subjects WHERE ${TENANT} AND ${SUBJECTS}))`,
  ofVisibleRecord: `record_id IN (SELECT id FROM records WHERE ${TENANT})`,
  journal: `(record_id IN (SELECT id FROM records WHERE ${TENANT}) OR seq IN (SELECT seq FROM journal_records WHERE ${TENANT}))`,
};

function policies(f: Forms): string[] {
  return [
    `ALTER POLICY rights_records ON records USING (${TENANT} AND ${f.theirs})`,
    `ALTER POLICY rights_uploads ON uploads USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY rights_record_replies ON record_replies USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY rights_holds ON record_holds USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY rights_journal_records ON journal_records USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY rights_journal ON journal USING (${TENANT} AND ${f.journal})`,
    `ALTER POLICY citizen_own ON records USING (${TENANT} AND ${f.own})`,
    `ALTER POLICY citizen_erase ON records USING (${TENANT} AND ${f.own} AND NOT frozen AND archived_at IS NULL)`,
    `ALTER POLICY citizen_replies ON record_replies USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY citizen_journal_records ON journal_records USING (${TENANT} AND ${f.ofVisibleRecord})`,
    `ALTER POLICY citizen_journal ON journal USING (${TENANT} AND ${f.journal})`,
  ];
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const text of policies(initPlans)) await sql.raw(text).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const text of policies(subPlans)) await sql.raw(text).execute(db);
}
