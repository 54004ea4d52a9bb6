import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import { receiveRequest } from './intake.ts';

for (const kind of testDatabaseKinds()) {
  describe(`bastide rights (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-rights-'));
    const tenant = uniqueTenantId('cli-droits');
    const secret = randomBytes(32);
    const env = { BASTIDE_MASTER_KEY: secret.toString('base64') };
    const run = (args: string[]) => bastide(args, { databaseUrl, dataDir, env });
    let id = '';

    before(async () => {
      await withDatabaseAt(databaseUrl, dataDir, async ({ db }) => {
        const loaded = await loadCommune(db, tenant);
        const keys = new TenantKeys(db, { currentId: 'env', keys: new Map([['env', secret]]) });
        const r = await receiveRequest({ db, keys }, loaded, { type: 'erasure', email: 'jeanne.petit@example.fr', details: 'Mon abonnement à la lettre.' }, 'http://localhost');
        assert.ok(r.ok);
        id = r.id;
      });
    });

    it('lists the queue without personal data, and shows one request with its address', () => {
      const list = run(['rights', 'list', '--tenant', tenant]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /0 à traiter \(dont 0 en retard\), 1 en attente de vérification, 0 traitées/);
      assert.match(list.stdout, new RegExp(`${id}\\tEffacement de mes données\\tEn attente de vérification`));
      assert.doesNotMatch(list.stdout, /jeanne/);
      const json = JSON.parse(run(['--json', 'rights', 'list', '--tenant', tenant]).stdout);
      assert.equal(json.requests[0].id, id);
      const show = run(['rights', 'show', '--tenant', tenant, id]);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /adresse : jeanne\.petit@example\.fr/);
      assert.match(show.stdout, /précisions : Mon abonnement à la lettre\./);
      const unknown = run(['rights', 'show', '--tenant', tenant, '00000000-0000-4000-8000-000000000000']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /demande inconnue/);
    });
  });
}
