import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { dotStuffed, SmtpConnection, SmtpError, smtpSettings } from './smtp-connection.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MESSAGE = Buffer.from('Subject: essai\r\n\r\nNuméro de suivi : K7QM-3XTP-9WZD\r\n.ligne qui commence par un point\r\n');

interface Server {
  port: number;
  received: { from: string; to: string[]; raw: string }[];
  logins: string[];
  close(): Promise<void>;
}

async function startServer(options: SMTPServerOptions, host = '127.0.0.1'): Promise<Server> {
  const state: Server = { port: 0, received: [], logins: [], close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 500,
    authOptional: true,
    ...options,
    onAuth(auth, _session, callback) {
      state.logins.push(`${auth.method}:${auth.username}`);
      if (auth.username === 'mairie' && auth.password === 'pa ss:é') callback(null, { user: auth.username });
      else callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('inconnu@')) callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.server.address() as { port: number }).port;
  return state;
}

/** A server that misbehaves as told: `script` answers each line the client sends. */
async function scriptedServer(script: (line: string, socket: Socket) => void, greeting = '220 relais.test ESMTP\r\n'): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        script(line, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const settings = (port: number, more: Partial<ReturnType<typeof smtpSettings>> = {}) => smtpSettings(`smtp://127.0.0.1:${port}`, { replyTimeoutMs: 5_000, ...more });

describe('the final "." line of SMTP', () => {
  it('is preceded by dot-stuffed lines and a line end', () => {
    assert.equal(dotStuffed(Buffer.from('.a\r\nb\r\n..c\r\n')).toString(), '..a\r\nb\r\n...c\r\n');
    assert.equal(dotStuffed(Buffer.from('a\r\n.')).toString(), 'a\r\n..\r\n');
    assert.equal(dotStuffed(Buffer.from('sans fin')).toString(), 'sans fin\r\n');
    assert.equal(dotStuffed(Buffer.from('')).toString(), '\r\n');
  });
});

describe('an SMTP connection', () => {
  let plain: Server;
  before(async () => {
    plain = await startServer({ disabledCommands: ['STARTTLS'] });
  });
  after(() => plain.close());

  it('delivers a message, lines beginning with a dot intact, and sends the next one on the same connection', async () => {
    const conn = await SmtpConnection.open(settings(plain.port));
    await conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE);
    const first = conn.finish();
    assert.equal(first.handed, true, 'the final line is wholly with the system when finish returns');
    await first.answer;
    await conn.begin('mairie@example.org', ['dominique@example.org'], MESSAGE);
    await conn.finish().answer;
    await conn.quit();
    assert.deepEqual(
      plain.received.slice(-2).map((m) => m.to),
      [['camille@example.org'], ['dominique@example.org']],
    );
    assert.match(plain.received.at(-1)!.raw, /\r\n\.ligne qui commence par un point\r\n$/);
  });

  it('leaves the server nothing when cut before the final line, and the whole message once that line is written', async () => {
    const before = plain.received.length;
    const cut = await SmtpConnection.open(settings(plain.port));
    await cut.begin('mairie@example.org', ['avant@example.org'], MESSAGE);
    cut.destroy(); // what a process killed before the outbox's COMMIT leaves
    const done = await SmtpConnection.open(settings(plain.port));
    await done.begin('mairie@example.org', ['apres@example.org'], MESSAGE);
    void done.finish().answer.catch(() => undefined);
    done.destroy(); // killed right after: the line is already the operating system's to deliver
    await sleep(300);
    assert.deepEqual(
      plain.received.slice(before).map((m) => m.to[0]),
      ['apres@example.org'],
    );
  });

  it('reports a refused recipient as a permanent refusal, and the connection serves again after a reset', async () => {
    const conn = await SmtpConnection.open(settings(plain.port));
    await assert.rejects(conn.begin('mairie@example.org', ['inconnu@example.org'], MESSAGE), (e: SmtpError) => e.responseCode === 550 && e.permanent && !e.message.includes('inconnu'));
    await conn.reset();
    await conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE);
    await conn.finish().answer;
    await conn.quit();
  });

  it('refuses an address that would inject a command, before anything is sent', async () => {
    const conn = await SmtpConnection.open(settings(plain.port));
    await assert.rejects(conn.begin('mairie@example.org', ['a@example.org>\r\nRCPT TO:<b@example.org'], MESSAGE), (e: SmtpError) => e.code === 'EENVELOPE' && e.permanent);
    await conn.quit();
  });

  it('sends an address with accents with SMTPUTF8, and refuses it to a server without that extension', async () => {
    const conn = await SmtpConnection.open(settings(plain.port));
    await conn.begin('mairie@example.org', ['hélène@example.org'], MESSAGE);
    await conn.finish().answer;
    await conn.quit();
    assert.deepEqual(plain.received.at(-1)!.to, ['hélène@example.org']);
    const old = await startServer({ disabledCommands: ['STARTTLS'], hideSMTPUTF8: true, hidePIPELINING: true });
    try {
      const conn2 = await SmtpConnection.open(settings(old.port));
      await assert.rejects(conn2.begin('mairie@example.org', ['hélène@example.org'], MESSAGE), (e: SmtpError) => e.responseCode === 553 && e.permanent);
      // Without PIPELINING, one command at a time.
      await conn2.begin('mairie@example.org', ['camille@example.org'], MESSAGE);
      await conn2.finish().answer;
      await conn2.quit();
      assert.equal(old.received.length, 1);
    } finally {
      await old.close();
    }
  });
});

