import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../back-office/testing.ts';
import { signIn as citizenSignIn } from '../citizens/testing.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';

// Wrong passwords spread over many accounts, one try each: no account reaches its own lockout, the address does.
for (const kind of testDatabaseKinds()) {
  for (const who of ['agent', 'citizen'] as const) {
    describe(`sign-in failures spread over many accounts from one address (${who}, ${kind})`, () => {
      let server: TestServer;
      let a: LoadedRegister;
      const emails = ['un', 'deux', 'trois', 'quatre', 'cinq', 'six'].map((n) => `${n}@spread.example.fr`);
      const attempt = (browser: TestBrowser, email: string, password: string) =>
        who === 'agent' ? signInWithPassword(browser, a.tenantId, email, password) : citizenSignIn(browser, a.tenantId, email, password);

      before(async () => {
        server = await startTestServer({ kind, authFailuresPerMinute: 4 });
        a = await loadCommune(server.database.db, uniqueTenantId('spread'));
        if (who === 'agent') for (const email of emails.slice(0, 3)) await agentWithPassword(server.database.db, a, 'agent', ['accueil'], email);
      });
      after(() => server.close());

      it('slows the address once it has failed on several accounts, with a French message and Retry-After, even for a right password', async () => {
        const browser = new TestBrowser(server.url);
        const answers: number[] = [];
        let last = await attempt(browser, emails[0]!, 'mauvais-mot-de-passe');
        answers.push(last.status);
        for (const email of emails.slice(1, 5)) {
          last = await attempt(browser, email, 'mauvais-mot-de-passe');
          answers.push(last.status);
        }
        assert.deepEqual(answers, [401, 401, 401, 401, 429]);
        assert.match(last.body, /Trop de tentatives (de connexion )?depuis cette adresse : réessayez/);
        assert.match(last.headers.get('retry-after') ?? '', /^\d+$/);
        if (who === 'agent') {
          const right = await attempt(new TestBrowser(server.url), emails[2]!, 'Glycine-Ardoise-Tramontane-2027!');
          assert.equal(right.status, 429, 'the address waits whatever it sends');
        }
      });
    });
  }
}
