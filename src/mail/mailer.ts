/**
 * Sending e-mail: over SMTP when `SMTP_URL` is set, otherwise into an outbox
 * folder of the data directory, one `.eml` file a message, so the embedded
 * demo works without a mail server and a newcomer can open what was "sent".
 *
 * A message is handed over in two steps (`prepare`, then `complete`), so that
 * the outbox can record it as sent between them: see `Handover`.
 */
import { composeMessage } from './compose.ts';
import { fileTransport } from './file-transport.ts';
import { submissionReceipt, type ReceiptInput } from './receipt.ts';
import { smtpTransport } from './smtp-transport.ts';

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

/**
 * A message that the receiver holds all of but one last step: over SMTP the
 * final "." line (the server takes a message only then), in the outbox folder
 * the rename of its file to its final name.
 */
export interface Handover {
  /** The last step can still be taken (the connection is still open). */
  readonly ready: boolean;
  /**
   * Takes that step before it returns (a synchronous write or rename): a
   * process killed after this call cannot undo it, killed before it leaves
   * nothing behind. `handed`: the step is wholly done as far as this process
   * is concerned (false: part of it may still wait in this process, and a
   * kill could lose it). `answer` settles on the receiver's answer.
   */
  complete(): Completion;
  /** The receiver never gets the message. */
  abandon(): void;
}

export interface Completion {
  handed: boolean;
  answer: Promise<void>;
}

/** A composed message as it travels: the envelope and the bytes. */
export interface RawMessage {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface Transport {
  prepare(message: RawMessage): Promise<Handover>;
  close(): Promise<void>;
}

export interface Mailer {
  prepare(mail: OutgoingMail): Promise<Handover>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL, credentials included; unset: write to `outboxDir`. */
  smtpUrl?: string | undefined;
  outboxDir: string;
  /** The sender, e.g. `"Commune de Val-Fleuri" <ne-pas-repondre@val-fleuri.fr>`. */
  from: string;
}

export function createTransport(options: MailerOptions): Transport {
  return options.smtpUrl ? smtpTransport(options.smtpUrl) : fileTransport(options.outboxDir);
}

/** Composes in this thread (tests, tools); the server composes in a thread of its own (worker-mailer.ts). */
export function createMailer(options: MailerOptions): Mailer {
  const transport = createTransport(options);
  return {
    prepare: async (mail) => transport.prepare(await composeMessage(options.from, mail)),
    close: () => transport.close(),
  };
}

/** Both steps at once, for a message no outbox row stands for. */
export async function sendNow(mailer: Mailer, mail: OutgoingMail): Promise<void> {
  await (await mailer.prepare(mail)).complete().answer;
}

/** A mailer from a plain send function (tests, a benchmark without mail): it sends when completed. */
export function mailerFromSend(send: (mail: OutgoingMail) => Promise<void>): Mailer {
  return {
    prepare: async (mail) => ({ ready: true, complete: () => ({ handed: true, answer: send(mail) }), abandon: () => {} }),
    close: async () => {},
  };
}
