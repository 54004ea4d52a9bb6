import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal } from '../../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import { appendJournal } from '../../journal/journal.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { contactData, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { signInEnrolling } from '../admin/testing.ts';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`DPO journal pages (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let dpo: TestBrowser;
    let lea: TestBrowser;
    let leaId = '';
    let recordId = '';
    const t = () => a.tenantId;
    const journal = (q = '') => `/${t()}/back-office/journal${q}`;

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('bo-dpo'));
      const dpoAccount = await agentWithPassword(db, a, 'dpo', [], 'dpo@dpo.example.fr');
      leaId = (await agentWithPassword(db, a, 'agent', ['accueil'], 'lea@dpo.example.fr')).id;
      dpo = new TestBrowser(server.url);
      await signInEnrolling(server, dpo, t(), dpoAccount.id, 'dpo@dpo.example.fr');
      lea = new TestBrowser(server.url);
      await signInWithPassword(lea, t(), 'lea@dpo.example.fr');
      const r = await fetch(`${server.url}/api/v1/${t()}/forms/contact-mairie/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: contactData() }) });
      recordId = ((await r.json()) as { id: string }).id;
      assert.equal((await lea.get(`/${t()}/back-office/demandes/${recordId}`)).status, 200);
    });
    after(() => server.close());

    it('shows who read a record, when and why, but not what was read', async () => {
      const page = await dpo.get(journal(`?demande=${recordId.toUpperCase()}`));
      assert.equal(page.status, 200);
      assert.match(page.body, /<td>lea@dpo\.example\.fr<\/td><td>Consultation<\/td>/);
      assert.ok(!page.body.includes('claire.martin@example.fr'), 'no data of the record');
      assert.match(page.body, /aria-current="page">Journal des accès/);
    });

    it('refuses a malformed record id with a message on the field', async () => {
      const page = await dpo.get(journal('?demande=12345'));
      assert.equal(page.status, 400);
      assert.match(page.body, /<title>Erreur : Journal des accès/);
      assert.match(page.body, /href="#demande">Saisissez l’identifiant complet/);
      assert.match(page.body, /aria-describedby="demande-hint demande-error" aria-invalid="true"/);
    });

    it('shows what one account read, fifty entries a page', async () => {
      await withPrincipal(server.database.db, { kind: 'agent', tenantId: t(), agentId: leaId, services: ['accueil'] }, async (trx) => {
        for (let i = 0; i < 55; i++) await appendJournal(trx, t(), { actorId: leaId, actor: 'lea@dpo.example.fr', action: 'read', recordId, purpose: `lecture ${i}` });
      });
      const first = await dpo.get(journal(`?agent=${leaId}`));
      assert.equal(first.status, 200);
      assert.equal([...first.body.matchAll(/<td>lea@dpo\.example\.fr<\/td>/g)].length, 50);
      const next = /href="([^"]+apres=\d+)">Entrées suivantes/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(next);
      const second = await dpo.get(next);
      assert.equal([...second.body.matchAll(/<td>lea@dpo\.example\.fr<\/td>/g)].length, 6);
      assert.match(second.body, /lecture 54/);
      assert.doesNotMatch(second.body, /Entrées suivantes/);
      assert.match(second.body, /Premières entrées/);
    });

    it('runs journal verify and says in French that the chain holds, then where it was altered', async () => {
      const ok = await dpo.get(journal('/verification'));
      assert.equal(ok.status, 200);
      assert.match(ok.body, /<strong>Journal intact<\/strong> : 56 lignes vérifiées/);
      await sql`update journal set purpose = 'autre motif' where tenant_id = ${t()} and seq = 3`.execute(server.database.db);
      const bad = await dpo.get(journal('/verification'));
      assert.match(bad.body, /Journal altéré/);
      assert.match(bad.body, /ligne 3 : contenu modifié/);
      assert.match(bad.body, /la première ligne en cause est la ligne 3/);
    });

    it('refuses the journal pages to any other role', async () => {
      const admin = await agentWithPassword(server.database.db, a, 'admin', ['accueil'], 'admin@dpo.example.fr');
      const adminBrowser = new TestBrowser(server.url);
      await signInEnrolling(server, adminBrowser, t(), admin.id, 'admin@dpo.example.fr');
      for (const browser of [lea, adminBrowser])
        for (const path of [journal(), journal(`?demande=${recordId}`), journal('/verification')]) {
          const r = await browser.get(path);
          assert.equal(r.status, 403, path);
          assert.match(r.body, /Accès réservé/);
        }
      assert.doesNotMatch((await lea.get(`/${t()}/back-office`)).body, /Journal des accès/);
    });
  });
}
