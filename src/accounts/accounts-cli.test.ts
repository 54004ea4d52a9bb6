import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import type { Database } from '../db/database.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import { tokenAgentId } from './api-tokens.ts';
import { findAgentByEmail } from './agents-repository.ts';

for (const kind of testDatabaseKinds()) {
  describe(`bastide agent add and token create (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-accounts-'));
    const tenant = uniqueTenantId('cli-acc');
    const run = (args: string[], input?: string) => bastide(args, { databaseUrl, dataDir, ...(input !== undefined ? { input } : {}) });
    const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(databaseUrl, dataDir, fn);

    before(async () => {
      await withDb((database) => loadCommune(database.db, tenant));
    });

    it('refuses a weak password read from stdin, in French, without ever printing it', () => {
      const r = run(['agent', 'add', '--tenant', tenant, '--email', 'agent@mairie.fr', '--role', 'agent', '--service', 'accueil', '--password-stdin'], 'soleil2026\n');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^erreur : mot de passe trop faible : il faut au moins 12 caractères/);
      assert.doesNotMatch(r.stdout + r.stderr, /soleil2026/);
    });

    it('creates an agent of two services with a strong password from stdin', async () => {
      const r = run(['agent', 'add', '--tenant', tenant, '--email', 'Agent@Mairie.fr', '--role', 'agent', '--service', 'accueil', '--service', 'techniques', '--password-stdin'], 'Rivière-des-Lilas-2026!\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `compte agent@mairie.fr créé dans ${tenant} : agent, services accueil, techniques\n`);
      assert.doesNotMatch(r.stdout + r.stderr, /Rivière-des-Lilas/);
      const agent = await withDb((database) => findAgentByEmail(database.db, tenant, 'agent@mairie.fr'));
      assert.deepEqual(agent?.services, ['accueil', 'techniques']);
    });

    it('prints a bearer token, alone on stdout, that opens the API for that account', async () => {
      const r = run(['token', 'create', '--tenant', tenant, '--email', 'agent@mairie.fr', '--ttl', 'P7D']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^bst_[A-Za-z0-9_-]{43}\n$/);
      assert.match(r.stderr, /^jeton de agent@mairie\.fr valable jusqu’au \d{4}-\d\d-\d\dT/);
      const token = r.stdout.trim();
      const owner = await withDb(async (database) => [await tokenAgentId(database.db, tenant, token), (await findAgentByEmail(database.db, tenant, 'agent@mairie.fr'))?.id]);
      assert.ok(owner[0]);
      assert.equal(owner[0], owner[1]);
    });
  });
}
