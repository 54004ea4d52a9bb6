/**
 * Turns a message into the bytes that travel (MIME, quoted-printable,
 * RFC 2047 subject) with nodemailer's composer, and its envelope.
 */
import nodemailer from 'nodemailer';
import { renderMail, type OutgoingMail, type RawMessage } from './mailer.ts';

// Messages are built only from the strings given: no attachment read from a path or a URL.
// CRLF throughout, as RFC 5322 wants and SMTP delivery does too.
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true, logger: false });

export async function composeMessage(from: string, outgoing: OutgoingMail): Promise<RawMessage> {
  const mail = renderMail(outgoing);
  const info = await composer.sendMail({
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === undefined ? {} : { html: mail.html }),
    ...(mail.messageId === undefined ? {} : { messageId: mail.messageId }),
    // Out-of-office and other automatic replies must not answer a receipt (RFC 3834).
    headers: { 'Auto-Submitted': 'auto-generated' },
    // Quoted-printable keeps French text legible in a raw .eml file.
    textEncoding: 'quoted-printable',
  });
  const envelope = info.envelope as { from: string | false; to: string[] };
  return { from: envelope.from || '', to: envelope.to, raw: info.message as Buffer };
}
