// What hangs off a record goes with it in one statement per table, not one
// per row. The foreign keys to records made PostgreSQL run a cascade (or,
// for holds, a restrict check) once per deleted row and per child table:
// 47 of the 66 ms of a retention batch of 2,000. Statement-level triggers
// over transition tables do the same work set-based:
//
// - after a DELETE on records: refuse it if any of the rows is under a legal
//   hold (the old RESTRICT), else delete their children, one statement per
//   table;
// - after an INSERT or UPDATE on a child table: every record it names must
//   exist, locked FOR KEY SHARE as a foreign key would, so that a record
//   deleted at the same moment cannot leave an orphan (whichever commits
//   second sees the other's rows: the delete's trigger removes the new child,
//   or the insert's check fails with 23503).
//
// The functions run as bastide_cascade, a role with no login whose policies
// let it read records and delete children of the transaction's tenant only:
// the roles that delete records (system, a citizen erasing its own requests)
// never get those rights themselves.
import { sql, type Kysely } from 'kysely';

const CHILDREN = ['record_subjects', 'uploads', 'mail_outbox', 'record_notes', 'record_replies', 'citizen_records'];
const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bastide_cascade') THEN CREATE ROLE bastide_cascade NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  // Giving the functions to that role needs membership, unless a superuser migrates.
  await run(`DO $$ BEGIN
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN EXECUTE format('GRANT bastide_cascade TO %I', session_user); END IF;
    END $$`);
  await run(`DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO bastide_cascade', current_schema()); END $$`);

  // Locking FOR KEY SHARE needs UPDATE on a column and passes the UPDATE policy; nothing here updates.
  await run(`GRANT SELECT, UPDATE (updated_at) ON records TO bastide_cascade`);
  await run(`CREATE POLICY cascade_lock ON records FOR SELECT TO bastide_cascade USING (${TENANT})`);
  await run(`CREATE POLICY cascade_lock_update ON records FOR UPDATE TO bastide_cascade USING (${TENANT})`);
  await run(`GRANT SELECT ON record_holds TO bastide_cascade`);
  await run(`CREATE POLICY cascade_restrict ON record_holds FOR SELECT TO bastide_cascade USING (${TENANT})`);
  for (const child of CHILDREN) {
    await run(`GRANT SELECT, DELETE ON ${child} TO bastide_cascade`);
    await run(`CREATE POLICY cascade_delete ON ${child} FOR ALL TO bastide_cascade USING (${TENANT})`);
  }

  // The foreign keys' names are PostgreSQL's defaults: find them rather than spell them.
  await run(`DO $$ DECLARE c record; BEGIN
      FOR c IN SELECT conrelid::regclass AS child, conname FROM pg_constraint
               WHERE contype = 'f' AND confrelid = 'records'::regclass LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.child, c.conname);
      END LOOP;
    END $$`);

  await run(`
    CREATE FUNCTION records_cascade() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM record_holds h JOIN gone g ON h.tenant_id = g.tenant_id AND h.record_id = g.id) THEN
        RAISE EXCEPTION 'une demande sous conservation pour raison juridique ne peut pas être supprimée'
          USING ERRCODE = 'foreign_key_violation', TABLE = 'record_holds';
      END IF;
      ${CHILDREN.map((c) => `DELETE FROM ${c} x USING gone g WHERE x.tenant_id = g.tenant_id AND x.record_id = g.id;`).join('\n      ')}
      RETURN NULL;
    END $$`);
  await run(`ALTER FUNCTION records_cascade() OWNER TO bastide_cascade`);
  await run(`CREATE TRIGGER records_cascade AFTER DELETE ON records REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION records_cascade()`);

  // The records a statement names: all those an insert names, only those an update adds (the mail worker marking its messages sent names none).
  const named = {
    records_exist: `SELECT DISTINCT tenant_id, record_id FROM added WHERE record_id IS NOT NULL`,
    records_still_exist: `SELECT tenant_id, record_id FROM added WHERE record_id IS NOT NULL EXCEPT SELECT tenant_id, record_id FROM before`,
  };
  for (const [name, source] of Object.entries(named)) {
    await run(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE wanted bigint; found bigint;
      BEGIN
        SELECT count(*) INTO wanted FROM (${source}) w;
        IF wanted = 0 THEN RETURN NULL; END IF;
        SELECT count(*) INTO found FROM (SELECT 1 FROM records r WHERE (r.tenant_id, r.id) IN (${source}) FOR KEY SHARE OF r) f;
        IF found < wanted THEN
          RAISE EXCEPTION 'la demande référencée par % n’existe pas', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
        END IF;
        RETURN NULL;
      END $$`);
    await run(`ALTER FUNCTION ${name}() OWNER TO bastide_cascade`);
  }
  for (const child of [...CHILDREN, 'record_holds']) {
    // A trigger with transition tables takes one event only.
    await run(`CREATE TRIGGER ${child}_record_inserted AFTER INSERT ON ${child} REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION records_exist()`);
    await run(`CREATE TRIGGER ${child}_record_updated AFTER UPDATE ON ${child} REFERENCING OLD TABLE AS before NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION records_still_exist()`);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const child of [...CHILDREN, 'record_holds']) {
    await run(`DROP TRIGGER ${child}_record_inserted ON ${child}`);
    await run(`DROP TRIGGER ${child}_record_updated ON ${child}`);
  }
  await run(`DROP TRIGGER records_cascade ON records`);
  await run(`DROP FUNCTION records_cascade()`);
  await run(`DROP FUNCTION records_exist()`);
  await run(`DROP FUNCTION records_still_exist()`);
  for (const child of CHILDREN) {
    await run(`DROP POLICY cascade_delete ON ${child}`);
    await run(`REVOKE ALL ON ${child} FROM bastide_cascade`);
    await run(`ALTER TABLE ${child} ADD FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE`);
  }
  await run(`DROP POLICY cascade_restrict ON record_holds`);
  await run(`REVOKE ALL ON record_holds FROM bastide_cascade`);
  await run(`ALTER TABLE record_holds ADD FOREIGN KEY (tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE RESTRICT`);
  await run(`DROP POLICY cascade_lock ON records`);
  await run(`DROP POLICY cascade_lock_update ON records`);
  await run(`REVOKE ALL ON records FROM bastide_cascade`);
}