describe('an SMTP connection to a relay that asks for a password', () => {
  let dir: string;
  let cert: Buffer;
  let relay: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=relais.test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    relay = await startServer({ key: readFileSync(join(dir, 'key.pem')), cert, authOptional: false, authMethods: ['PLAIN', 'LOGIN'] });
  });
  after(async () => {
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades with STARTTLS, checks the certificate, and signs in before sending', async () => {
    const conn = await SmtpConnection.open(smtpSettings(`smtp://mairie:${encodeURIComponent('pa ss:é')}@127.0.0.1:${relay.port}`, { tls: { ca: cert } }));
    await conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE);
    await conn.finish().answer;
    await conn.quit();
    assert.equal(relay.received.length, 1);
    assert.deepEqual(relay.logins, ['PLAIN:mairie']);
  });

  it('signs in with LOGIN when the relay offers no PLAIN', async () => {
    const loginOnly = await startServer({ key: readFileSync(join(dir, 'key.pem')), cert, authOptional: false, authMethods: ['LOGIN'] });
    try {
      const conn = await SmtpConnection.open(smtpSettings(`smtp://mairie:${encodeURIComponent('pa ss:é')}@127.0.0.1:${loginOnly.port}`, { tls: { ca: cert } }));
      await conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE);
      await conn.finish().answer;
      await conn.quit();
      assert.deepEqual(loginOnly.logins, ['LOGIN:mairie']);
      assert.equal(loginOnly.received.length, 1);
    } finally {
      await loginOnly.close();
    }
  });

  it('refuses a certificate it cannot trust, and a wrong password, without retrying forever', async () => {
    await assert.rejects(SmtpConnection.open(smtpSettings(`smtp://mairie:x@127.0.0.1:${relay.port}`)), (e: SmtpError) => e.code === 'ETLS');
    await assert.rejects(SmtpConnection.open(smtpSettings(`smtp://mairie:faux@127.0.0.1:${relay.port}`, { tls: { ca: cert } })), (e: SmtpError) => e.code === 'EAUTH' && e.responseCode === 535 && !e.permanent);
  });

  it('never sends a password in clear to another machine', async (t) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!address) return t.skip('no network address other than the loopback');
    const open = await startServer({ disabledCommands: ['STARTTLS'], authMethods: ['PLAIN'] }, address);
    try {
      await assert.rejects(SmtpConnection.open(smtpSettings(`smtp://mairie:${encodeURIComponent('pa ss:é')}@${address}:${open.port}`)), (e: SmtpError) => e.code === 'ENOTLS');
      assert.deepEqual(open.logins, []);
    } finally {
      await open.close();
    }
  });
});

describe('an SMTP connection to a relay that misbehaves', () => {
  it('takes a refusal of the sender (530: sign in first) as the relay\'s, not the message\'s: the message waits', async () => {
    const relay = await scriptedServer((line, socket) => {
      if (line.startsWith('EHLO')) socket.write('250-relais.test\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL')) socket.write('530 5.7.0 Authentication required\r\n');
      else if (line.startsWith('RCPT')) socket.write('503 5.5.1 Error: need MAIL command\r\n');
      else if (line === 'DATA') socket.write('503 5.5.1 Error: need RCPT command\r\n');
    });
    try {
      const conn = await SmtpConnection.open(settings(relay.port));
      await assert.rejects(conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE), (e: SmtpError) => e.responseCode === 530 && !e.permanent);
      conn.destroy();
    } finally {
      await relay.close();
    }
  });

  it('fails cleanly, without an unhandled rejection, when the relay drops the connection in the middle of a command', async () => {
    const relay = await scriptedServer((line, socket) => {
      if (line.startsWith('EHLO')) socket.write('250 relais.test\r\n'); // no PIPELINING: one command at a time
      else if (line.startsWith('MAIL')) socket.resetAndDestroy();
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 20; i++) {
        const conn = await SmtpConnection.open(settings(relay.port));
        await assert.rejects(conn.begin('mairie@example.org', ['camille@example.org'], MESSAGE), (e: SmtpError) => e instanceof SmtpError && !e.permanent);
        assert.equal(conn.usable, false);
      }
      await sleep(50);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await relay.close();
    }
  });

  it('gives up a STARTTLS handshake that never comes, within its time-out', async () => {
    const relay = await scriptedServer((line, socket) => {
      if (line.startsWith('EHLO')) socket.write('250-relais.test\r\n250 STARTTLS\r\n');
      else if (line === 'STARTTLS') socket.write('220 go ahead\r\n'); // then silence
    });
    try {
      const started = Date.now();
      await assert.rejects(SmtpConnection.open(settings(relay.port, { replyTimeoutMs: 300 })), (e: SmtpError) => e.code === 'ETLS');
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await relay.close();
    }
  });

  it('refuses answers slipped in clear after STARTTLS\'s 220, before any TLS', async () => {
    const relay = await scriptedServer((line, socket) => {
      if (line.startsWith('EHLO')) socket.write('250-relais.test\r\n250 STARTTLS\r\n');
      else if (line === 'STARTTLS') socket.write('220 go ahead\r\n250 injected\r\n354 injected\r\n');
    });
    try {
      await assert.rejects(SmtpConnection.open(settings(relay.port)), (e: SmtpError) => e.code === 'EPROTOCOL');
    } finally {
      await relay.close();
    }
  });

  it('ends a reply that never ends, rather than hold it in memory', async () => {
    const relay = await scriptedServer((line, socket) => {
      if (line.startsWith('EHLO')) for (let i = 0; i < 500; i++) socket.write(`250-line ${i}\r\n`);
    });
    try {
      await assert.rejects(SmtpConnection.open(settings(relay.port)), (e: SmtpError) => e.code === 'EPROTOCOL');
    } finally {
      await relay.close();
    }
  });
});
