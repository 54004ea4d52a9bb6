/**
 * One SMTP client connection, written here rather than taken from
 * nodemailer because the outbox needs a step no library offers: the message
 * goes over whole except its final "." line, the outbox marks it sent, and
 * only then is the "." written, synchronously, in the same turn of the event
 * loop as the database's COMMIT. The mail server takes a message only on that
 * line (RFC 5321, 4.1.1.4), so a process killed before it leaves the server
 * nothing and the database nothing either; killed after it, both are done.
 *
 * What a relay needs and no more: EHLO, STARTTLS when offered (required
 * before any password leaves for another machine), AUTH PLAIN or LOGIN,
 * SMTPUTF8 for addresses that need it, one message at a time.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (`smtps://`, port 465). */
  secure: boolean;
  user?: string;
  pass?: string;
  /** The name said in EHLO. */
  clientName: string;
  connectionTimeoutMs: number;
  /** Time allowed for each reply once connected. */
  replyTimeoutMs: number;
  /** Time allowed for the answer to a message's final line. */
  finalReplyTimeoutMs: number;
  /** Tests: trust a private certificate. */
  tls?: ConnectionOptions;
}

/** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). */
export function smtpSettings(url: string, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error('SMTP_URL: smtp:// or smtps:// expected');
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
    clientName: 'bastide.localhost',
    connectionTimeoutMs: 10_000,
    replyTimeoutMs: 30_000,
    finalReplyTimeoutMs: 600_000,
    ...overrides,
  };
}

/** A failure the outbox can act on: an SMTP code or a short error code, never the server's text (it quotes addresses). */
export class SmtpError extends Error {
  readonly code: string;
  readonly responseCode: number | undefined;
  /**
   * Sending the same message again would be refused again: a 5xx (but 503)
   * to what is the message's own (a recipient, DATA, its content). A 5xx to
   * the greeting, EHLO, a password or the sender (530: sign in first) is
   * the relay's or the configuration's: messages wait, with their retries,
   * for it to be mended.
   */
  readonly permanent: boolean;
  constructor(code: string, responseCode?: number, ownFault = false) {
    super(responseCode === undefined ? `SMTP ${code}` : `SMTP reply ${responseCode}`);
    this.code = code;
    this.responseCode = responseCode;
    this.permanent = ownFault && responseCode !== undefined && responseCode >= 500 && responseCode !== 503;
  }
}

interface Reply {
  code: number;
  lines: string[];
}

/** The address connected to, not the name configured (`127.mail.example` is a name). */
function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^(::ffff:)?127\./.test(address) || address === '::1');
}

export class SmtpConnection {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #lines: string[] = [];
  #replies: Reply[] = [];
  #waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  #failure: Error | undefined;
  #extensions = new Set<string>();
  #authMethods = new Set<string>();
  #tls: boolean;
  readonly #settings: SmtpSettings;

  private constructor(socket: Socket | TLSSocket, settings: SmtpSettings) {
    this.#socket = socket;
    this.#settings = settings;
    this.#tls = settings.secure;
    this.#listen(socket);
  }

