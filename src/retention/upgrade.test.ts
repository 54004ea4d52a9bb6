/**
 * What an upgraded database holds until its dates are recomputed (migrations
 * 0210 and 0240): records without an action, and register versions stored
 * before `archiveFor` existed. Neither may stall retention or lose an archive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { communeYaml, contactData } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { loadRegister } from '../register/register-loader.ts';
import { loadVersion } from '../register/register-repository.ts';
import { testKeyring } from '../server/testing.ts';
import { runRetention } from './retention-run.ts';

const YEAR = 365 * 24 * 3600 * 1000;

for (const kind of testDatabaseKinds()) {
  describe(`retention on an upgraded database (${kind})`, () => {
    let database: Database;
    let keys: TenantKeys;
    const tenant = uniqueTenantId('ret-upgrade');
    const system = { kind: 'system' as const, tenantId: tenant };
    const db = () => database.db;
    let id = '';

    before(async () => {
      database = await openTestDatabase(kind);
      keys = new TenantKeys(db(), testKeyring());
      assert.ok((await loadRegister(db(), new TextEncoder().encode(communeYaml(tenant)), 'test')).ok);
      const loaded = (await loadVersion(db(), tenant, 1))!;
      const sent = await submitForm({ db: db(), keys }, loaded, 'contact-mairie', contactData(), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * YEAR) });
      assert.ok(sent.ok);
      id = sent.stored.recordId;
      // As the migrations leave a database written by the previous version.
      await withPrincipal(db(), system, (trx) => trx.updateTable('records').set({ expiry_action: null }).where('tenant_id', '=', tenant).execute());
      await db().updateTable('tenants').set({ expiries_version: 0 }).where('id', '=', tenant).execute();
    });
    after(() => database.close());

    it('recomputes every action after the upgrade, even when a new register version is loaded first', async () => {
      const changed = communeYaml(tenant).replace('title: Contacter la mairie', 'title: Écrire à la mairie');
      const r = await loadRegister(db(), new TextEncoder().encode(changed), 'test');
      assert.ok(r.ok && r.version === 2);
      assert.equal((await db().selectFrom('tenants').select('expiries_version').where('id', '=', tenant).executeTakeFirstOrThrow()).expiries_version, 0, 'a load does not take the dates for recomputed');
      const dry = await runRetention(db(), tenant, { asOf: new Date(), dryRun: true });
      assert.equal(dry.processings.find((p) => p.processingId === 'contact')!.notApplied, 1, 'the dry run says the action is still to recompute');
      const run = await runRetention(db(), tenant, { asOf: new Date(), keys: () => keys });
      const contact = run.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([contact.deleted, contact.notApplied], [1, 0]);
      assert.ok(run.expiriesRecomputed >= 0);
      const left = await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', tenant).where('id', '=', id).execute());
      assert.deepEqual(left, []);
    });

    it('does not archive for a register version stored without the archive’s duration: the records wait, counted as not applied', async () => {
      const loaded = (await loadVersion(db(), tenant, 2))!;
      const sent = await submitForm({ db: db(), keys }, loaded, 'contact-mairie', contactData(), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * YEAR) });
      assert.ok(sent.ok);
      // Version 2 as a register stored before archiveFor existed would have it: archiving, with no duration.
      await sql`update register_versions set register = jsonb_set(register, '{processings}', (
          select jsonb_agg(case when p->>'id' = 'contact' then jsonb_set(jsonb_set(p, '{retention,then}', '"archive"'), '{retention,legalObligation}', '"Code du patrimoine"') else p end)
          from jsonb_array_elements(register->'processings') p))
        where tenant_id = ${tenant} and version = 2`.execute(db());
      await withPrincipal(db(), system, (trx) => trx.updateTable('records').set({ expiry_action: 'archive' }).where('tenant_id', '=', tenant).where('id', '=', sent.stored.recordId).execute());
      const dry = await runRetention(db(), tenant, { asOf: new Date(Date.now() + 1000), dryRun: true });
      assert.deepEqual([dry.processings.find((p) => p.processingId === 'contact')!.archived, dry.processings.find((p) => p.processingId === 'contact')!.notApplied], [0, 1]);
      const run = await runRetention(db(), tenant, { asOf: new Date(Date.now() + 1000), keys: () => keys });
      const contact = run.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([contact.archived, contact.deleted, contact.notApplied], [0, 0, 1]);
      const row = await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select(['archived_at']).where('tenant_id', '=', tenant).where('id', '=', sent.stored.recordId).executeTakeFirstOrThrow());
      assert.equal(row.archived_at, null, 'kept as it is, for the DPO to give the archive its duration');
    });
  });
}
