import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { communeYaml, contactData, enrolmentData } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { loadRegister } from '../register/register-loader.ts';
import { loadVersion } from '../register/register-repository.ts';
import { testKeyring } from '../server/testing.ts';
import { previewExpiries, syncExpiries } from './expiry-changes.ts';
import { RetentionRefused, runRetention } from './retention-run.ts';

const DAY = 24 * 3600 * 1000;

/** The commune's register with one processing's default duration changed. */
function withDuration(yaml: string, processingId: string, duration: string): string {
  const start = yaml.indexOf(`\n  - id: ${processingId}\n`);
  assert.ok(start > 0, processingId);
  const at = yaml.indexOf('      duration: ', start);
  const end = yaml.indexOf('\n', at);
  return `${yaml.slice(0, at)}      duration: ${duration}${yaml.slice(end)}`;
}

for (const kind of testDatabaseKinds()) {
  describe(`expiry dates follow the register in force (${kind})`, () => {
    let database: Database;
    let keys: TenantKeys;
    const tenant = uniqueTenantId('ret-change');
    const yaml = communeYaml(tenant);
    const db = () => database.db;
    const expiries = () =>
      withPrincipal(db(), { kind: 'system', tenantId: tenant }, (trx) => trx.selectFrom('records').select(['id', 'processing_id', 'expires_at']).where('tenant_id', '=', tenant).orderBy('id').execute());
    const load = async (text: string) => {
      const r = await loadRegister(db(), new TextEncoder().encode(text), 'test');
      assert.ok(r.ok);
      return r.version;
    };
    const version = async () => (await db().selectFrom('tenants').select(['current_version', 'expiries_version']).where('id', '=', tenant).executeTakeFirstOrThrow());

    before(async () => {
      database = await openTestDatabase(kind);
      keys = new TenantKeys(db(), testKeyring());
      await load(yaml);
      const loaded = (await loadVersion(db(), tenant, 1))!;
      const at = (daysAgo: number) => ({ baseUrl: 'http://localhost', now: new Date(Date.now() - daysAgo * DAY) });
      for (const daysAgo of [90, 60, 5]) assert.ok((await submitForm({ db: db(), keys }, loaded, 'contact-mairie', contactData(), at(daysAgo))).ok);
      assert.ok((await submitForm({ db: db(), keys }, loaded, 'inscription-enfance', enrolmentData({ prenom: 'Léa', allergies: 'gluten' }), at(90))).ok);
    });
    after(() => database.close());

    it('a first version is the one the dates follow', async () => {
      assert.deepEqual(await version(), { current_version: 1, expiries_version: 1 });
    });

    it('previews a shorter retention (earlier, due at once) without writing, then recomputes the dates once loaded', async () => {
      const next = withDuration(yaml, 'contact', 'P1M');
      const current = (await loadVersion(db(), tenant, 1))!.register;
      const before = await expiries();
      const { parseRegister } = await import('../register/parse.ts');
      const parsed = parseRegister(new TextEncoder().encode(next));
      assert.ok(parsed.ok);
      const preview = await previewExpiries(db(), () => keys, tenant, current, parsed.register);
      assert.deepEqual(preview, [{ processingId: 'contact', records: 3, earlier: 3, later: 0, unchanged: 0, dueAtOnce: 2 }], 'only the changed processing; the 90- and 60-day-old requests fall due');
      assert.deepEqual(await expiries(), before, 'a preview writes nothing');

      await load(next);
      assert.deepEqual(await version(), { current_version: 2, expiries_version: 1 }, 'loaded, dates not yet recomputed');
      const moves = await syncExpiries(db(), () => keys, tenant);
      assert.equal(moves[0]!.earlier, 3);
      assert.deepEqual(await version(), { current_version: 2, expiries_version: 2 });
      const contact = (await expiries()).filter((r) => r.processing_id === 'contact');
      assert.equal(contact.filter((r) => new Date(r.expires_at!) <= new Date()).length, 2);
      const dry = await runRetention(db(), tenant, { asOf: new Date(), dryRun: true });
      assert.equal(dry.processings.find((p) => p.processingId === 'contact')!.deleted, 2, 'the next run deletes by the new rule');
      assert.deepEqual(await syncExpiries(db(), () => keys, tenant), [], 'nothing to do twice');
    });

    it('a run finishes an interrupted recomputation first, and says it needs the key for sealed fields', async () => {
      // Version 3 lengthens the enrolment's retention; its health fields are sealed.
      await load(withDuration(withDuration(yaml, 'contact', 'P1M'), 'enfance-jeunesse', 'P8Y'));
      const dry = await runRetention(db(), tenant, { asOf: new Date(), dryRun: true });
      assert.equal(dry.expiriesBehind, 2);
      await assert.rejects(runRetention(db(), tenant, { asOf: new Date() }), (e: unknown) => e instanceof RetentionRefused && /clé maîtresse est nécessaire/.test(e.message));
      assert.equal((await version()).expiries_version, 2, 'nothing half-done is marked done');
      const run = await runRetention(db(), tenant, { asOf: new Date(), keys: () => keys });
      assert.equal(run.expiriesRecomputed, 1);
      assert.equal(run.processings.find((p) => p.processingId === 'contact')!.deleted, 2);
      assert.equal((await version()).expiries_version, 3);
      const enrolment = (await expiries()).find((r) => r.processing_id === 'enfance-jeunesse')!;
      const years = (new Date(enrolment.expires_at!).getTime() - (Date.now() - 90 * DAY)) / (365.25 * DAY);
      assert.ok(Math.abs(years - 8) < 0.02, `eight years from submission, not ${years}`);
    });
  });
}
