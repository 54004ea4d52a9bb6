import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { changeStatus } from '../records/record-status.ts';
import { applicationData, contactData, enrolmentData, loadCommune, reportData } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { submitRecord } from '../back-office/testing.ts';
import { listCertificates, verifyCertificates } from './certificates.ts';
import { RetentionBusy, RetentionRefused, runRetention, type RunReport } from './retention-run.ts';

const YEAR = 365.25 * 24 * 3600 * 1000;
const yearsAhead = (n: number) => new Date(Date.now() + n * YEAR);
const outcome = (r: RunReport, id: string) => r.processings.find((p) => p.processingId === id)!;

for (const kind of testDatabaseKinds()) {
  describe(`retention run (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;
    const db = () => server.database.db;
    const system = () => ({ kind: 'system' as const, tenantId: t() });
    const exists = async (id: string) =>
      (await withPrincipal(db(), system(), (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', t()).where('id', '=', id).executeTakeFirst())) !== undefined;
    const count = (table: 'uploads' | 'record_subjects' | 'erasure_ledger') =>
      withPrincipal(db(), system(), async (trx) => Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t()).executeTakeFirstOrThrow()).n));
    const ids: Record<string, string> = {};

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(db(), uniqueTenantId('retention'));
      const submit = (formId: string, data: unknown) => submitRecord(server.url, t(), formId, data);
      ids.contact = await submit('contact-mairie', contactData());
      ids.frozen = await submit('contact-mairie', contactData({ nom: 'Gelé' }));
      ids.held = await submit('contact-mairie', contactData({ nom: 'Litige' }));
      ids.report = await submit('signalement', reportData());
      ids.enrolment = await submit('inscription-enfance', enrolmentData({ prenom: 'Léa', allergies: 'aucune' }));
      ids.quotient = await submit('inscription-enfance', { ...enrolmentData({ prenom: 'Noé', allergies: 'aucune' }), tarif: 'quotient-familial' });
      ids.applicationOpen = await submit('postuler', applicationData());
      ids.applicationClosed = await submit('postuler', applicationData());
      assert.ok(await changeStatus({ db: db(), keys: server.ctx.keys }, system(), a.register, ids.applicationClosed!, 'done'));
      await withPrincipal(db(), system(), async (trx) => {
        await trx.updateTable('records').set({ frozen: true }).where('tenant_id', '=', t()).where('id', '=', ids.frozen!).execute();
        await trx.insertInto('record_holds').values({ tenant_id: t(), record_id: ids.held!, reason: 'Contentieux en cours devant le tribunal administratif', set_by: 'dpo@val-fleuri.fr' }).execute();
      });
    });
    after(() => server.close());

    it('a dry run counts what is due and changes nothing; today nothing is due', async () => {
      const today = await runRetention(db(), t(), { asOf: new Date(), dryRun: true });
      assert.ok(today.processings.every((p) => p.deleted === 0 && p.held === 0));
      const ahead = await runRetention(db(), t(), { asOf: yearsAhead(6), dryRun: true });
      assert.equal(ahead.runId, null);
      assert.equal(outcome(ahead, 'contact').deleted, 1, 'the contact request (2 years), not the frozen or the held one');
      assert.equal(outcome(ahead, 'contact').held, 2);
      assert.equal(outcome(ahead, 'enfance-jeunesse').deleted, 1, 'the full-price enrolment (5 years), not the quotient-familial one (10 years)');
      assert.equal(outcome(ahead, 'candidature').deleted, 1, 'the closed application; the open one has no date yet');
      for (const id of Object.values(ids)) assert.ok(await exists(id), 'nothing is deleted by a dry run');
      assert.equal((await withPrincipal(db(), system(), (trx) => listCertificates(trx, t()))).length, 0);
    });

    it('deletes as the register says, with uploads and subject keys, keeps held and frozen records, and certifies it', async () => {
      const uploads = await count('uploads');
      const subjects = await count('record_subjects');
      const dry = await runRetention(db(), t(), { asOf: yearsAhead(6), dryRun: true });
      const progress: number[] = [];
      const run = await runRetention(db(), t(), { asOf: yearsAhead(6), batchSize: 2, onProgress: (done) => progress.push(done) });
      for (const p of run.processings) assert.equal(p.deleted, outcome(dry, p.processingId).deleted, `the run deletes what the dry run announced (${p.processingId})`);
      assert.equal(run.logs?.securityLogDeleted, 8, 'the IP addresses of the eight submissions, six years on');
      assert.equal(progress.at(-1), 4 + 8 + run.logs!.journalPruned, 'the progress counts requests and log entries');
      for (const gone of ['contact', 'report', 'enrolment', 'applicationClosed']) assert.equal(await exists(ids[gone]!), false, `${gone} is deleted`);
      for (const kept of ['frozen', 'held', 'quotient', 'applicationOpen']) assert.equal(await exists(ids[kept]!), true, `${kept} is kept`);
      assert.equal(outcome(run, 'contact').held, 2);
      assert.ok((await count('uploads')) < uploads, 'the closed application’s CV went with it');
      assert.ok((await count('record_subjects')) < subjects, 'and the blind-index entries of the deleted records');
      assert.equal(await count('erasure_ledger'), 4);
      assert.deepEqual(run.certificate?.seq, 1);
      const [certificate] = await withPrincipal(db(), system(), (trx) => listCertificates(trx, t()));
      assert.equal(certificate!.runId, run.runId);
      const text = JSON.stringify(certificate!.certificate);
      for (const id of Object.values(ids)) assert.ok(!text.includes(id), 'no record id in the certificate, only their digest');
      assert.ok(!/Martin|claire|Bernard|lucie/i.test(text), 'nothing personal in the certificate');
      assert.deepEqual(await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t())), { ok: true, tenantId: t(), certificates: 1, recounted: 1 });
      const again = await runRetention(db(), t(), { asOf: yearsAhead(6), dryRun: true });
      assert.ok(again.processings.every((p) => p.deleted === 0), 'nothing left to delete at that date');
    });

    it('applies the ten-year quotient-familial rule and refuses a date before the last run', async () => {
      await assert.rejects(runRetention(db(), t(), { asOf: yearsAhead(1) }), RetentionRefused);
      const run = await runRetention(db(), t(), { asOf: yearsAhead(11) });
      assert.equal(outcome(run, 'enfance-jeunesse').deleted, 1);
      assert.equal(await exists(ids.quotient!), false);
      assert.equal(run.certificate?.seq, 2);
    });

    it('lets one run at a time, and a run killed midway is finished by the next with exact counts', async () => {
      for (let i = 0; i < 5; i++) await submitRecord(server.url, t(), 'contact-mairie', contactData({ nom: `Lot ${i}` }));
      // A run that dies after its first batch, as under kill -9: its lease stays, then lapses.
      let now = Date.now();
      const clock = () => new Date(now);
      const killedAsOf = yearsAhead(12);
      await assert.rejects(
        runRetention(db(), t(), {
          asOf: killedAsOf,
          batchSize: 2,
          clock,
          leaseMs: 60_000,
          onProgress: (done) => {
            if (done >= 2) throw new Error('killed');
          },
        }),
        /killed/,
      );
      await assert.rejects(runRetention(db(), t(), { asOf: yearsAhead(12), clock }), RetentionBusy, 'the lease is still alive');
      now += 61_000;
      const resumed = await runRetention(db(), t(), { asOf: yearsAhead(13), batchSize: 2, clock });
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.asOf, killedAsOf.toISOString(), 'the resumed run keeps the date it was started with');
      assert.equal(outcome(resumed, 'contact').deleted, 5, 'the two deleted before the crash are counted once, with the three after');
      assert.equal((await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t()))).ok, true);
    });

    it('names a tampered certificate and a ledger that no longer matches', async () => {
      const all = await withPrincipal(db(), system(), (trx) => listCertificates(trx, t()));
      const second = all[1]!;
      const forged = second.text.replace('"deleted":1', '"deleted":0');
      assert.notEqual(forged, second.text);
      await withPrincipal(db(), system(), (trx) => trx.updateTable('retention_runs').set({ certificate: forged }).where('tenant_id', '=', t()).where('id', '=', second.runId).execute());
      const broken = await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t()));
      assert.equal(broken.ok, false);
      assert.equal(broken.ok ? 0 : broken.seq, 2);
      const page = await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t(), { recountLast: 0 }));
      assert.equal(page.ok ? 0 : page.seq, 2, 'the chain is checked whole even when no certificate is recounted (the DPO page recounts the last 20)');
      await withPrincipal(db(), system(), (trx) => trx.updateTable('retention_runs').set({ certificate: second.text }).where('tenant_id', '=', t()).where('id', '=', second.runId).execute());
      await withPrincipal(db(), system(), (trx) => sql`delete from erasure_ledger where tenant_id = ${t()} and run_id = ${all[0]!.runId} and processing_id = 'contact'`.execute(trx));
      const ledger = await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t()));
      assert.equal(ledger.ok, false);
      assert.equal(ledger.ok ? 0 : ledger.seq, 1);
      assert.match(ledger.ok ? '' : ledger.problem, /registre des effacements ne correspond pas pour le traitement contact/);
    });
  });
}
