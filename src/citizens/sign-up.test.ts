import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { countMailsTo, mailTo } from '../back-office/admin/testing.ts';
import { csrfOf, TestBrowser } from '../back-office/testing.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { loadCommune } from '../records/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { CITIZEN_COOKIE } from './citizen-session.ts';
import { account, CITIZEN_PASSWORD, citizenLink, confirm, confirmedCitizen, signIn, signUp } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`citizen accounts: sign-up, sign-in, passwords (${kind})`, () => {
    let server: TestServer;
    let smtp: TestSmtpServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;

    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, smtpUrl: smtp.url, registers: [EXAMPLE_REGISTERS.departement] });
      a = await loadCommune(server.database.db, uniqueTenantId('cit-sign'));
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('creates an account that opens only once its address is confirmed with the password, and the link works once', async () => {
      const email = 'nina.confirme@example.fr';
      const browser = new TestBrowser(server.url);
      const sent = await signUp(browser, t(), email);
      assert.equal(sent.status, 200);
      assert.match(sent.body, /Un message a été envoyé à nina\.confirme@example\.fr/);
      // Not confirmed: the right password sends a new link and opens nothing.
      const early = await signIn(browser, t(), email);
      assert.equal(early.status, 403);
      assert.match(early.body, /pas encore confirmée/);
      assert.equal(browser.cookie(CITIZEN_COOKIE), undefined);
      const link = citizenLink(await mailTo(smtp, email, 2), 'confirmation');
      const wrong = await confirm(browser, link, 'pas le bon mot de passe');
      assert.equal(wrong.status, 401);
      assert.match(wrong.body, /Mot de passe incorrect/);
      const done = await confirm(browser, link);
      assert.equal(done.status, 303);
      assert.equal(done.location, `${account(t())}?fait=confirme`);
      const line = done.headers.getSetCookie().find((c) => c.startsWith(`${CITIZEN_COOKIE}=`))!;
      assert.match(line, /HttpOnly/i);
      assert.match(line, /SameSite=Lax/i);
      assert.match(line, new RegExp(`Path=/${t()}(;|$)`));
      const home = await browser.get(done.location!);
      assert.equal(home.status, 200);
      assert.match(home.body, /Votre adresse est confirmée/);
      assert.match(home.body, /Mes demandes/);
      const twice = await confirm(new TestBrowser(server.url), link);
      assert.equal(twice.status, 410);
      assert.match(twice.body, /Ce lien a déjà servi/);
    });

    it('refuses an expired confirmation link, a weak password and a bad address, each tied to its field', async () => {
      const email = 'paul.expire@example.fr';
      const browser = new TestBrowser(server.url);
      await signUp(browser, t(), email);
      const link = citizenLink(await mailTo(smtp, email), 'confirmation');
      await server.database.db.updateTable('account_links').set({ expires_at: new Date(Date.now() - 1000) }).where('tenant_id', '=', t()).where('account_kind', '=', 'citizen').execute();
      const late = await confirm(browser, link);
      assert.equal(late.status, 410);
      assert.match(late.body, /Ce lien a expiré/);
      const weak = await signUp(browser, t(), 'autre@example.fr', 'court');
      assert.equal(weak.status, 400);
      assert.match(weak.body, /<title>Erreur : /);
      assert.match(weak.body, /href="#password"/);
      assert.match(weak.body, /Le mot de passe est trop faible/);
      const bad = await signUp(browser, t(), 'pas-une-adresse');
      assert.match(bad.body, /href="#email"/);
      assert.match(bad.body, /nom@domaine\.fr/);
    });

    it('answers a sign-up of an address that has an account as any other, and e-mails its owner instead of a link', async () => {
      const email = 'deja@example.fr';
      await confirmedCitizen(new TestBrowser(server.url), smtp, t(), email);
      const again = await signUp(new TestBrowser(server.url), t(), email, 'Un-Autre-Mot-De-Passe-99');
      assert.equal(again.status, 200);
      assert.match(again.body, /Un message a été envoyé à deja@example\.fr/);
      assert.match(await mailTo(smtp, email, 2), /vous avez déjà un compte/);
      // The first password still opens it.
      assert.equal((await signIn(new TestBrowser(server.url), t(), email)).status, 303);
    });

    it('locks after five failures and says until when, the same way for an address without an account', async () => {
      const email = 'lock@example.fr';
      await confirmedCitizen(new TestBrowser(server.url), smtp, t(), email);
      for (const who of [email, 'personne@example.fr']) {
        const browser = new TestBrowser(server.url);
        const answers: number[] = [];
        let last = '';
        for (let i = 0; i < 5; i++) {
          const r = await signIn(browser, t(), who, 'mauvais mot de passe');
          answers.push(r.status);
          last = r.body;
        }
        assert.deepEqual(answers, [401, 401, 401, 401, 429], who);
        assert.match(last, /bloquée jusqu’au/);
        assert.match(last, /aria-invalid="true"/);
      }
      assert.equal((await signIn(new TestBrowser(server.url), t(), email)).status, 429);
    });

    it('ends the session wherever its cookie is used once signed out, and after a password change', async () => {
      const email = 'session@example.fr';
      const browser = new TestBrowser(server.url);
      await confirmedCitizen(browser, smtp, t(), email);
      const copy = new TestBrowser(server.url);
      copy.setCookie(CITIZEN_COOKIE, browser.cookie(CITIZEN_COOKIE)!);
      const home = await copy.get(account(t()));
      assert.equal(home.status, 200);
      assert.match(home.body, /la session se ferme à/);
      const out = await browser.post(`${account(t())}/deconnexion`, { csrf: csrfOf(home.body) });
      assert.equal(out.status, 303);
      const reused = await copy.get(account(t()));
      assert.equal(reused.status, 303);
      assert.equal(reused.location, `${account(t())}/connexion?fin=expiree`);
      assert.match((await copy.get(reused.location!)).body, /Votre session a expiré/);

      await signIn(browser, t(), email);
      const other = new TestBrowser(server.url);
      await signIn(other, t(), email);
      const NEW = 'Nouveau-Mot-De-Passe-2027!';
      const changed = await browser.submit(`${account(t())}/mot-de-passe`, `${account(t())}/mot-de-passe`, { current: CITIZEN_PASSWORD, password: NEW, confirmation: NEW });
      assert.equal(changed.status, 303);
      assert.equal((await browser.get(account(t()))).status, 200, 'this browser goes on under a new id');
      assert.equal((await other.get(account(t()))).status, 303, 'the other session ended');
      assert.equal((await signIn(new TestBrowser(server.url), t(), email, NEW)).status, 303);
    });

    it('resets a forgotten password with a one-hour link that works once, with the same answer for an unknown address', async () => {
      const email = 'oubli@example.fr';
      await confirmedCitizen(new TestBrowser(server.url), smtp, t(), email);
      const browser = new TestBrowser(server.url);
      const path = `${account(t())}/mot-de-passe-oublie`;
      const unknown = await browser.submit(path, path, { email: 'inconnu@example.fr' });
      const known = await browser.submit(path, path, { email });
      assert.equal(unknown.status, 200);
      assert.equal(known.status, 200);
      assert.equal(unknown.body.replace(/inconnu@example\.fr/g, ''), known.body.replace(/oubli@example\.fr/g, ''));
      const link = citizenLink(await mailTo(smtp, email, 2), 'nouveau-mot-de-passe');
      assert.equal(countMailsTo(smtp, 'inconnu@example.fr'), 0);
      const NEW = 'Printemps-Riviere-Sable-31';
      const form = await browser.get(link);
      const token = /name="jeton" value="([^"]+)"/.exec(form.body)![1]!;
      const set = await browser.post(`${account(t())}/nouveau-mot-de-passe`, { csrf: csrfOf(form.body), jeton: token, password: NEW, confirmation: NEW });
      assert.equal(set.status, 303);
      assert.equal((await signIn(new TestBrowser(server.url), t(), email, NEW)).status, 303);
      assert.equal((await browser.get(link)).status, 410);
    });

    it('refuses every state-changing form without its CSRF token, and changes nothing', async () => {
      const email = 'csrf@example.fr';
      const browser = new TestBrowser(server.url);
      await confirmedCitizen(browser, smtp, t(), email);
      const base = account(t());
      for (const path of ['/deconnexion', '/prolonger', '/mot-de-passe', '/profil', '/suppression']) {
        const r = await browser.post(`${base}${path}`, { csrf: 'v1.forged', current: CITIZEN_PASSWORD, email: 'x@example.fr', password: 'Zz-123456789-zZ', confirmation: 'Zz-123456789-zZ' });
        assert.equal(r.status, 403, path);
        assert.match(r.body, /Formulaire expiré/);
      }
      assert.equal((await browser.get(base)).status, 200, 'still signed in, account still there');
      const anonymous = new TestBrowser(server.url);
      for (const path of ['/inscription', '/connexion', '/mot-de-passe-oublie', '/confirmation', '/nouveau-mot-de-passe']) {
        await anonymous.get(`${base}/connexion`);
        const r = await anonymous.post(`${base}${path}`, { email, password: CITIZEN_PASSWORD, confirmation: CITIZEN_PASSWORD, jeton: 'x' });
        assert.equal(r.status, 403, path);
        assert.match(r.body, /Ce formulaire a expiré ou ne vient pas de cette page/);
      }
    });

    it('has no account pages for an authority whose register declares no accounts', async () => {
      const r = await new TestBrowser(server.url).get('/haute-vallee/mon-compte/connexion');
      assert.equal(r.status, 404);
    });
  });
}
