import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, submitRecord, TestBrowser } from '../back-office/testing.ts';
import { CITIZEN_COOKIE } from './citizen-session.ts';
import { account, CITIZEN_PASSWORD, confirmedCitizen, signIn } from './testing.ts';

const CLAIRE = 'claire.demandes@example.fr';
const PAUL = 'paul.voisin@example.fr';

for (const kind of testDatabaseKinds()) {
  describe(`citizen accounts: Mes demandes, who consulted, deletion (${kind})`, () => {
    let server: TestServer;
    let smtp: TestSmtpServer;
    let a: LoadedRegister;
    let claire: TestBrowser;
    let paul: TestBrowser;
    const ids = { earlier: '', newsletter: '', sms: '', paul: '' };
    const t = () => a.tenantId;
    const countRecords = (id: string) =>
      withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.selectFrom('records').select('id').where('id', '=', id).execute()).then((r) => r.length);

    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, smtpUrl: smtp.url });
      a = await loadCommune(server.database.db, uniqueTenantId('cit-req'));
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'lea.accueil@req.example.fr');
      // Sent before the account exists, with the address that will be confirmed: found through the blind index.
      ids.earlier = await submitRecord(server.url, t(), 'contact-mairie', contactData({ courriel: CLAIRE, message: 'Horaires <b>du</b> marché ?' }));
      ids.newsletter = await submitRecord(server.url, t(), 'abonnement-lettre', { courriel: CLAIRE });
      // Consent-based, so erasable, but held by the DPO (an unpaid bill, a litigation): kept with the account's deletion.
      ids.sms = await submitRecord(server.url, t(), 'abonnement-sms', { nom: 'Martin', telephonePortable: '06 12 34 56 78', courriel: CLAIRE });
      await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) =>
        trx.insertInto('record_holds').values({ tenant_id: t(), record_id: ids.sms, reason: 'Litige en cours sur un envoi', set_by: 'dpo@cit-req.example.fr' }).execute(),
      );
      ids.paul = await submitRecord(server.url, t(), 'contact-mairie', contactData({ courriel: PAUL, nom: 'Voisin' }));
      claire = new TestBrowser(server.url);
      paul = new TestBrowser(server.url);
      await confirmedCitizen(claire, smtp, t(), CLAIRE);
      await confirmedCitizen(paul, smtp, t(), PAUL);
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('lists the requests sent earlier with the confirmed address, with status and deletion date, and no one else’s', async () => {
      const home = await claire.get(account(t()));
      assert.equal(home.status, 200);
      assert.match(home.body, /Mes demandes \(3\)/);
      assert.ok(home.body.includes(`/demandes/${ids.earlier}`));
      assert.ok(home.body.includes(`/demandes/${ids.newsletter}`));
      assert.ok(!home.body.includes(ids.paul), 'another person’s request is not listed');
      assert.match(home.body, /Reçue/);
      assert.match(home.body, /Sera supprimée le \d{1,2} \S+ \d{4}/);
    });

    it('shows a request with the agent’s reply, escaped, and who consulted it by service, never the agent', async () => {
      const agent = new TestBrowser(server.url);
      await signInWithPassword(agent, t(), 'lea.accueil@req.example.fr');
      const rec = `/${t()}/back-office/demandes/${ids.earlier}`;
      const sent = await agent.submit(rec, `${rec}/reponse`, { reponse: 'Le marché ouvre à <8 h>.' });
      assert.equal(sent.status, 303);

      const page = await claire.get(`${account(t())}/demandes/${ids.earlier}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes('Le marché ouvre à &lt;8 h&gt;.'), 'the reply, escaped');
      assert.ok(page.body.includes('Horaires &lt;b&gt;du&lt;/b&gt; marché ?'), 'what was typed, escaped');
      assert.match(page.body, /Qui a consulté ma demande/);
      assert.match(page.body, /Ce journal est conservé 1 an : les consultations plus anciennes n’y figurent plus\./);
      assert.match(page.body, /Accueil de la mairie/);
      assert.match(page.body, /Vous, depuis votre compte/);
      assert.ok(!page.body.includes('lea.accueil'), 'the agent is named by their service only');
      assert.match(page.body, /Sera supprimée le/);
    });

    it('answers 404 for another citizen’s request, an unknown id and a malformed one, without a sign of which', async () => {
      const other = await paul.get(`${account(t())}/demandes/${ids.earlier}`);
      assert.equal(other.status, 404);
      assert.ok(!other.body.includes('marché'));
      const unknown = await paul.get(`${account(t())}/demandes/00000000-0000-4000-8000-000000000000`);
      assert.equal(unknown.status, 404);
      const malformed = await paul.get(`${account(t())}/demandes/'%20OR%201=1--`);
      assert.equal(malformed.status, 404);
      assert.match(malformed.body, /lang="fr"/);
      // Signed out, the page asks to sign in first and shows nothing.
      const anonymous = await new TestBrowser(server.url).get(`${account(t())}/demandes/${ids.earlier}`);
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.location ?? '', /\/mon-compte\/connexion/);
    });

    it('deletes the account once its password is given: the consent-based request goes, the public-task and the held ones are kept and say why', async () => {
      const plan = await claire.get(`${account(t())}/suppression`);
      assert.equal(plan.status, 200);
      const [erasedPart, keptPart] = plan.body.split('Demandes que la collectivité doit conserver');
      assert.match(erasedPart!, /S&#39;abonner à la lettre d&#39;information/);
      assert.ok(!erasedPart!.includes('Contacter'), keptPart);
      assert.match(keptPart!, /<strong>Contacter la mairie<\/strong>, envoyée le .*Sera supprimée le .*article 17\.3\.b du RGPD/);
      assert.match(keptPart!, /Recevoir les alertes de la commune par SMS<\/strong>.*conservation pour raison juridique/s);
      assert.ok(!plan.body.includes('Litige en cours'), 'the hold’s reason stays with the DPO');

      const wrong = await claire.post(`${account(t())}/suppression`, { csrf: csrfOf(plan.body), current: 'pas le bon' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body, /id="current-error"/);
      assert.equal(await countRecords(ids.newsletter), 1, 'nothing erased on a wrong password');
      const forged = await claire.post(`${account(t())}/suppression`, { current: CITIZEN_PASSWORD });
      assert.equal(forged.status, 403);

      const done = await claire.post(`${account(t())}/suppression`, { csrf: csrfOf(plan.body), current: CITIZEN_PASSWORD });
      assert.equal(done.status, 200);
      assert.match(done.body, /1 demande a été supprimée ; 2 sont conservées/);
      assert.ok(done.headers.getSetCookie().some((c) => c.startsWith(`${CITIZEN_COOKIE}=;`)), 'the cookie is cleared');
      assert.equal(await countRecords(ids.newsletter), 0);
      const ledger = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.selectFrom('erasure_ledger').select(['action', 'run_id']).where('tenant_id', '=', t()).where('record_id', '=', ids.newsletter).execute());
      assert.deepEqual(ledger, [{ action: 'delete', run_id: null }], 'the erasure is in the ledger, for a backup restore to replay it');
      assert.equal(await countRecords(ids.earlier), 1);
      assert.equal(await countRecords(ids.sms), 1, 'the held request is kept');
      assert.equal(await countRecords(ids.paul), 1);
      assert.equal((await signIn(new TestBrowser(server.url), t(), CLAIRE)).status, 401, 'the account no longer exists');
      // Paul's account and requests are untouched.
      assert.match((await paul.get(account(t()))).body, /Mes demandes \(1\)/);
    });
  });
}
