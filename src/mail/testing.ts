/**
 * For tests: a real SMTP server (smtp-server) on a free port of 127.0.0.1 that
 * keeps what it receives, and a reader that decodes a raw message enough to
 * search its headers and text (RFC 2047 words, quoted-printable).
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Recipient commands seen, accepted or not. */
  rcptAttempts: number;
  /** Answers the next `n` RCPT TO with this SMTP code (451: try later, 550: refused). */
  rejectRecipients(n: number, code: number): void;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  let rejections = 0;
  let rejectionCode = 451;
  const state: TestSmtpServer = {
    url: '',
    received: [],
    rcptAttempts: 0,
    rejectRecipients(n, code) {
      rejections = n;
      rejectionCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    closeTimeout: 1_000,
    onRcptTo(_address, _session, callback) {
      state.rcptAttempts++;
      if (rejections > 0) {
        rejections--;
        callback(Object.assign(new Error('rejected by the test server'), { responseCode: rejectionCode }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        state.received.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A client killed mid-message (the crash test) resets its connection: not the test's failure.
  server.on('error', () => {});
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP server has no port');
  state.url = `smtp://127.0.0.1:${address.port}`;
  return state;
}

function decodeWord(charset: string, encoding: string, data: string): string {
  const bytes =
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return new TextDecoder(charset).decode(bytes);
}

function decodeQuotedPrintable(body: string): string {
  const binary = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(binary, 'latin1').toString('utf8');
}

export interface ReadableMail {
  /** Header name (lower case) → decoded value, first occurrence. */
  headers: Map<string, string>;
  /** Headers and body decoded, to search for text. */
  decoded: string;
}

/** Not a MIME parser: enough for messages nodemailer writes in quoted-printable. */
export function readMail(raw: string): ReadableMail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const decodeWords = (value: string) =>
    value.replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=(\s+(?==\?))?/gi, (_, charset: string, enc: string, data: string) => decodeWord(charset, enc, data));
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon > 0 && !headers.has(name)) headers.set(name, decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, decoded: `${decodeWords(head)}\n\n${decodeQuotedPrintable(raw.slice(split))}` };
}
