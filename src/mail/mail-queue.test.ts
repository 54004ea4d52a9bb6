import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MailQueue } from './mail-queue.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from './testing.ts';

const FROM = 'ne-pas-repondre@val-fleuri.example';
const TO = 'camille.martin@example.org';
const MAIL = { to: TO, subject: 'Votre demande a bien été reçue', text: 'Numéro de suivi : VF-7K3Q-92XM' };

/** A pino-like logger that keeps what it is given. */
function recordingLogger() {
  const lines: { obj: object; msg: string }[] = [];
  return { lines, warn: (obj: object, msg: string) => void lines.push({ obj, msg }) };
}

describe('the mail queue', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  before(async () => {
    smtp = await startTestSmtpServer();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: FROM });
  });
  after(async () => {
    await mailer.close();
    await smtp.close();
  });

  const reset = () => {
    smtp.received.length = 0;
    smtp.rcptAttempts = 0;
  };

  it('returns at once from enqueue, even when the mail server refuses for now', () => {
    reset();
    smtp.rejectRecipients(1, 451);
    const queue = new MailQueue(mailer, { logger: recordingLogger(), retryDelaysMs: [10] });
    const id = queue.enqueue(MAIL);
    assert.equal(smtp.rcptAttempts, 0, 'enqueue did not wait for the server');
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(queue.size, 1);
    return queue.drain();
  });

  it('retries a message the SMTP server deferred (451) and delivers it on the second attempt', async () => {
    reset();
    smtp.rejectRecipients(1, 451);
    const logger = recordingLogger();
    const queue = new MailQueue(mailer, { logger, retryDelaysMs: [10, 10] });
    queue.enqueue(MAIL);
    await queue.drain();

    assert.equal(smtp.rcptAttempts, 2);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(smtp.received[0]?.to, [TO]);
    assert.deepEqual(logger.lines, []);
    assert.equal(queue.size, 0);
  });

  it('gives up after the last attempt and logs a warning with neither the address nor the body', async () => {
    reset();
    smtp.rejectRecipients(3, 451);
    const logger = recordingLogger();
    const queue = new MailQueue(mailer, { logger, retryDelaysMs: [10, 10] });
    const id = queue.enqueue(MAIL);
    await queue.drain();

    assert.equal(smtp.rcptAttempts, 3);
    assert.equal(smtp.received.length, 0);
    assert.equal(logger.lines.length, 1);
    const logged = JSON.stringify(logger.lines);
    assert.ok(!logged.includes(TO) && !logged.includes('camille'), logged);
    assert.ok(!logged.includes('VF-7K3Q-92XM') && !logged.includes('reçue'), logged);
    assert.deepEqual(logger.lines[0]?.obj, { mailId: id, attempts: 3, code: 'EENVELOPE', responseCode: 451 });
  });

  it('does not retry a permanent rejection (550)', async () => {
    reset();
    smtp.rejectRecipients(1, 550);
    const logger = recordingLogger();
    const queue = new MailQueue(mailer, { logger, retryDelaysMs: [10, 10] });
    queue.enqueue(MAIL);
    await queue.drain();

    assert.equal(smtp.rcptAttempts, 1);
    assert.equal(logger.lines.length, 1);
    assert.equal((logger.lines[0]?.obj as { responseCode?: number }).responseCode, 550);
  });

  it('waits in drain for messages enqueued while it was draining', async () => {
    reset();
    const queue = new MailQueue(mailer, { logger: recordingLogger(), retryDelaysMs: [] });
    queue.enqueue(MAIL);
    const drained = queue.drain();
    queue.enqueue(MAIL);
    await drained;
    assert.equal(smtp.received.length, 2);
  });

  it('logs an unreachable server with its error code only', async () => {
    const unreachable = createMailer({ smtpUrl: 'smtp://user:secret@127.0.0.1:1', outboxDir: '/nonexistent', from: FROM });
    const logger = recordingLogger();
    const queue = new MailQueue(unreachable, { logger, retryDelaysMs: [10] });
    queue.enqueue(MAIL);
    await queue.drain();
    await unreachable.close();

    assert.equal(logger.lines.length, 1);
    const logged = JSON.stringify(logger.lines);
    assert.ok(!logged.includes('secret') && !logged.includes(TO), logged);
    assert.equal((logger.lines[0]?.obj as { attempts?: number }).attempts, 2);
    assert.equal(typeof (logger.lines[0]?.obj as { code?: string }).code, 'string');
  });
});
