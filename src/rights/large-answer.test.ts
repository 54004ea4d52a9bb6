/**
 * "An access request whose answer would be huge (streamed)": a person with
 * hundreds of records gets them all, the answer sealed in parts as it is
 * built and sent part after part as HTML, JSON and CSV, never as one body.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { accountWithToken, contactData, loadCommune } from '../records/testing.ts';
import { ANSWER_PART_SIZE } from './answer-parts.ts';
import { api, linkIn, mailsTo, serverWithSmtp } from './testing.ts';

const COPIES = 2 * ANSWER_PART_SIZE + 49;

for (const kind of testDatabaseKinds()) {
  describe(`a huge access answer (${kind})`, () => {
    const env = serverWithSmtp(kind);

    /** One contact message and `COPIES` newsletter subscriptions of the same person (copies of a real one: the newsletter seals nothing). */
    async function person() {
      const db = env.server.database.db;
      const loaded = await loadCommune(db, uniqueTenantId('volumineux'));
      const t = loaded.tenantId;
      const email = `lea.${t}@example.fr`;
      const submit = async (form: string, data: unknown) => {
        const r = await api(env.server.url, 'POST', `/api/v1/${t}/forms/${form}/submissions`, { body: { data } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      await submit('contact-mairie', contactData({ courriel: email }));
      const template = await submit('abonnement-lettre', { courriel: email });
      await withPrincipal(db, { kind: 'system', tenantId: t }, async (trx) => {
        const columns = (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = 'records' order by ordinal_position`.execute(trx)).rows.map((c) => c.name);
        const copied = columns.map((c) => (c === 'id' ? 'gen_random_uuid()' : c === 'tracking_hash' ? `'copie:' || n::text` : c === 'created_at' ? `created_at + make_interval(secs => n)` : c));
        await sql.raw(`insert into records (${columns.join(', ')}) select ${copied.join(', ')} from records, generate_series(1, ${COPIES - 1}) as n where tenant_id = '${t}' and id = '${template}'`).execute(trx);
        await sql`insert into record_subjects (tenant_id, blind_index, record_id, field) select s.tenant_id, s.blind_index, r.id, s.field from records r join record_subjects s on s.tenant_id = r.tenant_id and s.record_id = ${template}::uuid where r.tenant_id = ${t} and r.tracking_hash like 'copie:%'`.execute(trx);
      });
      const dpo = await accountWithToken(db, loaded, 'dpo');
      return { t, email, dpo };
    }

    async function answered(p: Awaited<ReturnType<typeof person>>, type: string) {
      const filed = await api(env.server.url, 'POST', `/api/v1/${p.t}/rights-requests`, { body: { type, email: p.email } });
      assert.equal(filed.status, 201, JSON.stringify(filed.body));
      const id = filed.body.id as string;
      const verified = await api(env.server.url, 'POST', `/api/v1/${p.t}/rights-requests/${id}/verify`, { token: p.dpo.token, body: { reason: 'Pièce d’identité présentée au guichet.' } });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      const done = await api(env.server.url, 'POST', `/api/v1/${p.t}/rights-requests/${id}/fulfil`, { token: p.dpo.token, body: {} });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const [mail] = await mailsTo(env.smtp, p.email, new RegExp(`${id}[\\s\\S]*Voici la réponse|Voici la réponse[\\s\\S]*${id}`));
      return { id, body: done.body, link: linkIn(mail!, 'reponse') };
    }

    it('answers an access request of hundreds of records in parts, and streams the page and the JSON', async () => {
      const p = await person();
      const { id, body, link } = await answered(p, 'access');
      assert.equal(body.records.length, COPIES + 1);
      const parts = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: p.t }, (trx) => trx.selectFrom('rights_answer_parts').select('seq').where('tenant_id', '=', p.t).where('request_id', '=', id).orderBy('seq').execute());
      assert.deepEqual(parts.map((x) => x.seq), [0, 1, 2], 'sealed a part at a time');

      const page = await fetch(`${env.server.url}${link}`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-length'), null, 'sent in chunks, not as one body');
      const html = await page.text();
      assert.equal(html.match(/<h3>/g)?.length, COPIES + 1, 'every record');
      assert.equal(html.match(/<section /g)?.length, 2, 'one section per processing');
      assert.match(html, new RegExp(`${COPIES + 1} demandes vous concernent`));
      assert.match(html, /<\/main>[\s\S]*<\/html>\s*$/, 'the page is whole');

      const download = await fetch(`${env.server.url}${link}&format=json`);
      assert.equal(download.headers.get('content-length'), null);
      const json = await download.json();
      assert.equal(json.recordCount, COPIES + 1);
      assert.equal(json.records.length, COPIES + 1);
      assert.equal(new Set(json.records.map((r: { id: string }) => r.id)).size, COPIES + 1);
      assert.ok(json.records.filter((r: { formId: string }) => r.formId === 'abonnement-lettre').every((r: { data: { courriel: string } }) => r.data.courriel === p.email));

      // The link opens this answer only: not under another authority, not shortened, not as CSV for an access request.
      const other = await loadCommune(env.server.database.db, uniqueTenantId('autre'));
      const token = new URL(link, env.server.url).searchParams.get('jeton')!;
      assert.equal((await fetch(`${env.server.url}/${other.tenantId}/mes-droits/reponse?jeton=${token}`)).status, 410);
      assert.equal((await fetch(`${env.server.url}/${p.t}/mes-droits/reponse?jeton=${token.slice(0, -1)}`)).status, 410);
      assert.equal((await fetch(`${env.server.url}/${p.t}/mes-droits/reponse`)).status, 410);
      const csv = await fetch(`${env.server.url}${link}&format=csv`);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/html/, 'portability only');
      await csv.arrayBuffer();
    });

    it('streams a portability answer as CSV, one line per value, and says why the public-task record is not in it', async () => {
      const p = await person();
      const { body, link } = await answered(p, 'portability');
      assert.equal(body.records.length, COPIES);
      assert.equal(body.refused.length, 1);
      const bytes = Buffer.from(await (await fetch(`${env.server.url}${link}&format=csv`)).arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, for French spreadsheets');
      const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
      assert.equal(lines[0], 'demande;démarche;envoyée le;champ;valeur');
      assert.equal(lines.length, COPIES + 1);
      assert.ok(lines.slice(1).every((l) => l.endsWith(`;courriel;${p.email}`)));
      const html = await (await fetch(`${env.server.url}${link}`)).text();
      assert.match(html, /Données non concernées par la portabilité/);
    });
  });
}
