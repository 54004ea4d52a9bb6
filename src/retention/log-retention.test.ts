import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { appendJournal } from '../journal/journal.ts';
import { verifyJournal } from '../journal/journal-verify.ts';
import { addDuration } from '../register/duration.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { contactData, loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { submitRecord } from '../back-office/testing.ts';
import { listCertificates, verifyCertificates } from './certificates.ts';
import { runRetention } from './retention-run.ts';

const YEAR = { years: 1, months: 0, weeks: 0, days: 0 };

for (const kind of testDatabaseKinds()) {
  describe(`the security log and the access journal follow their processing’s retention (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    const t = () => a.tenantId;
    const db = () => server.database.db;
    const system = () => ({ kind: 'system' as const, tenantId: t() });
    const logRows = () => withPrincipal(db(), system(), async (trx) => Number((await trx.selectFrom('security_log').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', t()).executeTakeFirstOrThrow()).n));
    const journalSeqs = () => withPrincipal(db(), system(), async (trx) => (await trx.selectFrom('journal').select('seq').where('tenant_id', '=', t()).orderBy('seq').execute()).map((r) => Number(r.seq)));
    const read = (recordId: string) => withPrincipal(db(), system(), (trx) => appendJournal(trx, t(), { actorId: null, actor: 'agent:test', action: 'read', recordId, purpose: 'instruction' }));
    /** Entries and log rows written up to this instant are a year old as of one year later; the later ones are not. */
    let boundary: Date;

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(db(), uniqueTenantId('logs'));
      const first = await submitRecord(server.url, t(), 'contact-mairie', contactData());
      await submitRecord(server.url, t(), 'contact-mairie', contactData({ nom: 'Durand' }));
      for (let i = 0; i < 3; i++) await read(first);
      await sleep(5);
      boundary = new Date();
      await sleep(5);
      const later = await submitRecord(server.url, t(), 'contact-mairie', contactData({ nom: 'Petit' }));
      for (let i = 0; i < 2; i++) await read(later);
    });
    after(() => server.close());

    it('removes, a year on, the log entries of that year only; the dry run and the certificate say so; journal verify holds from the checkpoint', async () => {
      assert.equal(await logRows(), 3, 'each submission logged its IP address');
      const asOf = addDuration(boundary, YEAR);
      const dry = await runRetention(db(), t(), { asOf, dryRun: true });
      assert.deepEqual([dry.logs?.processingId, dry.logs?.securityLogDeleted, dry.logs?.journalPruned], ['journaux-securite', 2, 3]);
      assert.equal(await logRows(), 3, 'a dry run removes nothing');

      const run = await runRetention(db(), t(), { asOf });
      assert.deepEqual([run.logs?.securityLogDeleted, run.logs?.journalPruned, run.logs?.journalCheckpoint?.seq], [2, 3, 3]);
      assert.equal(await logRows(), 1);
      assert.deepEqual(await journalSeqs(), [4, 5], 'the oldest entries go, the chain after them stays');
      assert.ok(run.processings.every((p) => p.deleted === 0), 'the requests themselves keep their two years');

      assert.deepEqual(await verifyJournal(db(), t()), { ok: true, tenantId: t(), rows: 2, pruned: 3 });
      const [certificate] = await withPrincipal(db(), system(), (trx) => listCertificates(trx, t()));
      assert.deepEqual(certificate!.certificate.logs?.journalCheckpoint?.seq, 3);
      assert.equal((await withPrincipal(db(), system(), (trx) => verifyCertificates(trx, t()))).ok, true);
    });

    it('a later run goes on from the checkpoint, and an entry written after it is checked against the pruned chain', async () => {
      const asOf = addDuration(new Date(), { years: 3, months: 0, weeks: 0, days: 0 });
      const run = await runRetention(db(), t(), { asOf });
      assert.deepEqual([run.logs?.securityLogDeleted, run.logs?.journalPruned, run.logs?.journalCheckpoint?.seq], [1, 2, 5]);
      assert.deepEqual(await journalSeqs(), []);
      assert.deepEqual(await verifyJournal(db(), t()), { ok: true, tenantId: t(), rows: 0, pruned: 5 });
      const kept = await submitRecord(server.url, t(), 'contact-mairie', contactData({ nom: 'Roux' }));
      await read(kept);
      await read(kept);
      assert.deepEqual(await verifyJournal(db(), t()), { ok: true, tenantId: t(), rows: 2, pruned: 5 });
    });

    it('names a journal entry deleted after the checkpoint, and a checkpoint moved forward to hide it', async () => {
      await withPrincipal(db(), system(), (trx) => trx.deleteFrom('journal').where('tenant_id', '=', t()).where('seq', '=', '6').execute());
      const gap = await verifyJournal(db(), t());
      assert.deepEqual(gap.ok ? null : [gap.firstBadSeq, gap.problem], [6, 'ligne 6 absente (supprimée ?)']);

      // Hiding the deletion: the checkpoint made to start after it, with the deleted entry's hash.
      const six = await withPrincipal(db(), system(), async (trx) => (await trx.selectFrom('journal').select('prev_hash').where('tenant_id', '=', t()).where('seq', '=', '7').executeTakeFirstOrThrow()).prev_hash);
      await withPrincipal(db(), system(), (trx) => trx.updateTable('journal_checkpoints').set({ seq: 6, hash: six }).where('tenant_id', '=', t()).execute());
      const moved = await verifyJournal(db(), t());
      assert.equal(moved.ok, false);
      assert.match(moved.ok ? '' : moved.problem, /ne correspond pas au certificat de purge n° 2/);
    });
  });
}
