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
import { signInEnrolling } from '../back-office/admin/testing.ts';
import { runRetention } from './retention-run.ts';
import { findTrackedRequest } from '../records/tracking-lookup.ts';
import { retentionEnd } from '../citizens/request-facts.ts';
import { deletionPlan } from '../citizens/account-deletion.ts';

/** The contact processing, deleting by default, but archiving the requests about roads (a rule with its own action). */
function archivingRule(yaml: string): string {
  const start = yaml.indexOf('\n  - id: contact\n');
  const old = '    retention:\n      duration: P2Y\n      from: created\n      then: delete\n';
  const at = yaml.indexOf(old, start);
  assert.ok(at > start);
  const rule = `${old}      rules:\n        - when: { field: objet, equals: voirie }\n          duration: P2Y\n          then: archive\n      legalObligation: "Code du patrimoine, article L. 212-2 (archives publiques)"\n      archiveFor: P10Y\n`;
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
  describe(`archiving, and a processing whose rules mix actions (${kind})`, () => {
    let server: TestServer;
    let database: Database;
    const tenant = uniqueTenantId('ret-archive');
    const system = { kind: 'system' as const, tenantId: tenant };
    const sentAt = new Date(Date.now() - 3 * 365 * 24 * 3600 * 1000);
    const ids: Record<string, string> = {};
    const codes: Record<string, string> = {};
    let agent = '';
    let dpo = '';

    before(async () => {
      server = await startTestServer({ kind });
      database = server.database;
      const loadedResult = await loadRegister(database.db, new TextEncoder().encode(archivingRule(communeYaml(tenant))), 'test');
      assert.ok(loadedResult.ok, loadedResult.ok ? '' : JSON.stringify(loadedResult.problems));
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      const keys = server.ctx.keys;
      for (const objet of ['voirie', 'etat-civil']) {
        const r = await submitForm({ db: database.db, keys }, loaded, 'contact-mairie', contactData({ objet }), { baseUrl: 'http://localhost', now: sentAt });
        assert.ok(r.ok, JSON.stringify(r));
        ids[objet] = r.stored.recordId;
        codes[objet] = r.stored.trackingCode;
      }
      agent = (await agentWithPassword(database.db, loaded, 'agent', ['accueil'], 'lea@archive.example.fr')).id;
      dpo = (await agentWithPassword(database.db, loaded, 'dpo', [], 'dpo@archive.example.fr')).id;
    });
    after(() => server.close());

    const visible = async (principal: Parameters<typeof withPrincipal>[1]) =>
      (await withPrincipal(database.db, principal, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', tenant).execute())).map((r) => r.id).sort();

    it('refuses an archive without its duration, and a duration without an archive', () => {
      const problems = (yaml: string) => {
        const r = parseRegister(new TextEncoder().encode(yaml));
        return r.ok ? [] : r.problems.map((p) => `${p.path} ${p.message}`);
      };
      assert.ok(problems(archivingRule(communeYaml('t-arch')).replace('      archiveFor: P10Y\n', '')).some((m) => /retention\.archiveFor .*combien de temps les archives sont gardées/.test(m)));
      assert.ok(problems(communeYaml('t-arch').replace('      then: delete\n', '      then: delete\n      archiveFor: P10Y\n')).some((m) => /ne s'emploie qu'avec « then: archive »/.test(m)));
    });

    it('deletes the request its rule deletes and archives the one its rule archives, as the dry run said', async () => {
      const dry = await runRetention(database.db, tenant, { asOf: new Date(), dryRun: true });
      const planned = dry.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([planned.deleted, planned.archived, planned.notApplied], [1, 1, 0]);
      const run = await runRetention(database.db, tenant, { asOf: new Date() });
      const contact = run.processings.find((p) => p.processingId === 'contact')!;
      assert.deepEqual([contact.deleted, contact.archived, contact.anonymised, contact.notApplied], [1, 1, 0, 0]);
      assert.deepEqual(await visible(system), [ids['voirie']!]);
      const row = await withPrincipal(database.db, system, (trx) => trx.selectFrom('records').selectAll().where('tenant_id', '=', tenant).where('id', '=', ids['voirie']!).executeTakeFirstOrThrow());
      assert.ok(row.archived_at);
      const activeEnd = new Date(sentAt);
      activeEnd.setUTCFullYear(activeEnd.getUTCFullYear() + 2);
      const finalEnd = new Date(sentAt);
      finalEnd.setUTCFullYear(finalEnd.getUTCFullYear() + 12);
      assert.equal(new Date(row.expires_at!).toISOString(), finalEnd.toISOString(), 'final deletion: 10 years after the end of its 2 active years');
      assert.equal(row.data['objet'], 'voirie', 'an archive keeps the request whole');
      const register = (await loadVersion(database.db, tenant, 1))!.register;
      const mine = { id: row.id, formId: row.form_id, processingId: row.processing_id, serviceId: row.service_id, status: row.status, createdAt: sentAt, closedAt: null, expiresAt: new Date(row.expires_at!), expiryAction: row.expiry_action, archivedAt: new Date(row.archived_at), frozen: false, trackingCode: undefined, linked: false };
      assert.match(retentionEnd(register, mine), /^Archivée le .* \(Code du patrimoine, article L\. 212-2 \(archives publiques\)\), sera supprimée le /, 'what the citizen’s « Mes demandes » says');
      assert.equal(deletionPlan(register, [mine], new Set())[0]!.keep, true, 'deleting the account keeps an archive');
      assert.equal((await withPrincipal(database.db, system, (trx) => verifyCertificates(trx, tenant))).ok, true);
      assert.ok(activeEnd < new Date());
    });

    it('shows an archive to the DPO alone: not to the service’s agents, nor to its tracking code', async () => {
      assert.deepEqual(await visible({ kind: 'agent', tenantId: tenant, agentId: agent, services: ['accueil'] }), [], 'the agents of the service no longer see it');
      assert.deepEqual(await visible({ kind: 'dpo', tenantId: tenant, agentId: dpo }), [ids['voirie']!]);
      assert.equal(await findTrackedRequest(database.db, tenant, codes['voirie']!), undefined);
    });

    it('lists the archive on the DPO’s page and opens it as a journaled read; the agent gets a 404', async () => {
      const browser = new TestBrowser(server.url);
      await signInEnrolling(server, browser, tenant, dpo, 'dpo@archive.example.fr');
      assert.match((await browser.get(`/${tenant}/back-office/conservation`)).body, /href="\/[^"]+\/back-office\/archives">Consulter les archives/);
      const list = await browser.get(`/${tenant}/back-office/archives`);
      assert.equal(list.status, 200);
      assert.match(list.body, new RegExp(`href="/${tenant}/back-office/archives/${ids['voirie']}">${ids['voirie']!.slice(0, 8)}</a>`));
      assert.match(list.body, /Code du patrimoine, article L\. 212-2/);
      assert.ok(!list.body.includes('Claire'), 'the list shows no personal data');
      const page = await browser.get(`/${tenant}/back-office/archives/${ids['voirie']}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Claire/);
      const journal = await withPrincipal(database.db, system, (trx) => trx.selectFrom('journal').select(['action', 'purpose']).where('tenant_id', '=', tenant).where('record_id', '=', ids['voirie']!).execute());
      assert.deepEqual(journal, [{ action: 'read', purpose: 'consultation d’une archive (traitement contact)' }]);
      assert.equal((await browser.get(`/${tenant}/back-office/archives/${ids['etat-civil']}`)).status, 404, 'a deleted request is no archive');
      const lea = new TestBrowser(server.url);
      await signInWithPassword(lea, tenant, 'lea@archive.example.fr');
      assert.equal((await lea.get(`/${tenant}/back-office/demandes/${ids['voirie']}`)).status, 404);
      assert.equal((await lea.get(`/${tenant}/back-office/archives`)).status, 403);
    });

    it('deletes the archive at its final date, and certifies both steps', async () => {
      const early = await runRetention(database.db, tenant, { asOf: new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000), dryRun: true });
      assert.equal(early.processings.find((p) => p.processingId === 'contact')!.deleted, 0, 'kept during its 10 years');
      const late = await runRetention(database.db, tenant, { asOf: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000) });
      assert.equal(late.processings.find((p) => p.processingId === 'contact')!.deleted, 1);
      assert.deepEqual(await visible(system), []);
      const ledger = await withPrincipal(database.db, system, (trx) => trx.selectFrom('erasure_ledger').select('action').where('tenant_id', '=', tenant).where('record_id', '=', ids['voirie']!).orderBy('at').execute());
      assert.deepEqual(ledger.map((l) => l.action), ['archive', 'delete']);
      assert.equal((await withPrincipal(database.db, system, (trx) => verifyCertificates(trx, tenant))).ok, true);
    });
  });
}
