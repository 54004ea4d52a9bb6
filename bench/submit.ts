/**
 * Benchmark of JSON submissions (`npm run bench:submit`).
 *
 * POST /api/v1/val-fleuri/forms/contact-mairie/submissions on the real app
 * (buildApp, logger off) over PostgreSQL: validation of the nine fields
 * (e-mail, phone with libphonenumber, select…), blind index of the e-mail,
 * and one transaction under the public role (set_config, INSERT of the
 * record, of its blind index, of the security-log row for the IP), then the
 * receipt e-mail queued. The baseline is measured in the same run on the
 * SAME Fastify instance, through the same pg pool: POST /bench/bare-insert
 * does one bare parameterised INSERT of the same JSON body into a table of
 * its own. Goals (issue 3): at least 0.5 of the baseline's rate, at least
 * 1,000 submissions/s, p99 under 100 ms, at 50 connections; and every
 * accepted submission stored.
 *
 * The load comes from autocannon in a worker thread (each request carries a
 * different e-mail address). Phases alternate (warm-up bare, warm-up
 * submit, then bare, submit, bare, submit…) so that a drift of the shared
 * machine touches both sides alike. After each phase the benchmark waits for
 * the requests still in the server (autocannon cuts connections at the end
 * of a phase, not the server's work), and after a submissions phase for the
 * mail queue to empty, so that nothing spills into the next phase.
 *
 *   node --import tsx bench/submit.ts [--json] [--duration 10] [--warmup 3]
 *        [--rounds 2] [--connections 50] [--pool 10] [--mail outbox|off]
 *
 * Database: the PostgreSQL server of DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in a fresh schema `bench_…`
 * dropped at the end. Mail: receipts go to an outbox folder in a temporary
 * directory (the default without SMTP_URL); `--mail off` swaps in a mailer
 * that drops them, to see what the receipts cost. The rate limit on
 * submissions is set out of reach (it is per client address, and all the
 * load comes from 127.0.0.1).
 *
 * Exit status: 0 whatever the figures (a measurement, not a test); 1 if any
 * response was a 5xx, or if the stored records do not match the accepted
 * submissions, or if the set-up failed; 2 on a bad option.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.ts';
import { mailerFromSend } from '../src/mail/mailer.ts';
import { withPrincipal } from '../src/db/principal.ts';
import { formatProblem } from '../src/register/problem.ts';
import { submissionWriter } from '../src/records/submission-writer.ts';
import { loadRegister } from '../src/register/register-loader.ts';
import { buildApp } from '../src/server/app.ts';
import { createAppContext } from '../src/server/app-context.ts';
import { testKeyring } from '../src/server/testing.ts';
import { benchArgs, runBenchmark, hammer, machineInfo, mainThreadCpu, num, output, phaseOf, progress, summary, difference, machineCpuTimes, postgresCpu, waitUntil, type Phase as HarnessPhase } from './harness.ts';

const GOALS = { ratio: 0.5, submissionsPerSecond: 1000, p99Ms: 100 };
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REGISTER = new URL('../examples/val-fleuri.yaml', import.meta.url);
const FORM = 'contact-mairie';
const BARE_PATH = '/bench/bare-insert';
/** Out of reach: the limit is per client address and the whole load comes from 127.0.0.1. */
const SUBMISSIONS_PER_MINUTE = 1_000_000_000;
const APPLICATION_NAME = 'bastide-bench';

/** A valid submission; autocannon replaces `[<id>]` with a different id on every request. */
const BODY = JSON.stringify({
  data: {
    nom: 'Martin',
    prenom: 'Camille',
    courriel: 'camille.martin.[<id>]@example.fr',
    telephone: '06 12 34 56 78',
    adresse: '12 rue des Tilleuls',
    codePostal: '45190',
    commune: 'Val-Fleuri',
    objet: 'voirie',
    message:
      'Bonjour, le lampadaire devant le 12 rue des Tilleuls ne s’allume plus depuis une semaine. Pourriez-vous faire intervenir les services techniques ? Merci par avance.',
  },
});

interface Options {
  json: boolean;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  pool: number;
  mail: 'outbox' | 'off';
}

