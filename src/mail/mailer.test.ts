import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMailer, sendNow } from './mailer.ts';
import { submissionReceipt } from './receipt.ts';
import { readMail, startTestSmtpServer, type TestSmtpServer } from './testing.ts';

const FROM = '"Commune de Val-Fleuri" <ne-pas-repondre@val-fleuri.example>';

const receipt = submissionReceipt({
  tenantName: 'Commune de Val-Fleuri',
  formTitle: 'Inscription à la cantine scolaire',
  trackingCode: 'VF-7K3Q-92XM',
  trackingUrl: 'https://val-fleuri.example/suivi/VF-7K3Q-92XM',
  submittedAt: new Date('2026-11-22T13:05:00Z'),
  dpoEmail: 'dpo@val-fleuri.example',
  noticeUrl: 'https://val-fleuri.example/val-fleuri/donnees-personnelles',
});

describe('the mailer over SMTP', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.close();
  });

  it('delivers a receipt to the SMTP server with its recipient, subject and French body', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: FROM });
    await sendNow(mailer, { to: 'camille.martin@example.org', ...receipt });
    await mailer.close();

    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.deepEqual(mail?.to, ['camille.martin@example.org']);
    assert.equal(mail?.from, 'ne-pas-repondre@val-fleuri.example');
    const read = readMail(mail!.raw);
    assert.equal(read.headers.get('subject'), 'Votre demande a bien été reçue – Commune de Val-Fleuri');
    assert.equal(read.headers.get('auto-submitted'), 'auto-generated');
    assert.match(read.headers.get('content-type') ?? '', /multipart\/alternative/);
    assert.match(read.decoded, /Numéro de suivi : VF-7K3Q-92XM/);
    assert.match(read.decoded, /22 novembre 2026 à 14:05/);
  });
});

describe('the mailer without SMTP_URL', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bastide-outbox-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file readable by its owner only, in a private folder', async () => {
    const outbox = join(dir, 'data', 'outbox');
    const mailer = createMailer({ outboxDir: outbox, from: FROM });
    await sendNow(mailer, { to: 'camille.martin@example.org', ...receipt });
    await mailer.close();

    const files = await readdir(outbox);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{12}\.eml$/);
    assert.equal((await stat(outbox)).mode & 0o777, 0o700);
    const file = join(outbox, files[0]!);
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const raw = await readFile(file, 'utf8');
    // The accented subject is encoded as RFC 2047 words, the raw file stays ASCII.
    assert.match(raw, /^Subject: =\?UTF-8\?[QB]\?/im);
    assert.ok(/^[\x00-\x7f]*$/.test(raw), 'the .eml file holds only ASCII');
    assert.ok(!/[^\r]\n/.test(raw), 'every line ends with CRLF');
    const read = readMail(raw);
    assert.equal(read.headers.get('subject'), 'Votre demande a bien été reçue – Commune de Val-Fleuri');
    assert.equal(read.headers.get('to'), 'camille.martin@example.org');
    assert.ok(read.headers.has('message-id') && read.headers.has('date'));
    assert.match(read.decoded, /Numéro de suivi : VF-7K3Q-92XM/);
  });

  it('shows a message in the folder only once it is handed over, whole, and never one that was abandoned', async () => {
    const outbox = join(dir, 'handover');
    const mailer = createMailer({ outboxDir: outbox, from: FROM });
    const kept = await mailer.prepare({ to: 'a@example.org', subject: 'gardé', text: 'gardé' });
    const dropped = await mailer.prepare({ to: 'b@example.org', subject: 'abandonné', text: 'abandonné' });
    const eml = async () => (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    assert.deepEqual(await eml(), [], 'nothing shows before the handover');
    await kept.complete();
    dropped.abandon();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const files = await readdir(outbox);
    assert.equal(files.length, 1, files.join(', '));
    assert.equal(readMail(await readFile(join(outbox, files[0]!), 'utf8')).headers.get('subject'), 'gardé');
  });

  it('removes at start the half-handed-over files of a process that was killed', async () => {
    const outbox = join(dir, 'killed');
    const killed = createMailer({ outboxDir: outbox, from: FROM });
    await killed.prepare({ to: 'a@example.org', subject: 'jamais remis', text: '…' }); // then the process dies
    assert.equal((await readdir(outbox)).length, 1);
    const next = createMailer({ outboxDir: outbox, from: FROM });
    await sendNow(next, { to: 'b@example.org', subject: 'remis', text: '…' });
    const files = await readdir(outbox);
    assert.equal(files.length, 1);
    assert.equal(readMail(await readFile(join(outbox, files[0]!), 'utf8')).headers.get('subject'), 'remis');
  });

  it('names the files so that they sort in the order they were written', async () => {
    const outbox = join(dir, 'sorted');
    const mailer = createMailer({ outboxDir: outbox, from: FROM });
    for (const n of [1, 2, 3]) {
      await sendNow(mailer, { to: 'a@example.org', subject: `message ${n}`, text: `n° ${n}` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const files = (await readdir(outbox)).sort();
    const subjects = await Promise.all(files.map(async (f) => readMail(await readFile(join(outbox, f), 'utf8')).headers.get('subject')));
    assert.deepEqual(subjects, ['message 1', 'message 2', 'message 3']);
  });
});