  /** Connects, greets, secures and authenticates. */
  static async open(settings: SmtpSettings): Promise<SmtpConnection> {
    const socket = await connectSocket(settings);
    const conn = new SmtpConnection(socket, settings);
    try {
      conn.#expect(await conn.#reply(), 220, 'EGREETING');
      await conn.#hello();
      if (!conn.#tls && conn.#extensions.has('STARTTLS')) {
        conn.#expect(await conn.#command('STARTTLS'), 220, 'ETLS');
        // Anything that came in clear after that answer would be taken as the secured server's (RFC 3207, 4.2).
        if (conn.#buffer !== '' || conn.#lines.length > 0 || conn.#replies.length > 0) throw new SmtpError('EPROTOCOL');
        await conn.#upgrade();
        await conn.#hello();
      }
      if (settings.user !== undefined) await conn.#login(settings.user, settings.pass ?? '');
      return conn;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  get usable(): boolean {
    return this.#failure === undefined && !this.#socket.destroyed && this.#socket.writable;
  }

  /**
   * Sends the envelope and the whole message but its final line, and resolves
   * once every byte is in the operating system's hands: `finish` then only
   * has one short write to make.
   */
  async begin(from: string, to: readonly string[], message: Buffer): Promise<void> {
    const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
    if (![from, ...to].every((a) => !/[\r\n<>\s]/.test(a))) throw new SmtpError('EENVELOPE', 501, true);
    const utf8 = ![from, ...to].every(ascii);
    if (utf8 && !this.#extensions.has('SMTPUTF8')) throw new SmtpError('EENVELOPE', 553, true);
    const commands = [`MAIL FROM:<${from}>${utf8 ? ' SMTPUTF8' : ''}`, ...to.map((rcpt) => `RCPT TO:<${rcpt}>`), 'DATA'];
    const wanted = [[250], ...to.map(() => [250, 251]), [354]];
    // With PIPELINING (RFC 2920) the envelope goes in one write and its answers come back together: one round trip, not three.
    const replies = this.#extensions.has('PIPELINING') ? await this.#commands(commands) : await this.#oneByOne(commands, wanted);
    try {
      // The sender's refusal is the relay's (530: sign in first); a recipient's or DATA's is the message's.
      for (const [i, reply] of replies.entries()) this.#expect(reply, wanted[i]!, i === commands.length - 1 ? 'EMESSAGE' : 'EENVELOPE', i > 0);
    } catch (e) {
      // A recipient refused but DATA accepted: the server now waits for a message that will not come.
      if (replies.at(-1)?.code === 354) this.destroy();
      throw e;
    }
    await this.#write(dotStuffed(message));
  }

  /**
   * Writes the message's last line. Synchronous on purpose: nothing else runs
   * between it and what the caller does next. Returns whether the line is
   * wholly in the operating system's hands (it is then delivered even if
   * this process dies), and the server's answer (250: it has the message),
   * awaited up to ten minutes as RFC 5321 (4.5.3.2.6) asks: a client that
   * gave up sooner would send again what the server was still taking.
   */
  finish(): { handed: boolean; answer: Promise<void> } {
    if (!this.usable) return { handed: false, answer: Promise.reject(this.#failure ?? new SmtpError('ECONNECTION')) };
    const answer = this.#reply();
    this.#socket.setTimeout(this.#settings.finalReplyTimeoutMs);
    this.#socket.write('.\r\n');
    const handed = this.usable && this.#socket.writableLength === 0;
    return {
      handed,
      answer: answer.then((r) => {
        this.#socket.setTimeout(this.#settings.replyTimeoutMs);
        this.#expect(r, 250, 'EMESSAGE', true);
      }),
    };
  }

  /** After a message: ready for the next envelope. */
  async reset(): Promise<void> {
    this.#expect(await this.#command('RSET'), 250, 'EPROTOCOL');
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }

  async quit(): Promise<void> {
    this.#socket.ref();
    try {
      if (this.usable) await this.#command('QUIT');
    } catch {
      // Leaving anyway.
    }
    this.destroy();
  }

  /** Ends the connection at once: a message not finished is dropped by the server. */
  destroy(): void {
    this.#fail(new SmtpError('ECONNECTION'));
    this.#socket.destroy();
  }

  #listen(socket: Socket | TLSSocket): void {
    // The final line is a small write after the body: with Nagle's algorithm it would wait for the body's acknowledgement (40 ms delayed).
    socket.setNoDelay(true);
    socket.setTimeout(this.#settings.replyTimeoutMs, () => {
      this.#fail(new SmtpError('ETIMEDOUT'));
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.#fail(new SmtpError(typeof e.code === 'string' ? e.code.slice(0, 40) : 'ESOCKET')));
    socket.on('close', () => this.#fail(new SmtpError('ECONNECTION')));
  }

  #read(chunk: Buffer): void {
    this.#buffer += chunk.toString('latin1');
    // A server that never ends its line would otherwise fill memory.
    if (this.#buffer.length > 64 * 1024) {
      this.#fail(new SmtpError('EPROTOCOL'));
      this.#socket.destroy();
      return;
    }
    let end: number;
    while ((end = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, end).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(end + 1);
      this.#lines.push(line);
      // Bounded, whatever the server sends: a reply of many lines, or replies no one asked for.
      if (this.#lines.length > 100 || this.#replies.length > 10) {
        this.#fail(new SmtpError('EPROTOCOL'));
        this.#socket.destroy();
        return;
      }
      if (line[3] === '-') continue;
      const code = Number(line.slice(0, 3));
      const reply = { code: Number.isInteger(code) ? code : 0, lines: this.#lines.map((l) => l.slice(4)) };
      this.#lines = [];
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(reply);
      else this.#replies.push(reply);
    }
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const w of this.#waiting.splice(0)) w.reject(this.#failure);
  }

  #reply(): Promise<Reply> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async #command(line: string): Promise<Reply> {
    const answer = this.#reply();
    // Awaited below; a write that fails first must not leave it rejected with no one to hear.
    answer.catch(() => undefined);
    await this.#write(Buffer.from(`${line}\r\n`, 'utf8'));
    return answer;
  }

  async #commands(lines: string[]): Promise<Reply[]> {
    const answers = lines.map(() => this.#reply());
    // Every answer is awaited below; a connection lost meanwhile rejects them all at once.
    for (const a of answers) a.catch(() => undefined);
    await this.#write(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'));
    return Promise.all(answers);
  }

  /** Without PIPELINING: each command waits for its answer, and the first refusal stops there. */
  async #oneByOne(lines: string[], wanted: number[][]): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (const [i, line] of lines.entries()) {
      const reply = await this.#command(line);
      replies.push(reply);
      if (!wanted[i]!.includes(reply.code)) break;
    }
    return replies;
  }

  #write(data: Buffer): Promise<void> {
    if (!this.usable) return Promise.reject(this.#failure ?? new SmtpError('ECONNECTION'));
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (e) => (e ? reject(this.#failure ?? new SmtpError('ESOCKET')) : resolve()));
    });
  }

  #expect(reply: Reply, wanted: number | number[], code: string, ownFault = false): void {
    const ok = Array.isArray(wanted) ? wanted.includes(reply.code) : reply.code === wanted;
    if (!ok) throw new SmtpError(code, reply.code || undefined, ownFault);
  }

  async #hello(): Promise<void> {
    const reply = await this.#command(`EHLO ${this.#settings.clientName}`);
    this.#expect(reply, 250, 'EPROTOCOL');
    this.#extensions.clear();
    this.#authMethods.clear();
    for (const line of reply.lines.slice(1)) {
      const [name = '', ...args] = line.toUpperCase().split(/[\s=]+/);
      this.#extensions.add(name);
      if (name === 'AUTH') for (const a of args) this.#authMethods.add(a);
    }
  }

  async #upgrade(): Promise<void> {
    const plain = this.#socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.setTimeout(0);
    const secured = tlsConnect({
      socket: plain,
      // The name the certificate must bear (SNI takes names only, not addresses).
      host: this.#settings.host,
      ...(isIP(this.#settings.host) ? {} : { servername: this.#settings.host }),
      minVersion: 'TLSv1.2',
      ...this.#settings.tls,
    });
    this.#socket = secured;
    this.#listen(secured);
    // A handshake that never ends settles too: the socket's time-out closes it.
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', resolve);
      secured.once('error', reject);
      secured.once('close', reject);
    }).catch(() => {
      throw new SmtpError('ETLS');
    });
    this.#tls = true;
  }

  async #login(user: string, pass: string): Promise<void> {
    // A password never crosses a network in clear; a relay on this machine may go without TLS.
    if (!this.#tls && !isLoopback(this.#socket.remoteAddress)) throw new SmtpError('ENOTLS');
    if (this.#authMethods.has('PLAIN')) {
      const token = Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64');
      this.#expect(await this.#command(`AUTH PLAIN ${token}`), 235, 'EAUTH');
      return;
    }
    if (this.#authMethods.has('LOGIN')) {
      this.#expect(await this.#command('AUTH LOGIN'), 334, 'EAUTH');
      this.#expect(await this.#command(Buffer.from(user, 'utf8').toString('base64')), 334, 'EAUTH');
      this.#expect(await this.#command(Buffer.from(pass, 'utf8').toString('base64')), 235, 'EAUTH');
      return;
    }
    throw new SmtpError('EAUTH');
  }
}

function connectSocket(settings: SmtpSettings): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const options = { host: settings.host, port: settings.port };
    const socket = settings.secure
      ? tlsConnect({ ...options, ...(isIP(settings.host) ? {} : { servername: settings.host }), minVersion: 'TLSv1.2', ...settings.tls })
      : netConnect(options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError('ETIMEDOUT'));
    }, settings.connectionTimeoutMs);
    socket.once(settings.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SmtpError(typeof e.code === 'string' ? e.code.slice(0, 40) : 'ECONNECTION'));
    });
  });
}

/** RFC 5321 4.5.2: a line beginning with "." gets one more; the message ends with CRLF, ready for the final ".". */
export function dotStuffed(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (message[0] === 0x2e) parts.push(Buffer.from('.'));
  for (let i = message.indexOf('\n.'); i >= 0; i = message.indexOf('\n.', i + 2)) {
    parts.push(message.subarray(start, i + 1), Buffer.from('.'));
    start = i + 1;
  }
  parts.push(message.subarray(start));
  const ends = message.length >= 2 && message[message.length - 2] === 0x0d && message[message.length - 1] === 0x0a;
  if (!ends) parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}
