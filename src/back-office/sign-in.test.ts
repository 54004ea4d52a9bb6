import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCode } from '../accounts/totp.ts';
import { pendingTotpSecret } from '../accounts/sign-in.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { AGENT_COOKIE } from '../sessions/session-cookie.ts';
import { agentWithPassword, csrfOf, PASSWORD, signInWithPassword, TestBrowser } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`back-office sign-in (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-sign'));
    });
    after(() => server.close());

    it('signs an agent in with a new session id, and out everywhere that id is used', async () => {
      const email = 'accueil@bo.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      const browser = new TestBrowser(server.url);
      const signedIn = await signInWithPassword(browser, t(), email);
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.location, `/${t()}/back-office`);
      const id = browser.cookie(AGENT_COOKIE);
      assert.ok(id);
      const cookieLine = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${AGENT_COOKIE}=`))!;
      assert.match(cookieLine, /HttpOnly/i);
      assert.match(cookieLine, /SameSite=Lax/i);
      const list = await browser.get(`/${t()}/back-office`);
      assert.equal(list.status, 200);
      assert.match(list.body, /Demandes de mes services/);
      assert.match(list.body, /la session se ferme à/);

      // A copy of the cookie (another tab, a stolen copy) dies with the sign-out.
      const copy = new TestBrowser(server.url);
      copy.setCookie(AGENT_COOKIE, id);
      assert.equal((await copy.get(`/${t()}/back-office`)).status, 200);
      const out = await browser.post(`/${t()}/back-office/deconnexion`, { csrf: csrfOf(list.body) });
      assert.equal(out.status, 303);
      const reused = await copy.get(`/${t()}/back-office`);
      assert.equal(reused.status, 303);
      assert.match(reused.location ?? '', /connexion\?fin=expiree/);
      const page = await copy.get(reused.location!);
      assert.match(page.body, /Votre session a expiré/);
    });

    it('ends a session left idle past its deadline', async () => {
      const email = 'idle@bo.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      const browser = new TestBrowser(server.url);
      await signInWithPassword(browser, t(), email);
      assert.equal((await browser.get(`/${t()}/back-office`)).status, 200);
      await server.database.db.updateTable('sessions').set({ idle_expires_at: new Date(Date.now() - 1000) }).where('tenant_id', '=', t()).execute();
      assert.equal((await browser.get(`/${t()}/back-office`)).status, 303);
    });

    it('refuses a wrong password, then locks the account and says until when, the same way for an unknown e-mail', async () => {
      const email = 'lock@bo.example.fr';
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      const browser = new TestBrowser(server.url);
      const answers: number[] = [];
      let last = '';
      for (let i = 0; i < 5; i++) {
        const r = await signInWithPassword(browser, t(), email, 'mauvais-mot-de-passe');
        answers.push(r.status);
        last = r.body;
      }
      assert.deepEqual(answers, [401, 401, 401, 401, 429]);
      assert.match(last, /bloquée jusqu’au/);
      assert.match(last, /aria-invalid="true"/);
      // The right password does not open a locked account.
      const right = await signInWithPassword(browser, t(), email);
      assert.equal(right.status, 429);
      assert.equal(browser.cookie(AGENT_COOKIE), undefined);

      const ghost: number[] = [];
      for (let i = 0; i < 5; i++) ghost.push((await signInWithPassword(browser, t(), 'personne@bo.example.fr', 'mauvais-mot-de-passe')).status);
      assert.deepEqual(ghost, answers, 'an e-mail without an account locks exactly like an account');
    });

    it('refuses a sign-in form without its CSRF token', async () => {
      const browser = new TestBrowser(server.url);
      await browser.get(`/${t()}/back-office/connexion`);
      const r = await browser.post(`/${t()}/back-office/connexion`, { email: 'x@bo.example.fr', password: PASSWORD });
      assert.equal(r.status, 403);
      assert.match(r.body, /a expiré/);
    });

    it('makes an admin enrol in TOTP, then asks for a code once only, or a recovery code once', async () => {
      const email = 'admin@bo.example.fr';
      const admin = await agentWithPassword(server.database.db, a, 'admin', [], email);
      const browser = new TestBrowser(server.url);
      const first = await signInWithPassword(browser, t(), email);
      assert.equal(first.location, `/${t()}/back-office/double-authentification`);
      // Not signed in yet: the list sends back to the sign-in page.
      assert.equal((await browser.get(`/${t()}/back-office`)).status, 303);
      const enrol = await browser.get(`/${t()}/back-office/double-authentification`);
      assert.match(enrol.body, /<img src="data:image\/svg\+xml;base64,/);
      const secret = (await pendingTotpSecret(server.database.db, server.ctx.keys, t(), admin.id))!;
      assert.match(enrol.body.replace(/ /g, ''), new RegExp(secret));
      const wrong = await browser.post(`/${t()}/back-office/double-authentification`, { csrf: csrfOf(enrol.body), code: '000000' });
      assert.equal(wrong.status, 400);
      const now = Date.now();
      const codesPage = await browser.post(`/${t()}/back-office/double-authentification`, { csrf: csrfOf(wrong.body), code: totpCode(secret, now) });
      assert.equal(codesPage.status, 200);
      const codes = [...codesPage.body.matchAll(/<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
      assert.equal(codes.length, 10);
      assert.equal((await browser.get(`/${t()}/back-office`)).status, 200);

      // Next time: password, then a code; the code just used is refused (replay), the next one accepted.
      const other = new TestBrowser(server.url);
      assert.equal((await signInWithPassword(other, t(), email)).location, `/${t()}/back-office/verification`);
      const replay = await other.submit(`/${t()}/back-office/verification`, `/${t()}/back-office/verification`, { code: totpCode(secret, now) });
      assert.equal(replay.status, 401);
      assert.match(replay.body, /déjà utilisé/);
      const fresh = await other.submit(`/${t()}/back-office/verification`, `/${t()}/back-office/verification`, { code: totpCode(secret, now + 30_000) });
      assert.equal(fresh.status, 303);
      assert.equal((await other.get(`/${t()}/back-office`)).status, 200);

      // A recovery code opens one sign-in, then it is spent.
      for (const expected of [303, 401]) {
        const b = new TestBrowser(server.url);
        await signInWithPassword(b, t(), email);
        const r = await b.submit(`/${t()}/back-office/verification`, `/${t()}/back-office/verification`, { code: codes[0]!.toLowerCase() });
        assert.equal(r.status, expected);
      }
    });
  });
}
