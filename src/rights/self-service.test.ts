import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfOf, TestBrowser } from '../back-office/testing.ts';
import { confirmedCitizen } from '../citizens/testing.ts';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { api, mailsTo, serverWithSmtp } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`rights from « Mes demandes » (${kind})`, () => {
    const env = serverWithSmtp(kind);

    it('downloads everything at once, erases what may be erased, and forwards the rest to the DPO', async () => {
      const loaded = await loadCommune(env.server.database.db, uniqueTenantId('soi'));
      const t = loaded.tenantId;
      const email = `lina.${t}@example.fr`;
      const submit = async (form: string, data: unknown) => (await api(env.server.url, 'POST', `/api/v1/${t}/forms/${form}/submissions`, { body: { data } })).body.id as string;
      const contact = await submit('contact-mairie', contactData({ courriel: email, message: 'Ma boîte aux lettres est cassée.' }));
      const newsletter = await submit('abonnement-lettre', { courriel: email });
      const other = await submit('abonnement-lettre', { courriel: `autre.${t}@example.fr` });
      const browser = new TestBrowser(env.server.url);
      await confirmedCitizen(browser, env.smtp, t, email);

      const list = await browser.get(`/${t}/mon-compte`);
      assert.match(list.body, /Télécharger toutes mes données/);
      const download = await browser.get(`/${t}/mon-compte/mes-donnees.json`);
      assert.equal(download.status, 200);
      assert.match(download.headers.get('content-disposition') ?? '', /attachment/);
      const data = JSON.parse(download.body);
      assert.deepEqual(data.requests.map((r: { id: string }) => r.id).sort(), [contact, newsletter].sort());
      assert.equal(data.requests.find((r: { id: string }) => r.id === contact).data.message, 'Ma boîte aux lettres est cassée.');
      assert.ok(data.processings.some((p: { id: string }) => p.id === 'contact'));

      const erase = async (id: string) => {
        const page = await browser.get(`/${t}/mon-compte/demandes/${id}`);
        assert.equal(page.status, 200);
        return browser.post(`/${t}/mon-compte/demandes/${id}/effacement`, { csrf: csrfOf(page.body) });
      };
      const gone = await erase(newsletter);
      assert.equal(gone.status, 303);
      assert.match((await browser.get(gone.location!)).body, /La demande est effacée/);
      const left = () => withPrincipal(env.server.database.db, { kind: 'system', tenantId: t }, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', t).execute());
      assert.deepEqual((await left()).map((r) => r.id).sort(), [contact, other].sort());

      const kept = await erase(contact);
      assert.equal(kept.status, 200);
      assert.match(kept.body, /transmise au délégué à la protection des données/);
      assert.match(kept.body, /mission de service public/);
      const queued = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: t }, (trx) => trx.selectFrom('rights_requests').select(['id', 'state', 'type', 'scope_record_id', 'due_at']).where('tenant_id', '=', t).execute());
      assert.equal(queued.length, 1);
      assert.deepEqual([queued[0]!.state, queued[0]!.type, queued[0]!.scope_record_id], ['open', 'erasure', contact]);
      await mailsTo(env.smtp, email, new RegExp(queued[0]!.id));
      // Asking again does not file a second request.
      await erase(contact);
      assert.equal((await withPrincipal(env.server.database.db, { kind: 'system', tenantId: t }, (trx) => trx.selectFrom('rights_requests').select('id').where('tenant_id', '=', t).execute())).length, 1);
      // Another person's request is not there.
      const page = await browser.get(`/${t}/mon-compte`);
      assert.equal((await browser.post(`/${t}/mon-compte/demandes/${other}/effacement`, { csrf: csrfOf(page.body) })).status, 404);
      assert.equal((await left()).length, 2);
    });
  });
}
