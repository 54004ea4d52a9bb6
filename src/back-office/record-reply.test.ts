import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { readMail, startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, submitRecord, TestBrowser } from './testing.ts';

async function mailTo(smtp: TestSmtpServer, to: string, subject: RegExp) {
  for (let i = 0; i < 200; i++) {
    const found = smtp.received.map((m) => ({ m, r: readMail(m.raw) })).find(({ m, r }) => m.to.includes(to) && subject.test(r.headers.get('subject') ?? ''));
    if (found) return found.r;
    await sleep(25);
  }
  throw new Error(`no message to ${to}`);
}

for (const kind of testDatabaseKinds()) {
  describe(`back-office replies to the citizen (${kind})`, () => {
    let server: TestServer;
    let smtp: TestSmtpServer;
    let a: LoadedRegister;
    let agent: TestBrowser;
    let outsider: TestBrowser;
    let id = '';
    const t = () => a.tenantId;
    const rec = () => `/${t()}/back-office/demandes/${id}`;

    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, smtpUrl: smtp.url });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-rep'));
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'lea@rep.example.fr');
      await agentWithPassword(server.database.db, a, 'agent', ['rh'], 'rh@rep.example.fr');
      agent = new TestBrowser(server.url);
      outsider = new TestBrowser(server.url);
      await signInWithPassword(agent, t(), 'lea@rep.example.fr');
      await signInWithPassword(outsider, t(), 'rh@rep.example.fr');
      id = await submitRecord(server.url, t(), 'contact-mairie', contactData({ courriel: 'claire.reponse@example.fr' }));
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('e-mails the reply to the request’s address, keeps it sealed with the record and shows it escaped', async () => {
      const sent = await agent.submit(rec(), `${rec()}/reponse`, { reponse: 'Le lampadaire sera réparé <mardi>.' });
      assert.equal(sent.status, 303);
      const mail = await mailTo(smtp, 'claire.reponse@example.fr', /^Réponse à votre demande/);
      assert.match(mail.decoded, /Le lampadaire sera réparé <mardi>\./);
      assert.ok(mail.decoded.includes(`${server.url}/${t()}/mon-compte`));
      const page = await agent.get(sent.location!);
      assert.match(page.body, /La réponse est envoyée/);
      assert.ok(page.body.includes('Le lampadaire sera réparé &lt;mardi&gt;.'));
      assert.match(page.body, /Envoyée par lea@rep\.example\.fr/);
      const rows = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.selectFrom('record_replies').select(['sealed', 'record_id']).execute());
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.record_id, id);
      assert.ok(!rows[0]!.sealed.includes('lampadaire'), 'sealed at rest');
    });

    it('refuses an empty or over-long reply on the field, giving back what was typed, and sends nothing', async () => {
      const before = smtp.received.length;
      const empty = await agent.submit(rec(), `${rec()}/reponse`, { reponse: '   ' });
      assert.equal(empty.status, 400);
      assert.match(empty.body, /id="reponse-error"/);
      assert.match(empty.body, /Saisissez le texte de la réponse/);
      const long = 'y'.repeat(10_001);
      const refused = await agent.submit(rec(), `${rec()}/reponse`, { reponse: long });
      assert.equal(refused.status, 400);
      assert.ok(refused.body.includes(long));
      await sleep(200);
      assert.equal(smtp.received.length, before);
    });

    it('refuses a reply without the CSRF token, and to an agent of another service', async () => {
      assert.equal((await agent.post(`${rec()}/reponse`, { reponse: 'forgée' })).status, 403);
      const list = await outsider.get(`/${t()}/back-office`);
      assert.equal((await outsider.post(`${rec()}/reponse`, { csrf: csrfOf(list.body), reponse: 'intrus' })).status, 404);
      const rows = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.selectFrom('record_replies').select('id').execute());
      assert.equal(rows.length, 1);
    });
  });
}
