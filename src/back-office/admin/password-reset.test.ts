import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCode } from '../../accounts/totp.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../mail/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, TestBrowser, type Page } from '../testing.ts';
import { countMailsTo, linkIn, mailTo, signInEnrolling } from './testing.ts';

const NEW_PASSWORD = 'Hirondelle-Tilleul-Cerise-2027;';

for (const kind of testDatabaseKinds()) {
  describe(`agent password reset by e-mail (${kind})`, () => {
    let server: TestServer;
    let smtp: TestSmtpServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;
    const forgot = () => `/${t()}/back-office/mot-de-passe-oublie`;
    const ask = (browser: TestBrowser, email: string) => browser.submit(forgot(), forgot(), { email });
    /** Sets `password` through the link of the message. */
    async function follow(browser: TestBrowser, link: string, password = NEW_PASSWORD): Promise<Page> {
      const form = await browser.get(link);
      if (form.status !== 200) return form;
      const jeton = new URL(link, server.url).searchParams.get('jeton')!;
      return browser.post(`/${t()}/back-office/mot-de-passe`, { csrf: csrfOf(form.body), jeton, password, confirmation: password });
    }

    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, smtpUrl: smtp.url });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-reset'));
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('links to the request page from the sign-in page', async () => {
      const page = await new TestBrowser(server.url).get(`/${t()}/back-office/connexion`);
      assert.ok(page.body.includes(`<a href="${forgot()}">Mot de passe oublié ?</a>`));
    });

    it('answers exactly the same whether or not the e-mail has an account, and mails only the account', async () => {
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'known@reset.example.fr');
      const browser = new TestBrowser(server.url);
      const known = await ask(browser, 'known@reset.example.fr');
      const unknown = await ask(browser, 'nobody@reset.example.fr');
      const strip = (p: Page) => p.body.replace(/name="csrf" value="[^"]+"/, '');
      assert.equal(known.status, 200);
      assert.deepEqual([unknown.status, strip(unknown)], [known.status, strip(known)]);
      assert.match(known.body, /Si un compte actif existe pour cette adresse/);
      assert.match(await mailTo(smtp, 'known@reset.example.fr'), /mot-de-passe\?jeton=/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(countMailsTo(smtp, 'nobody@reset.example.fr'), 0);
    });

    it('sets the new password once from the link, ends every session, and refuses the link a second time', async () => {
      const email = 'twice@reset.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      const open = new TestBrowser(server.url);
      await signInWithPassword(open, t(), email);
      assert.equal((await open.get(`/${t()}/back-office`)).status, 200);
      await ask(new TestBrowser(server.url), email);
      const link = linkIn(await mailTo(smtp, email), 'mot-de-passe');
      const done = await follow(new TestBrowser(server.url), link);
      assert.equal(done.status, 200);
      assert.match(done.body, /toutes vos sessions sont fermées/);
      assert.equal((await open.get(`/${t()}/back-office`)).status, 303, 'the session open before the reset is over');
      assert.equal((await signInWithPassword(new TestBrowser(server.url), t(), email)).status, 401, 'the old password no longer works');
      assert.equal((await signInWithPassword(new TestBrowser(server.url), t(), email, NEW_PASSWORD)).status, 303);
      const again = await follow(new TestBrowser(server.url), link, 'Encore-Un-Autre-Mot-2027!');
      assert.equal(again.status, 410);
      assert.match(again.body, /déjà servi/);
      assert.match(again.body, /Demander un nouveau lien/);
    });

    it('refuses a reset link after its hour', async () => {
      const email = 'late@reset.example.fr';
      const agent = await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      await ask(new TestBrowser(server.url), email);
      const link = linkIn(await mailTo(smtp, email), 'mot-de-passe');
      await server.database.db.updateTable('account_links').set({ expires_at: new Date(Date.now() - 1) }).where('tenant_id', '=', t()).where('account_id', '=', agent.id).execute();
      const late = await follow(new TestBrowser(server.url), link);
      assert.equal(late.status, 410);
      assert.match(late.body, /Ce lien a expiré/);
      assert.equal((await new TestBrowser(server.url).get(`/${t()}/back-office/mot-de-passe?jeton=pas-un-jeton`)).status, 410);
    });

    it('still asks for the second factor after a reset', async () => {
      const email = 'dpo@reset.example.fr';
      const dpo = await agentWithPassword(server.database.db, a, 'dpo', [], email);
      const secret = await signInEnrolling(server, new TestBrowser(server.url), t(), dpo.id, email);
      await ask(new TestBrowser(server.url), email);
      assert.equal((await follow(new TestBrowser(server.url), linkIn(await mailTo(smtp, email), 'mot-de-passe'))).status, 200);
      const browser = new TestBrowser(server.url);
      const next = await signInWithPassword(browser, t(), email, NEW_PASSWORD);
      assert.equal(next.location, `/${t()}/back-office/verification`);
      assert.equal((await browser.get(`/${t()}/back-office`)).status, 303, 'not signed in before the code');
      const code = await browser.submit(next.location, next.location, { code: totpCode(secret, Date.now() + 30_000) });
      assert.equal(code.status, 303);
    });

    it('refuses a weak password without using the link, and a form without its CSRF token', async () => {
      const email = 'weak@reset.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      await ask(new TestBrowser(server.url), email);
      const link = linkIn(await mailTo(smtp, email), 'mot-de-passe');
      const weak = await follow(new TestBrowser(server.url), link, 'court');
      assert.equal(weak.status, 400);
      assert.match(weak.body, /<title>Erreur : Choisir un nouveau mot de passe/);
      const jeton = new URL(link, server.url).searchParams.get('jeton')!;
      const forged = await new TestBrowser(server.url).post(`/${t()}/back-office/mot-de-passe`, { jeton, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(forged.status, 403);
      assert.equal((await follow(new TestBrowser(server.url), link)).status, 200, 'the link still works after both refusals');
      const noToken = await new TestBrowser(server.url).post(forgot(), { email });
      assert.equal(noToken.status, 403);
      assert.match(noToken.body, /Le formulaire a expiré/);
    });

    it('sends one account at most three reset messages an hour, answering the same page each time', async () => {
      const email = 'flood@reset.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      for (let i = 0; i < 5; i++) assert.equal((await ask(new TestBrowser(server.url), email)).status, 200);
      await mailTo(smtp, email, 3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(countMailsTo(smtp, email), 3);
    });
  });
}

describe('agent password reset requests from one address', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ authFailuresPerMinute: 3 });
  });
  after(() => server.close());

  it('are slowed like sign-in failures, with the same answer for any e-mail', async () => {
    const a = await loadCommune(server.database.db, uniqueTenantId('bo-reset-rate'));
    const browser = new TestBrowser(server.url);
    const path = `/${a.tenantId}/back-office/mot-de-passe-oublie`;
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 4; i++) {
      const r = await browser.submit(path, path, { email: `person${i}@reset.example.fr` });
      statuses.push(r.status);
      last = r.body;
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.match(last, /Trop de demandes depuis cette adresse : réessayez dans/);
  });
});
