import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { communeYaml, contactData, loadCommune } from '../records/testing.ts';
import { submitForm } from '../records/submit-form.ts';
import { testKeyring } from '../server/testing.ts';

const YEAR = 365.25 * 24 * 3600 * 1000;

for (const kind of testDatabaseKinds()) {
  describe(`bastide retention (${kind})`, () => {
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-retention-'));
    const tenant = uniqueTenantId('cli-ret');
    const run = (args: string[]) => bastide(args, { databaseUrl, dataDir });
    const withDb = <T,>(fn: (database: Database) => Promise<T>) => withDatabaseAt(databaseUrl, dataDir, fn);
    const ids: string[] = [];

    before(async () => {
      await withDb(async ({ db }) => {
        const loaded = await loadCommune(db, tenant);
        const keys = new TenantKeys(db, testKeyring());
        // Three contact requests sent three years ago (kept two years): past their date today.
        for (const nom of ['Ancien', 'Vieux', 'Litige']) {
          const r = await submitForm({ db, keys }, loaded, 'contact-mairie', contactData({ nom }), { baseUrl: 'http://localhost', now: new Date(Date.now() - 3 * YEAR) });
          assert.ok(r.ok);
          ids.push(r.stored.recordId);
        }
        const recent = await submitForm({ db, keys }, loaded, 'contact-mairie', contactData(), { baseUrl: 'http://localhost' });
        assert.ok(recent.ok);
        ids.push(recent.stored.recordId);
      });
    });

    it('refuses a malformed date, a hold without a reason or on an unknown request, in French and without a trace', () => {
      const date = run(['retention', 'run', '--tenant', tenant, '--now', '2030-02-31']);
      assert.equal(date.code, 2);
      assert.match(date.stderr, /--now : date ISO 8601 attendue .* pas « 2030-02-31 »/);
      const unknown = run(['retention', 'hold', '--tenant', tenant, '--record', '00000000-0000-4000-8000-000000000000', '--reason', 'Contentieux']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^erreur : demande : aucune demande 00000000-0000-4000-8000-000000000000 dans cette collectivité/m);
      assert.ok(!/at .*\.ts:\d+/.test(unknown.stderr + date.stderr), 'no stack trace');
    });

    it('holds a request, simulates, purges what is due, keeps the held one, and certifies the run', async () => {
      const hold = run(['--json', 'retention', 'hold', '--tenant', tenant, '--record', ids[2]!, '--reason', 'Facture impayée, recouvrement en cours', '--by', 'dpo@val-fleuri.fr']);
      assert.equal(hold.code, 0, hold.stderr);
      assert.equal(JSON.parse(hold.stdout).processingId, 'contact');

      const dry = run(['--json', 'retention', 'run', '--tenant', tenant, '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      const [simulated] = JSON.parse(dry.stdout);
      const contact = simulated.processings.find((p: { processingId: string }) => p.processingId === 'contact');
      assert.deepEqual([contact.deleted, contact.held, simulated.certificate], [2, 1, null]);

      const purge = run(['retention', 'run', '--tenant', tenant]);
      assert.equal(purge.code, 0, purge.stderr);
      assert.match(purge.stdout, /contact \(P2Y à partir de created, puis delete\) : 2 demandes supprimées ; 1 demande conservée \(gel ou conservation pour raison juridique\)/);
      assert.match(purge.stdout, /certificat de purge n° 1 \([0-9a-f-]{36}\) : [0-9a-f]{64}/);
      assert.equal(purge.stderr, '', 'no progress bar when stderr is not a terminal');
      const left = await withDb(({ db }) => withPrincipal(db, { kind: 'system', tenantId: tenant }, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', tenant).execute()));
      assert.deepEqual(left.map((r) => r.id).sort(), [ids[2]!, ids[3]!].sort(), 'the held and the recent requests remain');

      const verify = run(['retention', 'certificates', '--tenant', tenant, '--verify']);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout, new RegExp(`^${tenant}\\tn° 1\\t.*\\t2 effacée\\(s\\), 1 conservée\\(s\\)\\t[0-9a-f]{64}$`, 'm'));
      assert.match(verify.stdout, new RegExp(`^${tenant} : 1 certificat intact$`, 'm'));
    });

    it('names a tampered certificate and exits non-zero', async () => {
      await withDb(({ db }) => sql`update retention_runs set certificate = replace(certificate, '"held":1', '"held":0') where tenant_id = ${tenant}`.execute(db));
      const verify = run(['retention', 'certificates', '--tenant', tenant, '--verify']);
      assert.equal(verify.code, 1);
      assert.match(verify.stderr, new RegExp(`^${tenant} : certificat n° 1 ALTÉRÉ \\([0-9a-f-]{36}\\) : son contenu a été modifié après sa signature$`, 'm'));
    });

    it('refuses a register that makes requests due at once unless confirmed, and recomputes the dates once it is', async () => {
      // The recent request (today) falls due if contact requests are kept one day.
      const yaml = communeYaml(tenant);
      const start = yaml.indexOf('\n  - id: contact\n');
      const at = yaml.indexOf('      duration: ', start);
      const file = join(dataDir, 'shorter.yaml');
      writeFileSync(file, `${yaml.slice(0, at)}      duration: P1D${yaml.slice(yaml.indexOf('\n', at))}`);
      // Today's request is due in a day, not at once: move it two days back.
      await withDb(({ db }) => withPrincipal(db, { kind: 'system', tenantId: tenant }, (trx) => sql`update records set created_at = created_at - interval '2 days' where tenant_id = ${tenant} and id = ${ids[3]!}`.execute(trx)));
      const check = run(['register', 'check', file, '--against-current']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /par rapport à la version 1 en vigueur :\n  traitement contact : 2 date\(s\) de suppression avancée\(s\), 0 reculée\(s\), dont 1 demande\(s\) supprimable\(s\) dès maintenant\n  le chargement demandera --confirm-retention/);
      const checkJson = JSON.parse(run(['--json', 'register', 'check', file, '--against-current']).stdout) as { currentVersion: number; confirmationNeeded: boolean; expiries: Array<{ processingId: string; earlier: number }> };
      assert.deepEqual([checkJson.currentVersion, checkJson.confirmationNeeded, checkJson.expiries.map((m) => [m.processingId, m.earlier])], [1, true, [['contact', 2]]]);
      const newcomer = join(dataDir, 'newcomer.yaml');
      writeFileSync(newcomer, communeYaml(`${tenant}-nouvelle`));
      const fresh = run(['register', 'check', newcomer, '--against-current']);
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.match(fresh.stdout, /aucune version en vigueur dans la base : rien à comparer/, 'a tenant not loaded yet has nothing to compare');
      assert.deepEqual(JSON.parse(run(['--json', 'register', 'check', newcomer, '--against-current']).stdout).currentVersion, null);
      const refused = run(['register', 'load', file]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /rend des demandes supprimables dès maintenant \(traitement contact : 1\).*Rien n’a été chargé : relancez avec --confirm-retention/);
      assert.match(run(['register', 'versions', '--tenant', tenant]).stdout, /^1\t/, 'still one version');
      const confirmed = run(['register', 'load', file, '--confirm-retention']);
      assert.equal(confirmed.code, 0, confirmed.stderr);
      assert.match(confirmed.stdout, new RegExp(`^${tenant} version 2\n  traitement contact : 2 date\\(s\\) de suppression avancée\\(s\\), 0 reculée\\(s\\), dont 1 demande\\(s\\) supprimable\\(s\\) dès maintenant$`, 'm'));
    });
  });
}
