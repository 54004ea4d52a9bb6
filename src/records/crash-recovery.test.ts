/**
 * Two real `bastide serve` processes on one PostgreSQL database, under a
 * steady load of JSON submissions, each killed with SIGKILL in turn and
 * started again. Clients retry a request that got no answer with the same
 * Idempotency-Key, as a careful client does. At the end every 201 is
 * stored, and every receipt reached the SMTP server exactly once: a crash
 * loses none, and neither a crash nor two instances send one twice (the
 * outbox marks a message sent in the same turn of the event loop as it
 * writes its final SMTP line; see src/mail/outbox-worker.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BIN, cliEnv } from '../cli/testing.ts';
import { readMail, startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import { contactData } from './testing.ts';

const URL_ = process.env['DATABASE_URL'];
const REGISTER = fileURLToPath(new URL('../../examples/val-fleuri.yaml', import.meta.url));
// More for a longer trial: BASTIDE_CRASH_KILLS=20.
const KILLS = Number(process.env['BASTIDE_CRASH_KILLS'] ?? 3);
const CLIENTS = 12;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a crash under load loses no submission and no receipt (PostgreSQL)', { skip: URL_ ? false : 'needs DATABASE_URL' }, () => {
  const dbName = `crash_${randomBytes(4).toString('hex')}`;
  let dbUrl = '';
  let smtp: TestSmtpServer;
  const admin = new pg.Client({ connectionString: URL_ });
  const masterKey = randomBytes(32).toString('base64');
  const instances: { port: number; child?: ChildProcess }[] = [];

  async function start(i: number): Promise<void> {
    const inst = instances[i]!;
    const env = cliEnv(dbUrl, {
      SMTP_URL: smtp.url,
      BASTIDE_MASTER_KEY: masterKey,
      BASTIDE_SUBMISSIONS_PER_MINUTE: '1000000',
      HOST: '127.0.0.1',
      BASTIDE_PUBLIC_URL: `http://127.0.0.1:${inst.port}`,
      // The SMTP server is local: a short lease lets the test end soon after the last kill.
      BASTIDE_MAIL_LEASE_SECONDS: '5',
      LOG_LEVEL: 'error',
    });
    inst.child = spawn(process.execPath, [BIN, 'serve', '--port', String(inst.port), '--register', REGISTER], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let t = 0; t < 300; t++) {
      try {
        if ((await fetch(`http://127.0.0.1:${inst.port}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`instance ${i} did not start`);
  }

  before(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(URL_!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    smtp = await startTestSmtpServer();
    for (let i = 0; i < 2; i++) instances.push({ port: await freePort() });
    await start(0);
    await start(1);
  });

  after(async () => {
    for (const inst of instances) inst.child?.kill('SIGKILL');
    await sleep(300);
    await smtp?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('stores every 201 and delivers every receipt, through three SIGKILLs', { timeout: 120_000 + KILLS * 40_000 }, async () => {
    const accepted = new Map<string, { id: string; trackingCode: string }>();
    let retries = 0;
    let stop = false;
    let n = 0;

    const client = async (c: number) => {
      while (!stop) {
        const i = n++;
        const key = `crash-${c}-${i}`;
        const body = JSON.stringify({ data: contactData({ courriel: `citoyen-${i}@example.fr` }) });
        // Until an answer comes: a request cut by a kill is sent again with its key, to either instance.
        for (let attempt = 0; ; attempt++) {
          const inst = instances[(i + attempt) % instances.length]!;
          try {
            const res = await fetch(`http://127.0.0.1:${inst.port}/api/v1/val-fleuri/forms/contact-mairie/submissions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': key },
              body,
              signal: AbortSignal.timeout(10_000),
            });
            if (res.status === 201) {
              const json = (await res.json()) as { id: string; receipt: { trackingCode: string; emailSent: boolean } };
              assert.equal(json.receipt.emailSent, true);
              const earlier = accepted.get(key);
              if (earlier) assert.deepEqual(earlier, { id: json.id, trackingCode: json.receipt.trackingCode }, 'a replay answers the first 201');
              accepted.set(key, { id: json.id, trackingCode: json.receipt.trackingCode });
              break;
            }
            assert.fail(`unexpected ${res.status}: ${await res.text()}`);
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            retries++;
            await sleep(50);
          }
        }
      }
    };

    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    for (let k = 0; k < KILLS; k++) {
      await sleep(1500);
      const victim = instances[k % instances.length]!;
      victim.child!.kill('SIGKILL');
      await new Promise((resolve) => victim.child!.once('exit', resolve));
      await sleep(300);
      await start(k % instances.length);
    }
    await sleep(1000);
    stop = true;
    await load;

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    try {
      // Every accepted submission is stored (ids of the 201s).
      const ids = [...accepted.values()].map((a) => a.id);
      const stored = await db.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE id = ANY($1::uuid[])`, [ids]);
      assert.equal(Number(stored.rows[0]!.n), ids.length, 'every 201 is stored');
      const all = await db.query<{ n: string }>(`SELECT count(*) AS n FROM records`);
      assert.equal(Number(all.rows[0]!.n), ids.length, 'and nothing but them: no request stored twice');

      // The outbox empties (the surviving instances send what the dead ones held, once their lease is over).
      let pending = -1;
      for (let t = 0; t < 200; t++) {
        pending = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`)).rows[0]!.n);
        if (pending === 0) break;
        await sleep(1000);
      }
      assert.equal(pending, 0, 'every receipt was sent');
    } finally {
      await db.end();
    }

    const byCode = new Map<string, Set<string>>();
    let copies = 0;
    for (const m of smtp.received) {
      const mail = readMail(m.raw);
      const code = /Numéro de suivi : ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(mail.decoded)?.[1];
      if (!code) continue;
      copies++;
      const ids = byCode.get(code) ?? new Set<string>();
      ids.add(mail.headers.get('message-id') ?? '');
      byCode.set(code, ids);
    }
    for (const { trackingCode } of accepted.values()) {
      const ids = byCode.get(trackingCode);
      assert.ok(ids, `the receipt of ${trackingCode} was received`);
      assert.equal(ids.size, 1, 'a receipt sent again keeps its Message-ID');
    }
    assert.equal(byCode.size, accepted.size, 'no receipt for a submission that was not accepted');
    const duplicates = copies - byCode.size;
    console.log(`crash test: ${accepted.size} submissions accepted, ${retries} requests retried after a kill, ${copies} receipts received, ${duplicates} copies`);
    assert.ok(accepted.size > 100, 'the load ran');
    assert.equal(duplicates, 0, 'no receipt received twice');
  });
});
