import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { communeYaml, contactData } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { loadRegister } from '../register/register-loader.ts';
import { parseRegister } from '../register/parse.ts';
import { verifyCertificates } from './certificates.ts';
import { loadVersion } from '../register/register-repository.ts';
import { startTestServer, testKeyring, type TestServer } from '../server/testing.ts';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../back-office/testing.ts';
import { runRetention } from './retention-run.ts';

/** The contact processing, deleting by default, but archiving the requests about roads (a rule with its own action). */
function archivingRule(yaml: string): string {
  const start = yaml.indexOf('\n  - id: contact\n');
  const old = '    retention:\n      duration: P2Y\n      from: created\n      then: delete\n';
  const at = yaml.indexOf(old, start);
  assert.ok(at > start);
  const rule = `${old}      rules:\n        - when: { field: objet, equals: voirie }\n          duration: P2Y\n          then: archive\n      legalObligation: "Code du patrimoine, article L. 212-2 (archives publiques)"\n`;
  return `${yaml.slice(0, at)}${rule}${yaml.slice(at + old.length)}`;
}

/** The contact processing anonymised instead of deleted, keeping `keep`. */
function anonymising(yaml: string, keep: string): string {
  const start = yaml.indexOf('\n  - id: contact\n');
  const old = '    retention:\n      duration: P2Y\n      from: created\n      then: delete\n';
  const at = yaml.indexOf(old, start);
  return `${yaml.slice(0, at)}    retention:\n      duration: P2Y\n      from: created\n      then: anonymise\n      keep: ${keep}\n${yaml.slice(at + old.length)}`;
}

describe('register checks of what survives an anonymisation', () => {
  const problems = (yaml: string) => {
    const r = parseRegister(new TextEncoder().encode(yaml));
    return r.ok ? [] : r.problems.map((p) => p.message);
  };
  it('refuses an identifying category, and keep without anonymise', () => {
    assert.deepEqual(problems(anonymising(communeYaml('t-keep'), '[request, location]')), []);
    assert.ok(problems(anonymising(communeYaml('t-keep'), '[request, contact]')).some((m) => /la catégorie « contact » permet d’identifier les personnes/.test(m)));
    const keepWithDelete = communeYaml('t-keep').replace('      then: delete\n', '      then: delete\n      keep: [request]\n');
    assert.ok(problems(keepWithDelete).some((m) => /ne s’emploie qu’avec « then: anonymise »/.test(m)));
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`anonymisation (${kind})`, () => {
    let server: TestServer;
    let database: Database;
    const tenant = uniqueTenantId('ret-anon');
    let id = '';
    const system = { kind: 'system' as const, tenantId: tenant };

    before(async () => {
      server = await startTestServer({ kind });
      database = server.database;
      const r = await loadRegister(database.db, new TextEncoder().encode(anonymising(communeYaml(tenant), '[request]')), 'test');
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      const keys = server.ctx.keys;
      const sent = await submitForm({ db: database.db, keys }, loaded, 'contact-mairie', contactData({ objet: 'voirie', message: 'Chez moi, 3 rue des Lilas, Claire Martin' }), { baseUrl: 'http://localhost', now: new Date('2023-05-17T10:20:00Z') });
      assert.ok(sent.ok);
      id = sent.stored.recordId;
    });
    after(() => server.close());

    it('keeps only the closed choices of the kept categories, drops every trace of the person, and certifies it', async () => {
      const dry = await runRetention(database.db, tenant, { asOf: new Date(), dryRun: true });
      assert.equal(dry.processings.find((p) => p.processingId === 'contact')!.anonymised, 1);
      const run = await runRetention(database.db, tenant, { asOf: new Date() });
      const contact = run.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([contact.anonymised, contact.deleted, contact.notApplied], [1, 0, 0]);
      const row = await withPrincipal(database.db, system, (trx) => trx.selectFrom('records').selectAll().where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirstOrThrow());
      assert.deepEqual(row.data, { objet: 'voirie' }, 'the subject chosen from a list stays; name, e-mail and the free text go');
      assert.equal(row.sealed, null);
      assert.equal(new Date(row.created_at).toISOString(), '2023-05-01T00:00:00.000Z', 'dates coarsened to the month');
      assert.equal(row.expires_at, null);
      assert.ok(row.anonymised_at);
      assert.equal(row.submission_key, null);
      assert.equal(row.tracking_hash, `anonymised:${id}`, 'the tracking code no longer finds it');
      const subjects = await withPrincipal(database.db, system, (trx) => trx.selectFrom('record_subjects').select('record_id').where('tenant_id', '=', tenant).where('record_id', '=', id).execute());
      assert.deepEqual(subjects, [], 'the blind index no longer leads to it');
      assert.equal((await withPrincipal(database.db, system, (trx) => verifyCertificates(trx, tenant))).ok, true);
      const again = await runRetention(database.db, tenant, { asOf: new Date(Date.now() + 20 * 365 * 24 * 3600 * 1000), dryRun: true });
      assert.equal(again.processings.find((p) => p.processingId === 'contact')!.anonymised, 0, 'an anonymised record has no further date');
    });

    it('stays visible to the service’s agents, and says it is anonymised', async () => {
      await agentWithPassword(database.db, (await loadVersion(database.db, tenant, 1))!, 'agent', ['accueil'], 'lea@anon.example.fr');
      const lea = new TestBrowser(server.url);
      await signInWithPassword(lea, tenant, 'lea@anon.example.fr');
      assert.match((await lea.get(`/${tenant}/back-office`)).body, /\(anonymisée\)/);
      const page = await lea.get(`/${tenant}/back-office/demandes/${id}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Demande anonymisée le .*dates arrondies au mois/);
      assert.match(page.body, /<dt>Reçue le<\/dt><dd>en mai 2023<\/dd>/);
      assert.match(page.body, /Voirie, propreté et espaces verts/);
      assert.ok(!/Claire|Lilas|claire\.martin/.test(page.body), 'nothing of the person');
    });
  });
}

for (const kind of testDatabaseKinds()) {
  describe(`retention actions this version does not apply (${kind})`, () => {
    let database: Database;
    const tenant = uniqueTenantId('ret-actions');

    before(async () => {
      database = await openTestDatabase(kind);
      const loadedResult = await loadRegister(database.db, new TextEncoder().encode(archivingRule(communeYaml(tenant))), 'test');
      assert.ok(loadedResult.ok, loadedResult.ok ? '' : JSON.stringify(loadedResult.problems));
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      const keys = new TenantKeys(database.db, testKeyring());
      for (const objet of ['voirie', 'etat-civil']) {
        const r = await submitForm({ db: database.db, keys }, loaded, 'contact-mairie', contactData({ objet }), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * 365 * 24 * 3600 * 1000) });
        assert.ok(r.ok, JSON.stringify(r));
      }
    });
    after(() => database.close());

    it('deletes none of a processing whose rule archives some records, and says so', async () => {
      const run = await runRetention(database.db, tenant, { asOf: new Date() });
      const contact = run.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([contact.deleted, contact.notApplied], [0, 2], 'the request to archive is not deleted, nor is the other one, until archiving exists');
      const left = await withPrincipal(database.db, { kind: 'system', tenantId: tenant }, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', tenant).execute());
      assert.equal(left.length, 2);
    });
  });
}