function options(): Options {
  const usage =
    'usage: node --import tsx bench/submit.ts [--json] [--duration s] [--warmup s] [--rounds n] [--connections n] [--pool n] [--mail outbox|off]';
  const { values, int, common } = benchArgs(usage, {
    pool: { type: 'string', default: '10' },
    mail: { type: 'string', default: 'outbox' },
  });
  const mail = values['mail'];
  if (mail !== 'outbox' && mail !== 'off') {
    process.stderr.write(`--mail: outbox or off, not « ${String(mail)} »\n${usage}\n`);
    process.exit(2);
  }
  return { ...common, pool: int('pool', 1, 90), mail };
}

type Target = 'bare' | 'submit';

interface Phase extends HarnessPhase<Target> {
  /** Replies the server produced during the phase, by status (including those autocannon cut off). */
  serverStatusCodes: Record<string, number>;
  /** Share of the machine's CPU time that was busy (all processes, all cores). */
  machineCpu: number;
  /** CPU of the PostgreSQL processes (the bench's backends and the server's own), in cores. */
  postgresCores: number | undefined;
  /** CPU of this process (server thread and autocannon's worker), in cores. */
  nodeCores: number;
  /** CPU time of the server's thread (the main thread) per reply, in µs: unlike the loop's busy share, not inflated when other processes take the CPU. */
  serverCpuPerReplyUs: number | undefined;
  /** How long the mail queue took to empty after the phase. */
  mailDrainMs: number;
  /** Submissions per statement of the writer (src/records/submission-writer.ts) during the phase. */
  submissionsPerStatement: number | undefined;
}

/** Replies by route and status, counted when the server sends them, whether or not the client is still there. */
function serverCounter() {
  const counts: Record<Target, Record<string, number>> = { bare: {}, submit: {} };
  const started: Record<Target, number> = { bare: 0, submit: 0 };
  return {
    counts,
    started,
    replied: (t: Target) => Object.values(counts[t]).reduce((s, n) => s + n, 0),
    snapshot: () => ({ bare: { ...counts.bare }, submit: { ...counts.submit } }),
  };
}

