// The check that a child row's record exists (records_exist, and
// records_still_exist after an update) now looks each named record up by
// its full key, planned for its values each time it runs. As one static
// statement, `(tenant_id, id) IN (…the transition table…)`, PL/pgSQL planned
// it once per connection and kept the plan: planned while the tenant had
// few records (after a deployment, or in a fresh benchmark), it walked all
// of the tenant's records in an index, and each submission cost a little
// more than the one before (1.8 ms → 5 ms over 3,000 records; 224
// submissions/s in bench/submit.ts, 1,133 with this). A key lookup is no
// remedy alone: on a small table, the primary key and the indexes that
// begin with the tenant and end with the id cost the same, and a kept plan
// may hold either. Planned each time (force_custom_plan), it takes the
// primary key once the table has grown; planning it costs tens of µs. More
// than a few named records (a bulk insert) are checked by one statement,
// planned afresh too (EXECUTE), rather than one lookup each.
import { sql, type Kysely } from 'kysely';

const SOURCES = {
  records_exist: `SELECT DISTINCT tenant_id, record_id FROM added WHERE record_id IS NOT NULL`,
  records_still_exist: `SELECT tenant_id, record_id FROM added WHERE record_id IS NOT NULL EXCEPT SELECT tenant_id, record_id FROM before`,
};

/** Up to this many named records, one lookup by key each; beyond, one statement for all (a bulk insert, a data migration). */
const ONE_BY_ONE = 16;

function definition(name: string, source: string, fresh: boolean): string {
  const together = `SELECT count(*) FROM (SELECT 1 FROM records r WHERE (r.tenant_id, r.id) IN (${source}) FOR KEY SHARE OF r) f`;
  const check = fresh
    ? // Both planned when they run: each lookup for its values (force_custom_plan below, tens of µs), the statement by EXECUTE.
      `IF wanted <= ${ONE_BY_ONE} THEN
        FOR t, i IN ${source} LOOP
          PERFORM 1 FROM records r WHERE r.tenant_id = t AND r.id = i FOR KEY SHARE OF r;
          IF NOT FOUND THEN present := 0; EXIT; END IF;
        END LOOP;
      ELSE
        EXECUTE '${together.replace(/'/g, "''")}' INTO present;
      END IF;`
    : `${together.replace('SELECT count(*)', 'SELECT count(*) INTO present')};`;
  return `
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT ${fresh ? 'SET plan_cache_mode = force_custom_plan' : ''} AS $$
    DECLARE wanted bigint; present bigint; t text; i uuid;
    BEGIN
      SELECT count(*) INTO wanted FROM (${source}) w;
      IF wanted = 0 THEN RETURN NULL; END IF;
      present := wanted;
      ${check}
      IF present < wanted THEN
        RAISE EXCEPTION 'la demande référencée par % n’existe pas', TG_TABLE_NAME
          USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
      END IF;
      RETURN NULL;
    END $$`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, source] of Object.entries(SOURCES)) await sql.raw(definition(name, source, true)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, source] of Object.entries(SOURCES)) {
    await sql.raw(`ALTER FUNCTION ${name}() RESET plan_cache_mode`).execute(db);
    await sql.raw(definition(name, source, false)).execute(db);
  }
}
