import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { contactData, loadCommune } from '../../records/testing.ts';
import { submitForm } from '../../records/submit-form.ts';
import { setHold } from '../../retention/holds.ts';
import { runRetention } from '../../retention/retention-run.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { signInEnrolling } from '../admin/testing.ts';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../testing.ts';

const MONTH = 30.44 * 24 * 3600 * 1000;

for (const kind of testDatabaseKinds()) {
  describe(`DPO retention page (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let dpo: TestBrowser;
    const t = () => a.tenantId;
    const page = (p = '') => `/${t()}/back-office/conservation${p}`;
    let soon = '';

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('bo-ret'));
      const submit = async (monthsAgo: number, nom: string) => {
        const r = await submitForm({ db, keys: server.ctx.keys }, a, 'contact-mairie', contactData({ nom }), { baseUrl: 'http://localhost', now: new Date(Date.now() - monthsAgo * MONTH) });
        assert.ok(r.ok);
        return r.stored.recordId;
      };
      // Kept two years: one is past due, one is held past due, two fall due in about six months.
      await submit(30, 'Échue');
      const held = await submit(30, 'Litige');
      soon = await submit(18, 'Bientôt');
      await submit(18, 'Bientôt aussi');
      assert.ok((await setHold(db, t(), held, 'Recours <b>contentieux</b> en cours', { actorId: null, actor: 'dpo@ret.example.fr' })).ok);
      const dpoAccount = await agentWithPassword(db, a, 'dpo', [], 'dpo@ret.example.fr');
      dpo = new TestBrowser(server.url);
      await signInEnrolling(server, dpo, t(), dpoAccount.id, 'dpo@ret.example.fr');
    });
    after(() => server.close());

    it('says what is past due and why, then what the purge did, with its certificate to download', async () => {
      const before = await dpo.get(page());
      assert.equal(before.status, 200);
      assert.match(before.body, /aria-current="page">Conservation/);
      assert.match(before.body, /2 demandes ont dépassé leur durée de conservation\. 1 sera supprimée à la prochaine purge/);
      // To delete, to anonymise, to archive, held, action to recompute.
      assert.match(before.body, /<th scope="row">Formulaire de contact de la mairie<\/th><td>1<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>0<\/td>/);
      assert.match(before.body, /Aucune purge n’a encore eu lieu/);
      assert.match(before.body, /Recours &lt;b&gt;contentieux&lt;\/b&gt; en cours/, 'the hold’s reason, escaped');
      assert.ok(!/Litige|Échue|claire\.martin/.test(before.body), 'nothing a citizen typed');

      const run = await runRetention(server.database.db, t(), { asOf: new Date(), keys: () => server.ctx.keys });
      const afterRun = await dpo.get(page());
      assert.match(afterRun.body, /1 demande a dépassé sa durée de conservation\.<\/p>/, 'the held one, and nothing left for the next purge');
      assert.match(afterRun.body, /<strong>Certificats intacts<\/strong> : 1 certificat vérifié/);
      const link = new RegExp(`href="(${page('/certificats/1.json')})" download`).exec(afterRun.body)?.[1];
      assert.ok(link);
      const file = await fetch(`${server.url}${link}`, { headers: { cookie: `bastide_agent=${dpo.cookie('bastide_agent')}` } });
      assert.equal(file.status, 200);
      assert.match(file.headers.get('content-disposition') ?? '', /attachment; filename="certificat-purge-.+-1\.json"/);
      const body = (await file.json()) as { hash: string; prevHash: string; certificate: string };
      assert.equal(body.hash, run.certificate!.hash);
      assert.equal(createHash('sha256').update(`${body.prevHash}\n${body.certificate}`).digest('hex'), body.hash, 'the download verifies by itself');
      assert.equal((await dpo.get(page('/certificats/2.json'))).status, 404);
      assert.equal((await dpo.get(page('/certificats/1;drop.json'))).status, 404);
    });

    it('draws the coming deletions as an SVG chart whose figures are also in a table', async () => {
      const body = (await dpo.get(page())).body;
      assert.match(body, /<svg viewBox="0 0 720 200" width="100%" role="img" aria-labelledby="prevision-titre prevision-resume">/);
      assert.match(body, /<desc id="prevision-resume">2 suppressions prévues au total ; au plus 2 la même semaine/);
      assert.equal([...body.matchAll(/<rect /g)].length, 1, 'one week with deletions, one bar');
      const row = /<tr><th scope="row">(\d{1,2} \S+ \d{4})<\/th><td>2<\/td><td>Formulaire de contact de la mairie : 2<\/td><\/tr>/.exec(body);
      assert.ok(row, 'the same week in the table');
      assert.ok(!/<script/.test(body), 'no script needed');
    });

    it('sets a hold from the page, refusing bad input on its field, journals it, and lifts it', async () => {
      const action = page('/mesures');
      const bad = await dpo.submit(page(), action, { demande: '12345', motif: 'x' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<title>Erreur : Durées de conservation/);
      assert.match(bad.body, /href="#mesure-demande">Saisissez l’identifiant complet/);
      assert.match(bad.body, /href="#mesure-motif">Indiquez le motif/);
      assert.match(bad.body, /aria-describedby="mesure-motif-hint mesure-motif-error" aria-invalid="true">x<\/textarea>/, 'what was typed is kept');
      const unknown = await dpo.submit(page(), action, { demande: '00000000-0000-4000-8000-000000000000', motif: 'Facture impayée' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body, /Aucune demande de la collectivité ne porte cet identifiant/);
      const forged = await dpo.post(action, { demande: soon, motif: 'Facture impayée' });
      assert.equal(forged.status, 403, 'no CSRF token, nothing done');

      const done = await dpo.submit(page(), action, { demande: soon.toUpperCase(), motif: 'Facture impayée, recouvrement en cours' });
      assert.equal(done.status, 303);
      const listed = await dpo.get(done.location!);
      assert.match(listed.body, /La demande est conservée/);
      assert.match(listed.body, new RegExp(`<td>${soon}</td><td>Formulaire de contact de la mairie</td><td>[^<]+</td><td>dpo@ret\\.example\\.fr</td><td>Facture impayée, recouvrement en cours</td>`));
      const journal = await dpo.get(`/${t()}/back-office/journal?demande=${soon}`);
      assert.match(journal.body, /<td>dpo@ret\.example\.fr<\/td><td>Conservation pour raison juridique<\/td>/);

      const lifted = await dpo.submit(page(), page(`/mesures/${soon}/levee`), {});
      assert.equal(lifted.status, 303);
      const after = await dpo.get(lifted.location!);
      assert.match(after.body, /La mesure est levée/);
      assert.ok(!after.body.includes(`<td>${soon}</td>`));
      assert.match((await dpo.get(`/${t()}/back-office/journal?demande=${soon}`)).body, /Levée de la conservation/);
      assert.equal((await dpo.submit(page(), page(`/mesures/${soon}/levee`), {})).status, 404, 'nothing left to lift');
    });

    it('is for the DPO only', async () => {
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'lea@ret.example.fr');
      const lea = new TestBrowser(server.url);
      await signInWithPassword(lea, t(), 'lea@ret.example.fr');
      for (const path of [page(), page('/certificats/1.json')]) assert.equal((await lea.get(path)).status, 403, path);
      assert.equal((await lea.submit(`/${t()}/back-office`, page('/mesures'), { demande: soon, motif: 'Pour voir' })).status, 403);
    });
  });
}
