/**
 * Sending e-mail: over SMTP when `SMTP_URL` is set, otherwise into an outbox
 * folder of the data directory, one `.eml` file a message, so the embedded
 * demo works without a mail server and a newcomer can open what was "sent".
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { submissionReceipt, type ReceiptInput } from './receipt.ts';

interface Envelope {
  to: string;
  /** A stable Message-ID: a message sent again after a crash is recognisably the same one. */
  messageId?: string;
}

export interface ComposedMail extends Envelope {
  subject: string;
  text: string;
  html?: string;
}

/**
 * A message known by its template and facts, written when it is rendered
 * (in the mail thread): what the outbox seals is then a few hundred bytes,
 * and the request thread never renders it.
 */
export interface TemplatedMail extends Envelope {
  template: 'receipt';
  facts: ReceiptInput;
}

export type OutgoingMail = ComposedMail | TemplatedMail;

export function renderMail(mail: OutgoingMail): ComposedMail {
  if (!('template' in mail)) return mail;
  return { to: mail.to, ...(mail.messageId === undefined ? {} : { messageId: mail.messageId }), ...submissionReceipt(mail.facts) };
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL, credentials included; unset: write to `outboxDir`. */
  smtpUrl?: string | undefined;
  outboxDir: string;
  /** The sender, e.g. `"Commune de Val-Fleuri" <ne-pas-repondre@val-fleuri.fr>`. */
  from: string;
}

/** What every message shares, whichever way it leaves. */
function message(from: string, outgoing: OutgoingMail) {
  const mail = renderMail(outgoing);
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === undefined ? {} : { html: mail.html }),
    ...(mail.messageId === undefined ? {} : { messageId: mail.messageId }),
    // Out-of-office and other automatic replies must not answer a receipt (RFC 3834).
    headers: { 'Auto-Submitted': 'auto-generated' },
    // Quoted-printable keeps French text legible in a raw .eml file.
    textEncoding: 'quoted-printable' as const,
  };
}

// Messages are built only from the strings given: no attachment read from a path or a URL.
const NO_FETCH = { disableFileAccess: true, disableUrlAccess: true, logger: false } as const;

export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options.from) : outboxMailer(options.outboxDir, options.from);
}

function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 3,
    // Fail fast rather than hold a message for minutes: the queue retries with backoff.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
    idleTimeout: 30_000,
    ...NO_FETCH,
  });
  return {
    async send(mail) {
      await transport.sendMail(message(from, mail));
    },
    async close() {
      // Idle connections end at once; one delivering a message finishes it first.
      transport.close();
    },
  };
}

/** `20261122T130500.123Z`: ISO 8601 basic format, sortable and free of `:` (not portable in file names). */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

function outboxMailer(dir: string, from: string): Mailer {
  // CRLF throughout, as RFC 5322 wants and SMTP delivery does too.
  const compose = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...NO_FETCH });
  let ready: Promise<void> | undefined;
  // Messages hold addresses: the folder and its files are readable by their owner only.
  const prepare = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  };
  return {
    async send(mail) {
      ready ??= prepare().catch((error: unknown) => {
        ready = undefined; // try again on the next message
        throw error;
      });
      await ready;
      const info = await compose.sendMail(message(from, mail));
      const name = `${fileStamp(new Date())}-${randomBytes(6).toString('hex')}.eml`;
      await writeFile(join(dir, name), info.message, { mode: 0o600, flag: 'wx' });
    },
    async close() {
      compose.close();
    },
  };
}
