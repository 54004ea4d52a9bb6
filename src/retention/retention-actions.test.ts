import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

/** The contact processing, deleting by default, but archiving the requests about roads (a rule with its own action). */
function archivingRule(yaml: string): string {
  const start = yaml.indexOf('\n  - id: contact\n');
  const old = '    retention:\n      duration: P2Y\n      from: created\n      then: delete\n';
  const at = yaml.indexOf(old, start);
  assert.ok(at > start);
  const rule = `${old}      rules:\n        - when: { field: objet, equals: voirie }\n          duration: P2Y\n          then: archive\n      legalObligation: "Code du patrimoine, article L. 212-2 (archives publiques)"\n`;
  return `${yaml.slice(0, at)}${rule}${yaml.slice(at + old.length)}`;
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
