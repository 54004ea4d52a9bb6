import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueToken } from '../../accounts/api-tokens.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, TestBrowser } from '../testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`API tokens on the account page (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;
    const account = () => `/${t()}/back-office/compte`;
    const api = (token: string) => fetch(`${server.url}/api/v1/${t()}/records`, { headers: { authorization: `Bearer ${token}` } });

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-tok'));
    });
    after(() => server.close());

    it('lists the agent’s live tokens by the end of their id, and revokes one at once with its button', async () => {
      const db = server.database.db;
      const lea = await agentWithPassword(db, a, 'agent', ['accueil'], 'lea@tok.example.fr');
      const marc = await agentWithPassword(db, a, 'agent', ['accueil'], 'marc@tok.example.fr');
      const mine = await issueToken(db, { tenantId: t(), agentId: lea.id, ttl: 'P7D' });
      const kept = await issueToken(db, { tenantId: t(), agentId: lea.id, ttl: 'P1D' });
      const theirs = await issueToken(db, { tenantId: t(), agentId: marc.id, ttl: 'P1D' });
      const browser = new TestBrowser(server.url);
      await signInWithPassword(browser, t(), 'lea@tok.example.fr');
      const page = await browser.get(account());
      assert.ok(page.body.includes(`<code>…${mine.publicId.slice(-6)}</code>`));
      assert.ok(page.body.includes(`<code>…${kept.publicId.slice(-6)}</code>`));
      assert.ok(!page.body.includes(theirs.publicId.slice(-6)), 'only the account’s own tokens');
      assert.ok(!page.body.includes(mine.token), 'never the secret');

      const revoked = await browser.post(`${account()}/jetons/${mine.publicId}/revocation`, { csrf: csrfOf(page.body) });
      assert.equal(revoked.status, 303);
      assert.equal((await api(mine.token)).status, 401);
      assert.equal((await api(kept.token)).status, 200);
      assert.ok(!(await browser.get(account())).body.includes(mine.publicId.slice(-6)));

      // Another account's token id revokes nothing.
      await browser.post(`${account()}/jetons/${theirs.publicId}/revocation`, { csrf: csrfOf(page.body) });
      assert.equal((await api(theirs.token)).status, 200);
    });
  });
}
