import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import type { Database } from '../db/database.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import { addAgent } from './add-agent.ts';
import { issueToken, tokenAgentId } from './api-tokens.ts';

for (const kind of testDatabaseKinds()) {
  describe(`bastide token list and token revoke (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-tokens-'));
    const tenant = uniqueTenantId('cli-tok');
    const run = (args: string[]) => bastide(args, { databaseUrl, dataDir });
    const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(databaseUrl, dataDir, fn);
    const tokens: Array<{ token: string; publicId: string }> = [];
    const works = (token: string) => withDb(async (database) => (await tokenAgentId(database.db, tenant, token)) !== undefined);

    before(async () => {
      await withDb(async (database) => {
        const loaded = await loadCommune(database.db, tenant);
        const added = await addAgent(database.db, loaded, { email: 'jetons@mairie.fr', role: 'agent', services: ['accueil'] });
        assert.ok(added.ok);
        for (let i = 0; i < 3; i++) tokens.push(await issueToken(database.db, { tenantId: tenant, agentId: added.agent.id, ttl: 'P7D' }));
      });
    });

    it('lists an account’s tokens by public id, never their secret', () => {
      const r = run(['token', 'list', '--tenant', tenant, '--email', 'Jetons@Mairie.fr']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 3);
      for (const line of lines) assert.match(line, /^tok_[0-9a-f]{12}\t\d{4}-\d\d-\d\dT[^\t]+\t\d{4}-\d\d-\d\dT[^\t]+\tvalide$/);
      assert.deepEqual(lines.map((l) => l.split('\t')[0]).sort(), tokens.map((t) => t.publicId).sort());
      assert.doesNotMatch(r.stdout, /bst_/);
    });

    it('revokes one token by id, then every token of the account, each refused at once', async () => {
      const one = run(['token', 'revoke', '--tenant', tenant, '--id', tokens[0]!.publicId]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(one.stdout, `jeton ${tokens[0]!.publicId} révoqué\n`);
      assert.deepEqual([await works(tokens[0]!.token), await works(tokens[1]!.token)], [false, true]);

      const all = run(['token', 'revoke', '--tenant', tenant, '--email', 'jetons@mairie.fr', '--all']);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(all.stdout, '2 jetons de jetons@mairie.fr révoqués\n');
      assert.deepEqual([await works(tokens[1]!.token), await works(tokens[2]!.token)], [false, false]);

      const listed = run(['--json', 'token', 'list', '--tenant', tenant, '--email', 'jetons@mairie.fr']);
      assert.deepEqual((JSON.parse(listed.stdout) as Array<{ state: string }>).map((t) => t.state), ['révoqué', 'révoqué', 'révoqué']);
    });

    it('refuses an unknown id or a revoke without --id nor --email --all, in French', () => {
      const unknown = run(['token', 'revoke', '--tenant', tenant, '--id', tokens[0]!.publicId]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^erreur : aucun jeton non révoqué tok_/);
      const vague = run(['token', 'revoke', '--tenant', tenant, '--email', 'jetons@mairie.fr']);
      assert.equal(vague.code, 1);
      assert.match(vague.stderr, /donnez --id ID, ou --email E --all/);
    });
  });
}
