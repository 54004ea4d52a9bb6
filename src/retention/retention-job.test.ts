import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { testKeyring } from '../server/testing.ts';
import { retentionJob } from './retention-job.ts';

const HOUR = 3600 * 1000;

for (const kind of testDatabaseKinds()) {
  describe(`the daily retention job (${kind})`, () => {
    let database: Database;
    let tenant: string;

    before(async () => {
      database = await openTestDatabase(kind);
      tenant = uniqueTenantId('ret-job');
      const loaded = await loadCommune(database.db, tenant);
      const keys = new TenantKeys(database.db, testKeyring());
      const r = await submitForm({ db: database.db, keys }, loaded, 'contact-mairie', contactData(), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * 365 * 24 * HOUR) });
      assert.ok(r.ok);
    });
    after(() => database.close());

    it('purges once a day per tenant, however often the server checks', async () => {
      const now = Date.now();
      assert.deepEqual(await retentionJob.run({ db: database.db }, new Date(now)), { tenants: 1, deleted: 1, held: 0, busy: 0, notices: 0 });
      assert.deepEqual(await retentionJob.run({ db: database.db }, new Date(now + HOUR)), { tenants: 0, deleted: 0, held: 0, busy: 0, notices: 0 }, 'an hour later: not due');
      assert.deepEqual(await retentionJob.run({ db: database.db }, new Date(now + 24 * HOUR)), { tenants: 1, deleted: 0, held: 0, busy: 0, notices: 0 }, 'the next day: a run, with nothing left');
      const runs = await withPrincipal(database.db, { kind: 'system', tenantId: tenant }, (trx) => trx.selectFrom('retention_runs').select('seq').where('tenant_id', '=', tenant).orderBy('seq').execute());
      assert.deepEqual(runs.map((r) => Number(r.seq)), [1, 2], 'each run certified, in order');
    });
  });
}
