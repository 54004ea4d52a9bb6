import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadCommune } from '../records/testing.ts';
import { testKeyring } from '../server/testing.ts';
import { createMailer, mailerFromSend, renderMail, type Mailer, type OutgoingMail } from './mailer.ts';
import { outboxRow } from './outbox-message.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { startTestSmtpServer } from './testing.ts';

const TO = 'camille.martin@example.org';
const MAIL: OutgoingMail = { to: TO, subject: 'Votre demande a bien été reçue', text: 'Numéro de suivi : VF-7K3Q-92XM' };
const FROM = 'ne-pas-repondre@val-fleuri.example';

function recordingLogger() {
  const lines: { obj: object; msg: string }[] = [];
  const keep = (obj: object, msg: string) => void lines.push({ obj, msg });
  return { lines, warn: keep, error: keep };
}

describeEachDatabase('the durable outbox', (database) => {
  async function setUp(mailer: Mailer, retryDelaysMs: number[] = [10, 10]) {
    const db = database().db;
    const tenantId = uniqueTenantId('outbox');
    await loadCommune(db, tenantId);
    const keys = new TenantKeys(db, testKeyring());
    const logger = recordingLogger();
    const worker = new OutboxWorker({ db, keys, mailer, logger, retryDelaysMs });
    const queue = async (mail: OutgoingMail = MAIL) => {
      const row = outboxRow(await keys.current(tenantId), tenantId, null, mail, new Date(), new Date(Date.now() + 86_400_000));
      await withPrincipal(db, { kind: 'public', tenantId }, (trx) => trx.insertInto('mail_outbox').values(row).execute());
      return row;
    };
    const rows = () => withPrincipal(db, { kind: 'system', tenantId }, (trx) => trx.selectFrom('mail_outbox').selectAll().execute());
    return { db, tenantId, keys, logger, worker, queue, rows };
  }

  it('keeps a queued message sealed in the database until it is sent, then drops its text', async () => {
    const smtp = await startTestSmtpServer();
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: FROM });
    try {
      const { worker, queue, rows } = await setUp(mailer);
      const row = await queue();
      const [stored] = await rows();
      assert.ok(stored?.sealed && !stored.sealed.includes('camille') && !Buffer.from(stored.sealed, 'base64').toString('latin1').includes('camille'), 'nothing in clear');
      assert.equal(await worker.drain(), 0);
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(smtp.received[0]?.to, [TO]);
      assert.match(smtp.received[0]!.raw, new RegExp(`Message-ID: <${row.id}@`, 'i'));
      const [sent] = await rows();
      assert.ok(sent?.sent_at, 'marked sent');
      assert.equal(sent?.sealed, null, 'the text is gone once sent');
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('retries a deferred message (451) and logs nothing when it then goes through', async () => {
    const smtp = await startTestSmtpServer();
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: FROM });
    try {
      const { worker, queue, logger, rows } = await setUp(mailer);
      smtp.rejectRecipients(1, 451);
      await queue();
      assert.equal(await worker.drain(), 0);
      assert.equal(smtp.rcptAttempts, 2);
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(logger.lines, []);
      assert.equal((await rows())[0]?.attempts, 2);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('gives up after the last retry, or at once on a permanent refusal, logging neither address nor text', async () => {
    const smtp = await startTestSmtpServer();
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: FROM });
    try {
      const { worker, queue, logger, rows } = await setUp(mailer);
      smtp.rejectRecipients(3, 451);
      await queue();
      assert.equal(await worker.drain(), 0);
      assert.equal(smtp.rcptAttempts, 3);
      smtp.rejectRecipients(1, 550);
      await queue();
      assert.equal(await worker.drain(), 0);
      assert.equal(smtp.rcptAttempts, 4, 'a 550 is not retried');
      assert.equal(smtp.received.length, 0);
      assert.equal(logger.lines.length, 2);
      const logged = JSON.stringify(logger.lines);
      assert.ok(!logged.includes('camille') && !logged.includes('VF-7K3Q') && !logged.includes('reçue'), logged);
      assert.deepEqual(
        (await rows()).map((r) => [r.last_error, r.sealed, Boolean(r.failed_at)]).sort(),
        [
          ['451', null, true],
          ['550', null, true],
        ],
      );
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('never sends a message twice when two workers race for the same outbox', async () => {
    const sent: string[] = [];
    const slowMailer = mailerFromSend(async (mail) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      sent.push(renderMail(mail).text);
    });
    const { db, keys, worker, queue, logger } = await setUp(slowMailer);
    const other = new OutboxWorker({ db, keys, mailer: slowMailer, logger, batchSize: 3 });
    for (let i = 0; i < 30; i++) await queue({ ...MAIL, text: `message ${i}` });
    await Promise.all([worker.drain(), other.drain()]);
    assert.equal(sent.length, 30);
    assert.equal(new Set(sent).size, 30);
  });

  it('takes over a message whose worker died holding it, once its lease has run out', async () => {
    const sent: string[] = [];
    const mailer = mailerFromSend(async (m) => void sent.push(renderMail(m).text));
    const { db, keys, queue, logger } = await setUp(mailer);
    await queue();
    let now = new Date();
    const crashed = new OutboxWorker({ db, keys, logger, leaseMs: 60_000, clock: () => now, mailer: { prepare: () => new Promise(() => {}), close: async () => {} } });
    void crashed.runOnce(); // claims it, then never finishes: a process killed while sending
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = new OutboxWorker({ db, keys, mailer, logger, leaseMs: 60_000, clock: () => now });
    assert.deepEqual(await next.runOnce(), { sent: 0, retried: 0, failed: 0 }, 'held by its lease');
    now = new Date(Date.now() + 61_000);
    assert.deepEqual(await next.runOnce(), { sent: 1, retried: 0, failed: 0 });
    assert.equal(sent.length, 1);
  });

  /** A mailer whose messages wait, prepared, until the test lets each go; what it sends or abandons is written down. */
  function heldMailer(name: string, log: string[]) {
    const gates: (() => void)[] = [];
    const mailer: Mailer = {
      prepare: async (mail) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        const text = renderMail(mail).text;
        return {
          ready: true,
          complete: () => (log.push(`${name} sent ${text}`), { handed: true, answer: Promise.resolve() }),
          abandon: () => void log.push(`${name} abandoned`),
        };
      },
      close: async () => {},
    };
    const prepared = async () => {
      while (gates.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    return { mailer, prepared, release: () => gates.shift()?.() };
  }

  it('hands a message over only while its claim holds it: a worker that stalled past its lease drops its copy', async () => {
    const log: string[] = [];
    const { db, keys, queue, logger, rows } = await setUp(mailerFromSend(async () => {}));
    await queue();
    let now = new Date();
    const stalled = heldMailer('stalled', log);
    const first = new OutboxWorker({ db, keys, logger, leaseMs: 60_000, clock: () => now, mailer: stalled.mailer });
    const firstRound = first.runOnce();
    await stalled.prepared();
    now = new Date(Date.now() + 61_000);
    const taker = heldMailer('taker', log);
    const second = new OutboxWorker({ db, keys, logger, leaseMs: 60_000, clock: () => now, mailer: taker.mailer });
    const secondRound = second.runOnce();
    await taker.prepared();
    // Both hold the message prepared, neither has marked it: only the lease tells them apart.
    stalled.release();
    assert.deepEqual(await firstRound, { sent: 0, retried: 0, failed: 0 });
    taker.release();
    assert.deepEqual(await secondRound, { sent: 1, retried: 0, failed: 0 });
    assert.deepEqual(log, ['stalled abandoned', `taker sent ${MAIL.text}`]);
    assert.ok((await rows())[0]?.sent_at);
  });

  it('lets no stalled worker undo the work of the one that took its message over', async () => {
    const { db, keys, queue, logger, rows } = await setUp(mailerFromSend(async () => {}));
    await queue();
    let now = new Date();
    let refuse: (e: Error) => void = () => {};
    const refusing: Mailer = { prepare: () => new Promise((_, reject) => (refuse = reject)), close: async () => {} };
    const first = new OutboxWorker({ db, keys, logger, leaseMs: 60_000, clock: () => now, mailer: refusing });
    const firstRound = first.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = new Date(Date.now() + 61_000);
    const sent: string[] = [];
    const second = new OutboxWorker({ db, keys, logger, leaseMs: 60_000, clock: () => now, mailer: mailerFromSend(async (m) => void sent.push(renderMail(m).text)) });
    assert.deepEqual(await second.runOnce(), { sent: 1, retried: 0, failed: 0 });
    // The stalled one now hears a permanent refusal: too late, the message is not its own any more.
    refuse(Object.assign(new Error('refused'), { responseCode: 554, permanent: true }));
    await firstRound;
    const [row] = await rows();
    assert.ok(row?.sent_at, 'still sent');
    assert.equal(row?.failed_at, null);
    assert.deepEqual(sent, [MAIL.text]);
  });

  it('does not mark sent a message whose connection was lost while it waited, and sends it on the retry', async () => {
    let lost = true;
    const sent: string[] = [];
    const mailer: Mailer = {
      prepare: async (mail) => ({
        ready: !lost,
        complete: () => (sent.push(renderMail(mail).text), { handed: true, answer: Promise.resolve() }),
        abandon: () => {},
      }),
      close: async () => {},
    };
    const { db, keys, logger, worker, queue, rows } = await setUp(mailer, [60_000]);
    await queue();
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    assert.equal((await rows())[0]?.sent_at, null);
    assert.deepEqual(sent, []);
    lost = false;
    const retry = new OutboxWorker({ db, keys, mailer, logger, clock: () => new Date(Date.now() + 61_000) });
    assert.deepEqual(await retry.runOnce(), { sent: 1, retried: 0, failed: 0 });
    assert.deepEqual(sent, [MAIL.text]);
  });

  it('rolls the handover back when a final line may still wait in this process, and confirms it by the answer', async () => {
    const { worker, queue, rows } = await setUp({
      prepare: async () => ({ ready: true, complete: () => ({ handed: false, answer: new Promise((resolve) => setTimeout(resolve, 20)) }), abandon: () => {} }),
      close: async () => {},
    });
    await queue();
    // Until the answer, the message is not marked (a kill then would send it again, not lose it); the answer marks it.
    assert.deepEqual(await worker.runOnce(), { sent: 1, retried: 0, failed: 0 });
    const [row] = await rows();
    assert.ok(row?.sent_at);
    assert.equal(row?.sealed, null);
  });

  it('puts a message the server refuses after its final line back in the queue, text kept, and sends it on the retry', async () => {
    const answers = [Object.assign(new Error('try later'), { responseCode: 451 }), undefined];
    const mailer: Mailer = {
      prepare: async () => ({
        ready: true,
        complete: () => {
          const refusal = answers.shift();
          return { handed: true, answer: refusal ? Promise.reject(refusal) : Promise.resolve() };
        },
        abandon: () => {},
      }),
      close: async () => {},
    };
    const { db, keys, logger, worker, queue, rows } = await setUp(mailer, [60_000]);
    await queue();
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    const [waiting] = await rows();
    assert.equal(waiting?.sent_at, null, 'not counted as sent');
    assert.ok(waiting?.sealed, 'its text kept for the retry');
    assert.equal(waiting?.last_error, '451');
    const retry = new OutboxWorker({ db, keys, mailer, logger, clock: () => new Date(Date.now() + 61_000) });
    assert.deepEqual(await retry.runOnce(), { sent: 1, retried: 0, failed: 0 });
    const [sent] = await rows();
    assert.ok(sent?.sent_at);
    assert.equal(sent?.sealed, null);
  });

  it('deletes rows past their expiry, sent or not', async () => {
    const mailer = mailerFromSend(async () => {});
    const { db, keys, queue, rows, logger } = await setUp(mailer);
    await queue();
    const later = new OutboxWorker({ db, keys, mailer, logger, clock: () => new Date(Date.now() + 2 * 86_400_000) });
    await later.runOnce();
    assert.equal((await rows()).length, 0);
  });
});
