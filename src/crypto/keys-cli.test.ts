/**
 * `bastide keys rotate`, on the embedded database only: rotation re-wraps
 * every tenant of a database, and the test PostgreSQL server is shared with
 * other tests whose tenants were wrapped under keys this test cannot know.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import type { Database } from '../db/database.ts';
import { loadCommune } from '../records/testing.ts';
import { TenantKeys } from './tenant-keys.ts';

describe('bastide keys rotate (pglite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastide-keys-'));
  const keyFile = join(dataDir, 'keys', 'master.key');
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const writeKeys = (lines: string[]) => writeFileSync(keyFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const dataKeys = new Map<string, Buffer>();
  const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(undefined, dataDir, fn);

  before(async () => {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeKeys([`k1:${oldKey.toString('base64')}`]);
    await withDb(async ({ db }) => {
      const keys = new TenantKeys(db, { currentId: 'k1', keys: new Map([['k1', oldKey]]) });
      for (const tenant of ['commune-a', 'commune-b']) {
        await loadCommune(db, tenant);
        dataKeys.set(tenant, (await keys.current(tenant)).key);
      }
    });
  });

  it('refuses, as a configuration error, a key file that lacks the master key the data keys are wrapped with', () => {
    writeKeys([`k2:${newKey.toString('base64')}`]);
    const r = bastide(['keys', 'rotate'], { dataDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^erreur : la clé maîtresse « k1 » manque : ajoutez-la au fichier de clés/);
  });

  it('re-wraps every data key under the new master key, then has nothing left to do', async () => {
    writeKeys([`k2:${newKey.toString('base64')}`, `k1:${oldKey.toString('base64')}`]);
    const first = bastide(['keys', 'rotate'], { dataDir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^2 clés de données re-chiffrées sous la clé maîtresse « k2 »/);
    const second = bastide(['keys', 'rotate'], { dataDir });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'rien à faire : 2 clés de données déjà chiffrées sous la clé maîtresse « k2 »\n');
    // The old master key can go: the new one alone opens the same data keys.
    await withDb(async ({ db }) => {
      const keys = new TenantKeys(db, { currentId: 'k2', keys: new Map([['k2', newKey]]) });
      for (const [tenant, key] of dataKeys) assert.deepEqual((await keys.current(tenant)).key, key);
    });
  });
});
