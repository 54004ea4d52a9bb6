import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { openOutboxMessage } from '../mail/outbox-message.ts';
import type { ComposedMail } from '../mail/mailer.ts';
import { buildNotice } from '../notice/notice.ts';
import { renderNoticePage } from '../notice/render-html.ts';
import { applicationData, communeYaml, contactData } from '../records/testing.ts';
import { decodeJsonFiles } from '../forms/json-files.ts';
import { changeStatus } from '../records/record-status.ts';
import { submitForm } from '../records/submit-form.ts';
import { loadRegister } from '../register/register-loader.ts';
import { parseRegister } from '../register/parse.ts';
import { loadVersion } from '../register/register-repository.ts';
import { testKeyring } from '../server/testing.ts';
import { setHold } from './holds.ts';
import { runRetention } from './retention-run.ts';

const DAY = 24 * 3600 * 1000;

/** The contact processing (2 years from the request) with an e-mail 14 days before deletion. */
function notifying(yaml: string): string {
  const start = yaml.indexOf('\n  - id: contact\n');
  const old = '      then: delete\n';
  const at = yaml.indexOf(old, start);
  return `${yaml.slice(0, at)}${old}      notifyBefore: P14D\n${yaml.slice(at + old.length)}`;
}

describe('register checks of the notice before deletion', () => {
  it('refuses it for a processing whose forms give no e-mail address to write to', () => {
    const yaml = communeYaml('t-notify');
    const logs = yaml.indexOf('\n  - id: journaux-securite\n');
    assert.ok(logs > 0);
    const at = yaml.indexOf('      then: delete\n', logs);
    const r = parseRegister(new TextEncoder().encode(`${yaml.slice(0, at)}      then: delete\n      notifyBefore: P14D\n${yaml.slice(at + '      then: delete\n'.length)}`));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.problems.some((p) => /retention\.notifyBefore$/.test(p.path) && /aucun formulaire de ce traitement n'a de champ courriel/.test(p.message)), JSON.stringify(!r.ok && r.problems));
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`notice before deletion (${kind})`, () => {
    let database: Database;
    let keys: TenantKeys;
    const tenant = uniqueTenantId('ret-notice');
    const system = { kind: 'system' as const, tenantId: tenant };
    const ids: Record<string, string> = {};
    const twoYears = (d: Date) => {
      const x = new Date(d);
      x.setUTCFullYear(x.getUTCFullYear() - 2);
      return x;
    };

    before(async () => {
      database = await openTestDatabase(kind);
      keys = new TenantKeys(database.db, testKeyring());
      const r = await loadRegister(database.db, new TextEncoder().encode(notifying(communeYaml(tenant))), 'test');
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      // Due in 10 days (announced), in 30 days (not yet), in 10 days but held, and already past (deleted, never announced).
      const cases: Record<string, number> = { soon: 10, later: 30, held: 10, past: -3 };
      for (const [name, days] of Object.entries(cases)) {
        const sent = await submitForm({ db: database.db, keys }, loaded, 'contact-mairie', contactData({ courriel: `${name}@example.fr`, message: `Message confidentiel ${name}` }), {
          baseUrl: 'http://localhost',
          now: twoYears(new Date(Date.now() + days * DAY)),
        });
        assert.ok(sent.ok, JSON.stringify(sent));
        ids[name] = sent.stored.recordId;
      }
      assert.ok((await setHold(database.db, tenant, ids['held']!, 'Litige en cours', { actorId: null, actor: 'test' })).ok);
      // The receipts are not what this test reads.
      await withPrincipal(database.db, system, (trx) => trx.deleteFrom('mail_outbox').where('tenant_id', '=', tenant).execute());
    });
    after(() => database.close());

    async function notices(): Promise<Array<{ recordId: string | null; mail: ComposedMail }>> {
      const rows = await withPrincipal(database.db, system, (trx) => trx.selectFrom('mail_outbox').select(['tenant_id', 'id', 'record_id', 'sealed', 'key_version']).where('tenant_id', '=', tenant).execute());
      const all = await keys.all(tenant);
      return rows.map((r) => ({ recordId: r.record_id, mail: openOutboxMessage(all.find((k) => k.version === r.key_version)!, { tenant_id: r.tenant_id, id: r.id, sealed: r.sealed! }) as ComposedMail }));
    }

    it('e-mails the request due within 14 days, once, with its date and none of its answers', async () => {
      const run = await runRetention(database.db, tenant, { asOf: new Date(), keys: () => keys, publicUrl: 'https://demarches.example.fr' });
      assert.equal(run.deletionNotices, 1);
      const sent = await notices();
      assert.deepEqual(sent.map((s) => s.recordId), [ids['soon']]);
      const mail = sent[0]!.mail;
      assert.equal(mail.to, 'soon@example.fr');
      assert.match(mail.subject, /^Votre demande « Contacter la mairie » sera supprimée le \d{1,2} \S+ \d{4}$/);
      assert.match(mail.text, /https:\/\/demarches\.example\.fr\/[^/]+\/donnees-personnelles/);
      assert.ok(!mail.text.includes('confidentiel') && !mail.text.includes('Martin') && !(mail.html ?? '').includes('confidentiel'), 'none of the answers');
      const journaled = await withPrincipal(database.db, system, (trx) =>
        trx.selectFrom('journal_records as jr').innerJoin('journal as j', (j) => j.onRef('j.tenant_id', '=', 'jr.tenant_id').onRef('j.seq', '=', 'jr.seq')).select(['jr.record_id', 'j.action', 'j.purpose']).where('jr.tenant_id', '=', tenant).execute(),
      );
      assert.deepEqual(journaled.map((j) => [j.record_id, j.action]), [[ids['soon'], 'read']], 'reading the address to write to it is journaled');
      assert.match(journaled[0]!.purpose, /^avis avant suppression \(traitement contact\)/);
      const again = await runRetention(database.db, tenant, { asOf: new Date(), keys: () => keys });
      assert.equal(again.deletionNotices, 0, 'a request is announced once for its date');
      assert.equal((await notices()).length, 1);
    });

    it('announces again a date that a register change moved', async () => {
      const marked = async () =>
        (await withPrincipal(database.db, system, (trx) => trx.selectFrom('records').select('deletion_notice_at').where('tenant_id', '=', tenant).where('id', '=', ids['soon']!).executeTakeFirstOrThrow())).deletion_notice_at;
      assert.ok(await marked());
      const yaml = notifying(communeYaml(tenant));
      const start = yaml.indexOf('\n  - id: contact\n');
      const longer = `${yaml.slice(0, start)}${yaml.slice(start).replace('      duration: P2Y\n', '      duration: P3Y\n')}`;
      const r = await loadRegister(database.db, new TextEncoder().encode(longer), 'test');
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
      await runRetention(database.db, tenant, { asOf: new Date(), keys: () => keys });
      assert.equal(await marked(), null, 'a year later now: to announce when that date comes near');
    });

    it('announces again a date that a status change moved', async () => {
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      const sent = await submitForm({ db: database.db, keys }, loaded, 'postuler', decodeJsonFiles(applicationData()), { baseUrl: 'http://localhost' });
      assert.ok(sent.ok);
      const recordId = sent.stored.recordId;
      const mark = () => withPrincipal(database.db, system, (trx) => trx.selectFrom('records').select(['deletion_notice_at', 'expires_at']).where('tenant_id', '=', tenant).where('id', '=', recordId).executeTakeFirstOrThrow());
      await withPrincipal(database.db, system, (trx) => trx.updateTable('records').set({ deletion_notice_at: new Date() }).where('tenant_id', '=', tenant).where('id', '=', recordId).execute());
      const agent = { kind: 'agent' as const, tenantId: tenant, agentId: '00000000-0000-4000-8000-000000000009', services: ['rh'] };
      await changeStatus({ db: database.db, keys }, agent, loaded.register, recordId, 'in-progress');
      assert.ok((await mark()).deletion_notice_at, 'no new date: the mark stays');
      await changeStatus({ db: database.db, keys }, agent, loaded.register, recordId, 'done');
      const closed = await mark();
      assert.ok(closed.expires_at, 'closing gives the date (from: closed)');
      assert.equal(closed.deletion_notice_at, null, 'a new date, to announce in turn');
    });

    it('says so in the privacy notice', async () => {
      const loaded = (await loadVersion(database.db, tenant, 1))!;
      assert.match(renderNoticePage(buildNotice(loaded)), /Si vous avez indiqué une adresse électronique, un courriel vous prévient de la suppression ou de l’anonymisation de votre demande 14 jours avant/);
    });
  });
}
