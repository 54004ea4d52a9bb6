import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import type { MasterKeyring } from './master-keyring.ts';
import { TenantKeys } from './tenant-keys.ts';
import { verifyTenantKeys } from './verify-tenant-keys.ts';

const ring = (entries: Array<[string, Buffer]>): MasterKeyring => ({ currentId: entries[0]![0], keys: new Map(entries) });

describeEachDatabase('verifyTenantKeys', (database) => {
  const a = randomBytes(32);
  const b = randomBytes(32);
  const other = randomBytes(32);
  const first = uniqueTenantId('first');
  const second = uniqueTenantId('second');
  const keyCount = async () => (await database().db.selectFrom('tenant_keys').select('tenant_id').execute()).length;

  before(async () => {
    const { db } = database();
    for (const [tenant, keyring] of [[first, ring([['k1', a]])], [second, ring([['k2', b]])]] as const) {
      await loadCommune(db, tenant);
      await new TenantKeys(db, keyring).current(tenant);
    }
    // A tenant that never sealed anything has no key yet: nothing to check, and the check must not create one.
    await loadCommune(db, uniqueTenantId('unused'));
  });

  it('finds nothing wrong when the configured master keys open every data key', async () => {
    assert.deepEqual(await verifyTenantKeys(database().db, ring([['k1', a], ['k2', b]])), []);
    assert.equal(await keyCount(), 2);
  });

  it('names the tenant whose data key is wrapped under a master key that is not configured', async () => {
    const failures = await verifyTenantKeys(database().db, ring([['k1', a]]));
    assert.deepEqual(failures, [{ tenantId: second, reason: 'ses clés de données sont chiffrées sous la clé maîtresse « k2 », absente de la configuration' }]);
  });

  it('names the tenant whose master key id is configured with other bytes, and never shows a key', async () => {
    const failures = await verifyTenantKeys(database().db, ring([['k1', other], ['k2', b]]));
    assert.deepEqual(
      failures.map((f) => f.tenantId),
      [first],
    );
    assert.match(failures[0]!.reason, /la clé maîtresse « k1 » configurée n’ouvre pas ses clés de données : ce n’est pas celle qui les a chiffrées/);
    for (const key of [a, b, other]) for (const encoding of ['base64', 'hex', 'base64url'] as const) assert.ok(!failures[0]!.reason.includes(key.toString(encoding)));
    assert.equal(await keyCount(), 2);
  });
});

describe('bastide serve with a master key that does not open the data keys (pglite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastide-serve-keys-'));
  const keyFile = join(dataDir, 'keys', 'master.key');
  const original = randomBytes(32);
  const tenant = 'commune-cle';

  before(async () => {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, `k1:${original.toString('base64')}\n`, { mode: 0o600 });
    await withDatabaseAt(undefined, dataDir, async ({ db }) => {
      await loadCommune(db, tenant);
      await new TenantKeys(db, ring([['k1', original]])).current(tenant);
    });
  });

  it('refuses to start (exit 2) when BASTIDE_MASTER_KEY is another key, naming the tenant and what to do', () => {
    const r = bastide(['serve', '--port', '0'], { dataDir, env: { BASTIDE_MASTER_KEY: randomBytes(32).toString('base64') } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^erreur : la clé maîtresse ne correspond pas aux clés de données de 1 collectivité ; le serveur ne démarre pas/);
    assert.match(r.stderr, new RegExp(`\\n  ${tenant} : ses clés de données sont chiffrées sous la clé maîtresse « k1 », absente de la configuration\\n`));
    assert.match(r.stderr, /bastide keys rotate/);
    assert.doesNotMatch(r.stdout, /écoute sur/);
  });

  it('refuses to start when the key file holds other bytes under the same id', () => {
    writeFileSync(keyFile, `k1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const r = bastide(['serve', '--port', '0'], { dataDir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`  ${tenant} : la clé maîtresse « k1 » configurée n’ouvre pas ses clés de données`));
    assert.ok(!r.stderr.includes(original.toString('base64')));
    assert.doesNotMatch(r.stdout, /écoute sur/);
  });
});
