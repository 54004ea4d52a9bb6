import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMail, startTestSmtpServer, type TestSmtpServer } from './testing.ts';
import { sendNow } from './mailer.ts';
import { createWorkerMailer } from './worker-mailer.ts';

const MAIL = { to: 'camille.martin@example.org', subject: 'Votre demande a bien été reçue', text: 'Numéro de suivi : K7QM-3XTP-9WZD' };

describe('the mailer in its own thread', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(async () => smtp.close());

  it('delivers over SMTP like the mailer it wraps', async () => {
    const mailer = createWorkerMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: 'bastide@example.org' });
    await sendNow(mailer, MAIL);
    await mailer.close();
    assert.equal(smtp.received.length, 1);
    assert.match(readMail(smtp.received[0]!.raw).decoded, /K7QM-3XTP-9WZD/);
  });

  it('writes to the outbox without SMTP', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'worker-outbox-')), 'outbox');
    const mailer = createWorkerMailer({ outboxDir: dir, from: 'bastide@example.org' });
    await sendNow(mailer, MAIL);
    await sendNow(mailer, MAIL);
    await mailer.close();
    assert.equal((await readdir(dir)).length, 2);
  });

  it('passes the SMTP answer back, so the outbox retries a temporary refusal', async () => {
    smtp.rejectRecipients(1, 451);
    const mailer = createWorkerMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: 'bastide@example.org' });
    const before = smtp.received.length;
    await assert.rejects(sendNow(mailer, MAIL), (e: { responseCode?: number }) => e.responseCode === 451);
    await sendNow(mailer, MAIL);
    await mailer.close();
    assert.equal(smtp.received.length, before + 1);
  });

  it('starts its thread with the first message: one that sent nothing closes at once, and a closed one sends again', async () => {
    const idle = createWorkerMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: 'bastide@example.org' });
    await idle.close();
    const before = smtp.received.length;
    await sendNow(idle, MAIL);
    await idle.close();
    assert.equal(smtp.received.length, before + 1);
  });
});
