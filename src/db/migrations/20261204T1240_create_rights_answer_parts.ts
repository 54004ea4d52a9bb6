// The answer to an access or portability request, in parts (issue 9, "an
// access request whose answer would be huge (streamed)"). The request keeps
// the answer's head (who, the art. 15 information); the records go here, a
// few hundred per sealed part, so that the fulfilment never holds more than
// one part in memory and the link streams them one after the other. Parts go
// with their request (its own retention). Written under the rights principal
// that fulfils the request, read by the system of the tenant behind the link.
import { sql, type Kysely } from 'kysely';

const TENANT = `tenant_id = current_setting('app.tenant', true)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`
    CREATE TABLE rights_answer_parts (
      tenant_id text NOT NULL,
      request_id uuid NOT NULL,
      seq integer NOT NULL CHECK (seq >= 0),
      sealed text NOT NULL,
      key_version integer NOT NULL,
      PRIMARY KEY (tenant_id, request_id, seq),
      FOREIGN KEY (tenant_id, request_id) REFERENCES rights_requests (tenant_id, id) ON DELETE CASCADE
    )`);
  await run(`ALTER TABLE rights_answer_parts ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE rights_answer_parts FORCE ROW LEVEL SECURITY`);
  await run(`GRANT INSERT ON rights_answer_parts TO bastide_rights`);
  await run(`CREATE POLICY rights_answer_insert ON rights_answer_parts FOR INSERT TO bastide_rights WITH CHECK (${TENANT})`);
  await run(`GRANT SELECT, DELETE ON rights_answer_parts TO bastide_system`);
  await run(`CREATE POLICY system_tenant ON rights_answer_parts FOR ALL TO bastide_system USING (${TENANT})`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE rights_answer_parts`.execute(db);
}
