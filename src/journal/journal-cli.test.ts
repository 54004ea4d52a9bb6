import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { loadRegister } from '../register/register-loader.ts';
import { appendJournal } from './journal.ts';

const MINIMAL = readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8');

for (const kind of testDatabaseKinds()) {
  describe(`bastide journal verify and list (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-journal-'));
    const tenant = uniqueTenantId('cli-journal');
    const recordId = randomUUID();
    const run = (args: string[]) => bastide(args, { databaseUrl, dataDir });
    // The server's PostgreSQL holds other tests' tenants, in any state: there, one tenant only.
    const only = kind === 'postgres' ? ['--tenant', tenant] : [];
    const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(databaseUrl, dataDir, fn);

    before(async () => {
      await withDb(async ({ db }) => {
        assert.ok((await loadRegister(db, new TextEncoder().encode(MINIMAL.replace('id: val-fleuri', `id: ${tenant}`)), 'test')).ok);
        const agentId = randomUUID();
        for (const action of ['read', 'download', 'read'] as const)
          await withPrincipal(db, { kind: 'agent', tenantId: tenant, agentId, services: ['accueil'] }, (trx) =>
            appendJournal(trx, tenant, { actorId: agentId, actor: 'agent@mairie.fr', action, recordId, purpose: 'instruction de la demande (traitement contact)' }),
          );
      });
    });

    it('lists who read a record, and says the chain is intact with exit 0', () => {
      const list = run(['--json', 'journal', 'list', '--tenant', tenant, '--record', recordId]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout).map((r: { seq: number; action: string; actor: string }) => [r.seq, r.action, r.actor]), [
        [1, 'read', 'agent@mairie.fr'],
        [2, 'download', 'agent@mairie.fr'],
        [3, 'read', 'agent@mairie.fr'],
      ]);
      const verify = run(['journal', 'verify', ...only]);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout, new RegExp(`^${tenant} : journal intact \\(3 lignes\\)$`, 'm'));
    });

    it('exits non-zero and names the first bad row once a row has been altered', async () => {
      await withDb(({ db }) => sql`update journal set purpose = 'x' where tenant_id = ${tenant} and seq = 2`.execute(db));
      const r = run(['journal', 'verify', ...only]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^${tenant} : journal ALTÉRÉ, première ligne en cause : 2 \\(ligne 2 : contenu modifié\\)$`, 'm'));
      assert.match(r.stderr, new RegExp(`journal altéré pour ${tenant}\\n$`));
    });
  });
}
