/**
 * /healthz says "degraded" (503) when the master key does not open a
 * tenant's data key: a load balancer then keeps traffic away from a server
 * whose every form would fail. The check runs once, at start.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { MasterKeyring } from '../crypto/master-keyring.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import { buildApp } from './app.ts';
import { createAppContext } from './app-context.ts';

const ring = (key: Buffer): MasterKeyring => ({ currentId: 'k1', keys: new Map([['k1', key]]) });

for (const kind of testDatabaseKinds()) {
  describe(`/healthz and the tenants' data keys (${kind})`, () => {
    const original = randomBytes(32);
    const tenant = uniqueTenantId('sante');
    let database: Database;
    before(async () => {
      database = await openTestDatabase(kind);
      await loadCommune(database.db, tenant);
      await new TenantKeys(database.db, ring(original)).current(tenant);
    });
    after(async () => database.close());

    async function appWith(keyring: MasterKeyring): Promise<FastifyInstance> {
      const logger = { warn: () => {}, error: () => {} };
      const config = { publicUrl: undefined, submissionsPerMinute: 100, smtpUrl: undefined, mailFrom: 'Bastide <test@localhost>' };
      const outboxDir = join(mkdtempSync(join(tmpdir(), 'bastide-healthz-')), 'outbox');
      const app = await buildApp(createAppContext({ database, keyring, config, outboxDir, logger }));
      await app.ready();
      return app;
    }

    it('answers 200 "ok" with the master key that wrapped the data keys', async () => {
      const app = await appWith(ring(original));
      try {
        const res = await app.inject('/healthz');
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), { status: 'ok', database: kind });
      } finally {
        await app.close();
      }
    });

    it('answers 503 "degraded", naming the tenant and the reason, when the master key is another one', async () => {
      const app = await appWith(ring(randomBytes(32)));
      try {
        const res = await app.inject('/healthz');
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['cache-control'], 'no-store');
        const body = res.json() as { status: string; database: string; keys: string };
        assert.equal(body.status, 'degraded');
        assert.equal(body.database, kind);
        assert.match(body.keys, new RegExp(`^${tenant} : la clé maîtresse « k1 » configurée n’ouvre pas ses clés de données`));
        // Cached from the start: the key table emptied afterwards changes nothing.
        await database.db.deleteFrom('tenant_keys').where('tenant_id', '=', tenant).execute();
        assert.equal((await app.inject('/healthz')).statusCode, 503);
      } finally {
        await app.close();
      }
    });
  });
}