async function main(): Promise<number> {
  const opts = options();
  const { say } = output(opts.json);
  const bar = progress(!opts.json && Boolean(process.stderr.isTTY));

  const databaseUrl = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const tmp = await mkdtemp(join(os.tmpdir(), 'bastide-bench-submit-'));
  const outboxDir = join(tmp, 'outbox');
  const admin = new pg.Client({ connectionString: databaseUrl });
  let schemaCreated = false;
  let database: Database | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let mailWarnings = 0;
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemaCreated = true;
    // The pool's backends carry a name of their own, so that their CPU can be told from other sessions'.
    const url = new URL(databaseUrl);
    url.searchParams.set('application_name', APPLICATION_NAME);
    database = await openDatabase({ kind: 'postgres', url: url.toString(), schema, poolSize: opts.pool });
    const db = database.db;
    const loaded = await loadRegister(db, new Uint8Array(await readFile(REGISTER)), 'bench');
    if (!loaded.ok) throw new Error(`examples/val-fleuri.yaml is invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);
    const tenantId = loaded.tenantId;
    await sql`CREATE TABLE bench_bare (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body jsonb NOT NULL)`.execute(db);

    // Production-like: logger off, the default register TTL (2000 ms), the default pool (10).
    const ctx = createAppContext({
      database,
      keyring: testKeyring(),
      config: { publicUrl: undefined, submissionsPerMinute: SUBMISSIONS_PER_MINUTE, smtpUrl: undefined, mailFrom: 'Bastide <bench@localhost>' },
      outboxDir,
      logger: { warn: () => void mailWarnings++, error: () => void mailWarnings++ },
      ...(opts.mail === 'off' ? { mailer: mailerFromSend(async () => {}) } : {}),
    });
    app = await buildApp(ctx);

    // The baseline: one bare INSERT of the same JSON, same instance, same pool.
    app.post(BARE_PATH, async (request, reply) => {
      const row = await sql<{ id: string }>`INSERT INTO bench_bare (body) VALUES (${JSON.stringify(request.body)}::jsonb) RETURNING id`.execute(db);
      return reply.code(201).send({ id: row.rows[0]!.id });
    });

    const writer = submissionWriter(db);
    const submitPath = `/api/v1/${tenantId}/forms/${FORM}/submissions`;
    const counter = serverCounter();
    const targetOf = (routeUrl: string | undefined): Target | undefined =>
      routeUrl === BARE_PATH ? 'bare' : routeUrl === '/api/v1/:tenant/forms/:formId/submissions' ? 'submit' : undefined;
    app.addHook('onRequest', async (request) => {
      const t = targetOf(request.routeOptions.url);
      if (t) counter.started[t]++;
    });
    app.addHook('onSend', async (request, reply) => {
      const t = targetOf(request.routeOptions.url);
      if (t) counter.counts[t][reply.statusCode] = (counter.counts[t][reply.statusCode] ?? 0) + 1;
    });

    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no port');
    const base = `http://127.0.0.1:${address.port}`;
    const urls: Record<Target, string> = { bare: `${base}${BARE_PATH}`, submit: `${base}${submitPath}` };

    // Both routes must accept the body before the load starts.
    for (const t of ['submit', 'bare'] as const) {
      const response = await fetch(urls[t], { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY.replace('[<id>]', `check-${t}`) });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`${urls[t]}: status ${response.status}, expected 201: ${text.slice(0, 500)}`);
      if (t === 'submit' && (JSON.parse(text) as { receipt?: { emailSent?: boolean } }).receipt?.emailSent !== true)
        throw new Error(`${urls[t]}: the receipt e-mail was not queued: ${text.slice(0, 500)}`);
    }
    await ctx.mail.drain();
    const checks: Record<Target, number> = { bare: 1, submit: 1 };

    const machine = machineInfo();
    say('Bastide — submissions benchmark (bench/submit.ts)');
    say(`form: ${tenantId} / ${FORM} (9 fields, e-mail as subject key, phone); body ${num(Buffer.byteLength(BODY) + 27)} bytes, a different e-mail on every request`);
    say(`database: PostgreSQL ${url.host}${url.pathname}, schema ${schema} (dropped at the end), pool of ${opts.pool} connections shared by both routes`);
    say(
      `server: this process (buildApp, logger off); rate limit set to ${num(SUBMISSIONS_PER_MINUTE)}/min so that it never refuses; receipts ${opts.mail === 'outbox' ? `written to a temporary outbox (${outboxDir})` : 'dropped (--mail off)'}, delivered asynchronously`,
    );
    say(`load: autocannon in a worker thread, ${opts.connections} connections`);
    say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage}; ${machine.date}`);
    if (machine.loadAverage >= machine.cpus) say(`warning: the machine is already busy (load ${machine.loadAverage} for ${machine.cpus} CPUs); figures will be low and noisy`);
    say(`submit:   POST ${urls.submit}`);
    say(`baseline: POST ${urls.bare} (one INSERT of the same JSON, same server, same pool)`);

    const plan: Array<{ target: Target; warmup: boolean; round: number; seconds: number }> = [];
    if (opts.warmup > 0) for (const t of ['bare', 'submit'] as const) plan.push({ target: t, warmup: true, round: 0, seconds: opts.warmup });
    for (let round = 1; round <= opts.rounds; round++) for (const t of ['bare', 'submit'] as const) plan.push({ target: t, warmup: false, round, seconds: opts.duration });
    const total = plan.reduce((s, p) => s + p.seconds, 0);
    say(`plan: ${plan.length} phases, about ${total} s`);
    say();
    say(
      `${'phase'.padEnd(16)}${'req/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'requests'.padStart(10)}${'loop'.padStart(7)}${'cpu'.padStart(7)}${'node'.padStart(7)}${'pg'.padStart(7)}${'µs/req'.padStart(8)}${'mail ms'.padStart(9)}  status`,
    );

    const phases: Phase[] = [];
    const cutOffLimit: Record<Target, number> = { bare: 0, submit: 0 };
    let stuck = 0;
    for (const [i, step] of plan.entries()) {
      const label = step.warmup ? `warm-up ${step.target}` : `${step.target} ${step.round}`;
      bar.start(label, step.seconds, i + 1, plan.length);
      const before = counter.snapshot();
      const cpuBefore = machineCpuTimes();
      const pgBefore = await postgresCpu();
      const nodeBefore = process.cpuUsage();
      const threadBefore = await mainThreadCpu();
      const loopBefore = performance.eventLoopUtilization();
      const writerBefore = { ...writer.counts };
      const started = performance.now();
      const result = await hammer({
        url: urls[step.target],
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        idReplacement: true,
        connections: opts.connections,
        duration: step.seconds,
      });
      const elu = performance.eventLoopUtilization(loopBefore).utilization;
      const wall = performance.now() - started;
      const node = process.cpuUsage(nodeBefore);
      const threadAfter = await mainThreadCpu();
      const pgAfter = await postgresCpu();
      const cpuAfter = machineCpuTimes();
      bar.clear();
      cutOffLimit[step.target] += opts.connections;
      // Requests autocannon cut off are still in the server: let them finish before the next phase.
      const t = step.target;
      if (!(await waitUntil(() => counter.replied(t) >= counter.started[t], 30_000))) stuck += counter.started[t] - counter.replied(t);
      const drainStarted = performance.now();
      await ctx.mail.drain();
      const mailDrainMs = performance.now() - drainStarted;

      const replies = Object.values(difference(counter.snapshot()[t], before[t])).reduce((sum, n) => sum + n, 0);
      let pgMs = 0;
      for (const [pid, ms] of pgAfter) pgMs += ms - (pgBefore.get(pid) ?? 0);
      const phase: Phase = {
        ...phaseOf(step.target, step.warmup, step.round, result, elu),
        serverStatusCodes: difference(counter.snapshot()[t], before[t]),
        machineCpu: (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total),
        postgresCores: pgAfter.size > 0 ? pgMs / wall : undefined,
        nodeCores: (node.user + node.system) / 1000 / wall,
        serverCpuPerReplyUs: threadBefore !== undefined && threadAfter !== undefined && replies > 0 ? ((threadAfter - threadBefore) * 1000) / replies : undefined,
        mailDrainMs,
        submissionsPerStatement:
          writer.counts.statements > writerBefore.statements ? (writer.counts.submissions - writerBefore.submissions) / (writer.counts.statements - writerBefore.statements) : undefined,
      };
      phases.push(phase);
      const codes = Object.entries(phase.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ') || 'none';
      const errors = phase.errors > 0 ? ` errors ${phase.errors} (timeouts ${phase.timeouts})` : '';
      const pct = (x: number) => `${num(x * 100)} %`;
      say(
        `${label.padEnd(16)}${num(phase.requestsPerSecond, 1).padStart(9)}${num(phase.latencyMs.p50).padStart(8)}${num(phase.latencyMs.p99).padStart(8)}${num(phase.requests).padStart(10)}${pct(phase.serverLoopUtilization).padStart(7)}${pct(phase.machineCpu).padStart(7)}${num(phase.nodeCores, 2).padStart(7)}${(phase.postgresCores === undefined ? '?' : num(phase.postgresCores, 2)).padStart(7)}${(phase.serverCpuPerReplyUs === undefined ? '?' : num(phase.serverCpuPerReplyUs)).padStart(8)}${num(mailDrainMs).padStart(9)}  ${codes}${errors}`,
      );
    }

    // Every accepted submission stored: counted under the maintenance role, as row-level security allows.
    const stored = await withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
      const count = async (table: 'records' | 'record_subjects' | 'security_log') =>
        Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      return { records: await count('records'), subjects: await count('record_subjects'), securityLog: await count('security_log') };
    });
    const bareStored = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM bench_bare`.execute(db)).rows[0]!.n);
    await ctx.mail.drain();
    const outboxFiles = opts.mail === 'outbox' ? (await readdir(outboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).length : undefined;

    const clientCount = (t: Target, code: string) => checks[t] + phases.filter((p) => p.target === t).reduce((s, p) => s + (p.statusCodes[code] ?? 0), 0);
    const accepted = {
      submit: { client: clientCount('submit', '201'), server: counter.counts.submit['201'] ?? 0, stored: stored.records },
      bare: { client: clientCount('bare', '201'), server: counter.counts.bare['201'] ?? 0, stored: bareStored },
    };
    // autocannon ends a phase by closing its connections: the requests then in flight are
    // stored and answered by the server, but never counted by the client (at most one per connection).
    const storageOk = (a: { client: number; server: number; stored: number }, t: Target) => a.stored === a.server && a.client <= a.stored && a.stored - a.client <= cutOffLimit[t];
    const storage = {
      submit: storageOk(accepted.submit, 'submit') && stored.subjects === stored.records && stored.securityLog === stored.records,
      bare: storageOk(accepted.bare, 'bare'),
    };
    const isServerError = (code: string) => code.startsWith('5');
    const serverErrors =
      phases.reduce((s, p) => s + Object.entries(p.statusCodes).reduce((n, [c, k]) => (isServerError(c) ? n + k : n), 0), 0) +
      (['bare', 'submit'] as const).reduce((s, t) => s + Object.entries(counter.counts[t]).reduce((n, [c, k]) => (isServerError(c) ? n + k : n), 0), 0);
    const otherStatuses = phases.reduce((s, p) => s + Object.entries(p.statusCodes).reduce((n, [c, k]) => (c === '201' || isServerError(c) ? n : n + k), 0), 0);
    const connectionErrors = phases.reduce((s, p) => s + p.errors, 0);

    const b = summary(phases, 'bare');
    const s = summary(phases, 'submit');
    const extra = (t: Target) => {
      const measured = phases.filter((p) => p.target === t && !p.warmup);
      const mean = (f: (p: Phase) => number) => measured.reduce((sum, p) => sum + f(p), 0) / measured.length;
      const pgKnown = measured.every((p) => p.postgresCores !== undefined);
      const cpuKnown = measured.every((p) => p.serverCpuPerReplyUs !== undefined);
      return {
        serverCpuPerReplyUs: cpuKnown ? mean((p) => p.serverCpuPerReplyUs!) : undefined,
        machineCpu: mean((p) => p.machineCpu),
        nodeCores: mean((p) => p.nodeCores),
        postgresCores: pgKnown ? mean((p) => p.postgresCores!) : undefined,
        mailDrainMs: Math.max(...measured.map((p) => p.mailDrainMs)),
        submissionsPerStatement: measured.every((p) => p.submissionsPerStatement !== undefined) ? mean((p) => p.submissionsPerStatement!) : undefined,
      };
    };
    const bare = { ...b, ...extra('bare') };
    const submit = { ...s, ...extra('submit') };
    const ratio = bare.requestsPerSecond > 0 ? submit.requestsPerSecond / bare.requestsPerSecond : 0;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'BELOW');
    const goals = {
      ratio: { goal: GOALS.ratio, value: ratio, verdict: verdict(ratio >= GOALS.ratio) },
      submissionsPerSecond: { goal: GOALS.submissionsPerSecond, value: submit.requestsPerSecond, verdict: verdict(submit.requestsPerSecond >= GOALS.submissionsPerSecond) },
      p99Ms: { goal: GOALS.p99Ms, value: submit.p99Ms, verdict: verdict(submit.p99Ms < GOALS.p99Ms) },
    };
    const failed = serverErrors > 0 || !storage.submit || !storage.bare;

    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({
          benchmark: 'submit',
          machine,
          loadAverageAfter: Number(os.loadavg()[0]!.toFixed(2)),
          database: { kind: database.kind, schema, pool: opts.pool },
          form: `${tenantId}/${FORM}`,
          mail: opts.mail,
          submissionsPerMinuteLimit: SUBMISSIONS_PER_MINUTE,
          connections: opts.connections,
          durationSeconds: opts.duration,
          warmupSeconds: opts.warmup,
          rounds: opts.rounds,
          urls,
          bare,
          submit,
          ratio,
          goals,
          accepted,
          /** At most this many 201s are sent but not received: one per connection and phase, cut off by autocannon. */
          cutOffLimit,
          stored,
          outboxFiles,
          mailWarnings,
          storage,
          serverErrors,
          otherStatuses,
          connectionErrors,
          stuckRequests: stuck,
          failed,
          phases,
        })}\n`,
      );
    } else {
      say();
      say(`over the ${opts.rounds} measured round(s) of ${opts.duration} s each (p50/p99: the worst round):`);
      say(`${''.padEnd(20)}${'req/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'loop'.padStart(7)}${'cpu'.padStart(7)}${'node'.padStart(7)}${'pg'.padStart(7)}${'µs/req'.padStart(8)}`);
      const row = (name: string, x: typeof bare) =>
        say(
          `${name.padEnd(20)}${num(x.requestsPerSecond, 1).padStart(9)}${num(x.p50Ms).padStart(8)}${num(x.p99Ms).padStart(8)}${`${num(x.serverLoopUtilization * 100)} %`.padStart(7)}${`${num(x.machineCpu * 100)} %`.padStart(7)}${num(x.nodeCores, 2).padStart(7)}${(x.postgresCores === undefined ? '?' : num(x.postgresCores, 2)).padStart(7)}${(x.serverCpuPerReplyUs === undefined ? '?' : num(x.serverCpuPerReplyUs)).padStart(8)}`,
        );
      row('bare INSERT (base)', bare);
      row('submissions', submit);
      say();
      say(`submissions: ${num(submit.requestsPerSecond, 1)}/s, p99 ${num(submit.p99Ms)} ms; bare INSERT: ${num(bare.requestsPerSecond, 1)}/s, p99 ${num(bare.p99Ms)} ms`);
      say(`ratio submissions/bare INSERT: ${num(ratio, 2)} (goal ≥ ${GOALS.ratio}) ${goals.ratio.verdict}`);
      say(`submissions/s: ${num(submit.requestsPerSecond, 1)} (goal ≥ ${num(GOALS.submissionsPerSecond)}) ${goals.submissionsPerSecond.verdict}`);
      say(`p99 at ${opts.connections} connections: ${num(submit.p99Ms)} ms (goal < ${GOALS.p99Ms} ms) ${goals.p99Ms.verdict}`);
      if (submit.submissionsPerStatement !== undefined) say(`submissions written per statement (those that wait share the next one): ${num(submit.submissionsPerStatement, 1)}`);
      say();
      say(
        `stored: ${num(stored.records)} records (${num(stored.subjects)} blind indexes, ${num(stored.securityLog)} security-log rows) for ${num(accepted.submit.server)} 201s sent by the server, ${num(accepted.submit.client)} received by autocannon ${storage.submit ? 'OK' : 'MISMATCH'}`,
      );
      say(`bare INSERT: ${num(bareStored)} rows for ${num(accepted.bare.server)} 201s sent, ${num(accepted.bare.client)} received ${storage.bare ? 'OK' : 'MISMATCH'}`);
      say(`(the difference between sent and received: requests in flight when autocannon closed its connections at the end of a phase, at most ${num(cutOffLimit.submit)} for either route: one per connection and phase)`);
      if (outboxFiles !== undefined) say(`receipts in the outbox: ${num(outboxFiles)}${mailWarnings > 0 ? `, ${mailWarnings} delivery failure(s)` : ''}`);
      say(`5xx: ${serverErrors}; other non-201 responses: ${otherStatuses}; connection errors: ${connectionErrors}${stuck > 0 ? `; requests still in the server after 30 s: ${stuck}` : ''}`);
      say();
      say('loop: share of the time the server\'s event loop was busy; cpu: the whole machine; node: cores used by this process (server and autocannon);');
      say('pg: cores used by the PostgreSQL processes (all of them, other sessions included); µs/req: CPU time of the server thread per reply');
      say('(unlike loop, not inflated when other processes take the CPU); mail ms: time to empty the mail queue after the phase');
      if (submit.serverCpuPerReplyUs !== undefined && bare.serverCpuPerReplyUs !== undefined)
        say(`server CPU per reply: submissions ${num(submit.serverCpuPerReplyUs)} µs, bare INSERT ${num(bare.serverCpuPerReplyUs)} µs (ratio ${num(bare.serverCpuPerReplyUs / submit.serverCpuPerReplyUs, 2)}: the rate ratio if the server thread were the only limit)`);
      say(`load average after the run: ${os.loadavg()[0]!.toFixed(2)}`);
      if (failed) say('FAILED: a 5xx response, or stored rows that do not match the accepted submissions');
    }
    return failed ? 1 : 0;
  } finally {
    bar.clear();
    await app?.close();
    await database?.close();
    if (schemaCreated) await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    await admin.end().catch(() => {});
    await rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark('submit', main);
