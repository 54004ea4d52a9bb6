import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { BIN, cliEnv, withDatabaseAt } from '../cli/testing.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { testKeyring } from '../server/testing.ts';
import { verifyCertificates } from './certificates.ts';
import { runRetention } from './retention-run.ts';

const COPIES = 40_000;

// PostgreSQL only: an embedded data folder admits one process, so its progress cannot be watched from outside to kill it midway.
for (const kind of testDatabaseKinds().filter((k) => k === 'postgres')) {
  describe(`a retention run killed with kill -9 (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const tenant = uniqueTenantId('ret-kill');
    const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(databaseUrl, '', fn);
    const system = { kind: 'system' as const, tenantId: tenant };

    before(async () => {
      await withDb(async ({ db }) => {
        const loaded = await loadCommune(db, tenant);
        const r = await submitForm({ db, keys: new TenantKeys(db, testKeyring()) }, loaded, 'contact-mairie', contactData(), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * 365 * 24 * 3600 * 1000) });
        assert.ok(r.ok);
        // Copies of that past-due request, each with its blind-index entry: enough batches for the kill to fall in the middle.
        await withPrincipal(db, system, async (trx) => {
          await sql`insert into records (tenant_id, id, processing_id, form_id, service_id, register_version, status, data, tracking_hash, created_at, updated_at, expires_at, expiry_action)
            select tenant_id, gen_random_uuid(), processing_id, form_id, service_id, register_version, status, data, 'kill:' || g, created_at, updated_at, expires_at, expiry_action
            from records, generate_series(1, ${COPIES}) g where tenant_id = ${tenant}`.execute(trx);
          await sql`insert into record_subjects (tenant_id, blind_index, record_id, field) select tenant_id, md5(id::text), id, 'courriel' from records
            where tenant_id = ${tenant} and tracking_hash like 'kill:%'`.execute(trx);
        });
        // As autovacuum would after such a load: without statistics the planner takes 40,000 rows for a handful.
        await sql`analyze records, record_subjects`.execute(db);
      });
    });

    it('is finished by the next run with exact counts and no orphan', async () => {
      await withDb(async ({ db }) => {
        const ledger = async () => withPrincipal(db, system, async (trx) => Number((await sql<{ n: string }>`select count(*) as n from erasure_ledger where tenant_id = ${tenant}`.execute(trx)).rows[0]!.n));
        const child = spawn(process.execPath, [BIN, 'retention', 'run', '--tenant', tenant], { env: cliEnv(databaseUrl), stdio: 'ignore' });
        // Killed once the ledger shows the first batches committed, well before the end.
        const deadline = Date.now() + 60_000;
        let erased = 0;
        while (erased === 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          erased = await ledger();
        }
        child.kill('SIGKILL');
        await once(child, 'exit');
        const open = await withPrincipal(db, system, (trx) => trx.selectFrom('retention_runs').select(['id', 'finished_at']).where('tenant_id', '=', tenant).execute());
        assert.equal(open.length, 1);
        assert.equal(open[0]!.finished_at, null, `the run was killed midway (${erased} erased when killed)`);
        // The next run, once the lease has lapsed.
        const later = new Date(Date.now() + 6 * 60 * 1000);
        const run = await runRetention(db, tenant, { asOf: new Date(), clock: () => later });
        assert.equal(run.resumed, true);
        assert.equal(run.runId, open[0]!.id);
        assert.equal(run.processings.find((p) => p.processingId === 'contact')!.deleted, COPIES + 1, 'every record counted once, before and after the kill');
        const left = await withPrincipal(db, system, async (trx) => ({
          records: Number((await sql<{ n: string }>`select count(*) as n from records where tenant_id = ${tenant}`.execute(trx)).rows[0]!.n),
          subjects: Number((await sql<{ n: string }>`select count(*) as n from record_subjects where tenant_id = ${tenant}`.execute(trx)).rows[0]!.n),
          ledger: Number((await sql<{ n: string }>`select count(*) as n from erasure_ledger where tenant_id = ${tenant}`.execute(trx)).rows[0]!.n),
        }));
        assert.deepEqual(left, { records: 0, subjects: 0, ledger: COPIES + 1 });
        assert.equal((await withPrincipal(db, system, (trx) => verifyCertificates(trx, tenant))).ok, true);
      });
    });
  });
}
