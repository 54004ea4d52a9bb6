import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { contactData, loadCommune, reportData } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { listForAgent, PAGE_SIZE } from './record-list.ts';
import { submitRecord } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`the back-office list's total (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let agent: Principal;

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-count'));
      agent = { kind: 'agent', tenantId: a.tenantId, agentId: '00000000-0000-4000-8000-000000000001', services: ['accueil'] };
      for (const message of ['un', 'deux', 'trois']) await submitRecord(server.url, a.tenantId, 'contact-mairie', contactData({ message }));
      await submitRecord(server.url, a.tenantId, 'signalement', reportData());
    });
    after(() => server.close());

    it('is exact while it stays within the count ahead, and counts only the agent’s services', async () => {
      const listed = await listForAgent(server.database.db, agent, {}, 'recent', 1);
      assert.equal(listed.total, 3);
      assert.equal(listed.moreThanTotal, false);
      assert.equal(listed.rows.length, 3);
    });

    it('says "more than" past the count ahead, and the bound moves with the page', async () => {
      const first = await listForAgent(server.database.db, agent, {}, 'recent', 1, 2);
      assert.deepEqual([first.total, first.moreThanTotal, first.rows.length], [2, true, 3]);
      const second = await listForAgent(server.database.db, agent, {}, 'recent', 2, 2);
      assert.deepEqual([second.total, second.moreThanTotal], [3, false], `page 2 counts up to ${PAGE_SIZE + 2}`);
    });
  });
}
