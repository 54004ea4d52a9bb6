/**
 * Benchmark of the audience beacon (`npm run bench:hits`).
 *
 * POST /api/v1/val-fleuri/hit on the real app (createAppContext + buildApp,
 * logger off, the demo commune of examples/val-fleuri.yaml) against a no-op
 * route added by the benchmark to the SAME Fastify instance before it
 * listens: POST /bench/noop takes the same text/plain body through the same
 * hooks and parser and answers 204, nothing else. Goal (issue 10): hits at
 * ≥ 0.6 of the no-op's rate, at 50 connections; and every counted hit
 * stored.
 *
 * The bodies are what consent.js sends with navigator.sendBeacon
 * (text/plain JSON: url, referrer, vid, first, and a form event on a form's
 * page), with the headers a browser adds to a beacon from the platform's own
 * pages (Origin, User-Agent, Accept-Language). Each autocannon connection
 * plays visits of its own (bench/hits.ts writes the client module, which
 * autocannon's worker thread loads): a visitor id drawn from a pool of
 * `--visitors` (default 20,000), one to ten page views of the authority's
 * pages, an outside referrer on some visits' first page, the previous page as
 * referrer within a visit, `first: true` on some visitors' first visit, about
 * one page view in twelve without a cookie. Every body is one the route
 * counts, so that the hits stored must equal the 204s it sent: the server
 * counts its replies by `x-bastide-hit` value (an onSend hook added on both
 * routes), and after a final flush the rows of audience_hits must equal the
 * `counted` ones exactly; autocannon's 2xx must be at most that, and short of
 * it by no more than one per connection and phase (the requests in flight
 * when autocannon closes its connections are answered to a closed socket).
 *
 * Phases alternate (warm-up no-op, warm-up hits, then no-op, hits, …) so that
 * a drift of the shared machine touches both sides alike; after each phase
 * the benchmark waits for the requests still in the server and flushes the
 * hit buffer, so that no insert spills into the next phase.
 *
 *   node --import tsx bench/hits.ts [--json] [--db postgres|pglite]
 *        [--duration 10] [--warmup 3] [--rounds 2] [--connections 50]
 *        [--visitors 20000] [--profile FILE] [--rate 0]
 *
 * `--rate N` caps the load at N requests a second in all (autocannon's
 * overallRate) instead of as fast as the server answers: a diagnosis, not
 * the benchmark. With both routes at the same unsaturated rate, their CPU
 * per reply (µs/req) compares the work each does, without the effects of
 * which side is the bottleneck (a saturated server wakes an idle client on
 * every reply, and that wake-up is paid in its write).
 *
 * `--profile FILE` writes CPU profiles (FILE-noop.cpuprofile,
 * FILE-hits.cpuprofile: Chrome DevTools) of the server thread during the
 * first measured phase of each route, and prints the functions with the
 * most self time.
 *
 * Database: the PostgreSQL server of DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test) in a fresh schema dropped at the
 * end, or PGlite in a temporary folder (`--db pglite`). The flood limit per
 * truncated address is raised to 10,000,000/min: the whole load comes from
 * 127.0.0.1.
 *
 * Exit status: 0 whatever the figures (a measurement, not a test); 1 if a
 * response was not a 204, a hit was ignored, the rows stored differ from the
 * counted hits, or the set-up failed; 2 on a bad option.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { HitBuffer } from '../src/audience/hit-buffer.ts';
import type { Database } from '../src/db/database.ts';
import { withPrincipal } from '../src/db/principal.ts';
import { formatProblem } from '../src/register/problem.ts';
import { loadRegister } from '../src/register/register-loader.ts';
import { buildApp } from '../src/server/app.ts';
import { createAppContext } from '../src/server/app-context.ts';
import { benchArgs, hammer, machineInfo, mainThreadCpu, num, output, phaseOf, progress, runBenchmark, summary, difference, machineCpuTimes, postgresCpu, waitUntil, type Phase as HarnessPhase } from './harness.ts';
import { benchDbKind, benchKeyring, scratchDatabase, type ScratchDatabase } from './seed-records.ts';

const GOALS = { ratio: 0.6 };
const REGISTER = new URL('../examples/val-fleuri.yaml', import.meta.url);
const NOOP_PATH = '/bench/noop';
const HIT_ROUTE = '/api/v1/:tenant/hit';
/** Out of reach: the limit is per truncated address and the whole load comes from 127.0.0.1. */
const HITS_PER_MINUTE = 10_000_000;
/** Requests each connection prepares (its visits); it starts again from the first when it has sent them all. */
const REQUESTS_PER_CONNECTION = 1500;

type Target = 'noop' | 'hits';

interface Phase extends HarnessPhase<Target> {
  /** Replies the server sent during the phase, by status and x-bastide-hit (including those autocannon cut off). */
  serverReplies: Record<string, number>;
  machineCpu: number;
  postgresCores: number | undefined;
  /** CPU time of the server's thread (the main thread) per reply, in µs. */
  serverCpuPerReplyUs: number | undefined;
  /** The hit buffer's flush after the phase (rows left waiting when the load stopped). */
  flushMs: number;
}

function options() {
  const usage =
    'usage: node --import tsx bench/hits.ts [--json] [--db postgres|pglite] [--duration s] [--warmup s] [--rounds n] [--connections n] [--visitors n] [--profile FILE] [--rate n]';
  const { values, int, common } = benchArgs(usage, {
    db: { type: 'string', default: 'postgres' },
    visitors: { type: 'string', default: '20000' },
    profile: { type: 'string', default: '' },
    rate: { type: 'string', default: '0' },
  });
  return { ...common, db: benchDbKind(values['db'], usage), visitors: int('visitors', 10, 10_000_000), profile: String(values['profile']) || undefined, rate: int('rate', 0, 1_000_000) };
}

/**
 * The client module autocannon's worker thread loads (`setupClient`): each
 * connection builds its own sequence of visits, so that the 50 connections do
 * not send the same bodies in step. CommonJS, because the worker `require`s it.
 */
function clientModule(config: { base: string; path: string; tenant: string; visitors: number; requests: number; forms: string[]; seed: string }): string {
  return `'use strict';
const { createHash } = require('node:crypto');
const C = ${JSON.stringify(config)};
const PAGES = ['', '/', '/demarches', '/demarches', '/demarches', '/donnees-personnelles', '/donnees-personnelles/versions', '/cookies',
  '/mes-droits', '/suivi?code=K7QF-2XPD-9MHA', '/suivi?code=Z3RT-8WNB-4CJE', '/demarches/contact-mairie/brouillon/q8Ht2mWx9LkP4vRb7NcY3dZs',
  '/donnees-personnelles?lang=en', '/demarches#liste', '/mes-droits/confirmation?jeton=abc'];
const OUTSIDE = ['https://www.google.com/', 'https://www.google.fr/', 'https://www.qwant.com/', 'https://www.bing.com/', 'https://duckduckgo.com/',
  'https://www.service-public.fr/particuliers/vosdroits/F1234', 'https://m.facebook.com/', 'https://www.val-fleuri.example/actualites/travaux-rue-des-tilleuls',
  'https://portail-famille.val-fleuri.example/accueil', 'https://www.ecoles-val-fleuri.example/'];
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const vid = (i) => createHash('sha256').update(C.seed + ':' + i).digest('base64url').slice(0, 22);
const page = (p) => C.base + '/' + C.tenant + p;
const HEADERS = {
  'content-type': 'text/plain;charset=UTF-8',
  origin: C.base,
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'accept-language': 'fr-FR,fr;q=0.8,en-US;q=0.5,en;q=0.3',
};
function visits() {
  const out = [];
  while (out.length < C.requests) {
    const cookie = Math.random() >= 0.08;
    const v = cookie ? vid(Math.floor(Math.random() * C.visitors)) : undefined;
    let first = cookie && Math.random() < 0.3;
    let referrer = Math.random() < 0.4 ? pick(OUTSIDE) : '';
    const views = 1 + Math.min(9, Math.floor(-Math.log(1 - Math.random()) * 2.5));
    for (let i = 0; i < views && out.length < C.requests; i++) {
      const body = { url: '', referrer, vid: v, first };
      if (!cookie) delete body.vid;
      if (Math.random() < 0.3) {
        const form = pick(C.forms);
        body.url = page('/demarches/' + form);
        body.event = Math.random() < 0.25 ? 'form-submitted' : 'form-viewed';
        body.form = form;
      } else body.url = page(pick(PAGES));
      out.push({ method: 'POST', path: C.path, headers: HEADERS, body: JSON.stringify(body) });
      referrer = body.url;
      first = false;
    }
  }
  return out;
}
module.exports = function setupClient(client) {
  client.setRequests(visits());
};
`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The functions with the most self time in a V8 CPU profile, as shares of its samples. */
function topSelf(profile: { nodes: ProfileNode[]; samples?: number[] }, n: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples ?? []) {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + 1);
    total++;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, count]) => ({ name, share: count / Math.max(1, total) }));
}

async function main(): Promise<number> {
  const opts = options();
  const { say } = output(opts.json);
  const bar = progress(!opts.json && Boolean(process.stderr.isTTY));
  const tmp = await mkdtemp(join(os.tmpdir(), 'bastide-bench-hits-'));
  let scratch: ScratchDatabase | undefined;
  let database: Database | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let errorsLogged = 0;
  try {
    scratch = await scratchDatabase(opts.db);
    database = await scratch.open();
    const db = database.db;
    const loaded = await loadRegister(db, new Uint8Array(await readFile(REGISTER)), 'bench');
    if (!loaded.ok) throw new Error(`examples/val-fleuri.yaml is invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);
    const tenantId = loaded.tenantId;

    // Production-like: logger off, the default register TTL (2000 ms), the default pool (10); the flood limit out of reach.
    const ctx = createAppContext({
      database,
      keyring: benchKeyring(),
      config: { publicUrl: undefined, submissionsPerMinute: 1000, hitsPerMinute: HITS_PER_MINUTE, smtpUrl: undefined, mailFrom: 'Bastide <bench@localhost>' },
      outboxDir: join(tmp, 'outbox'),
      logger: { warn: () => void errorsLogged++, error: () => void errorsLogged++ },
    });
    const hits: HitBuffer = ctx.hits;
    app = await buildApp(ctx);

    // The baseline: the same body through the same instance, hooks and text/plain parser, and nothing else.
    app.post(NOOP_PATH, { bodyLimit: 8 * 1024 }, async (_request, reply) => reply.code(204).send());

    // Replies counted when the server sends them, whether or not the client is still there.
    const started: Record<Target, number> = { noop: 0, hits: 0 };
    const replies: Record<Target, Record<string, number>> = { noop: {}, hits: {} };
    const targetOf = (routeUrl: string | undefined): Target | undefined => (routeUrl === NOOP_PATH ? 'noop' : routeUrl === HIT_ROUTE ? 'hits' : undefined);
    const replied = (t: Target) => Object.values(replies[t]).reduce((s, n) => s + n, 0);
    app.addHook('onRequest', async (request) => {
      const t = targetOf(request.routeOptions.url);
      if (t) started[t]++;
    });
    app.addHook('onSend', async (request, reply) => {
      const t = targetOf(request.routeOptions.url);
      if (!t) return;
      const what = reply.getHeader('x-bastide-hit');
      const key = what === undefined ? String(reply.statusCode) : `${reply.statusCode} ${String(what)}`;
      replies[t][key] = (replies[t][key] ?? 0) + 1;
    });

    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no port');
    const base = `http://127.0.0.1:${address.port}`;
    const hitPath = `/api/v1/${tenantId}/hit`;
    const urls: Record<Target, string> = { noop: `${base}${NOOP_PATH}`, hits: `${base}${hitPath}` };

    // The forms of the register: a form's page sends its event with its id.
    const inForce = await ctx.registers.current(tenantId);
    if (!inForce) throw new Error('the register loaded but is not in force');
    const forms = inForce.register.processings.flatMap((p) => p.forms.map((f) => f.id));
    const modules: Record<Target, string> = { noop: join(tmp, 'client-noop.cjs'), hits: join(tmp, 'client-hits.cjs') };
    const seed = Math.random().toString(36).slice(2);
    for (const t of ['noop', 'hits'] as const)
      await writeFile(modules[t], clientModule({ base, path: t === 'noop' ? NOOP_PATH : hitPath, tenant: tenantId, visitors: opts.visitors, requests: REQUESTS_PER_CONNECTION, forms, seed }));

    // Both routes answer 204 to a beacon before the load starts; the hit route counts it.
    const probe = JSON.stringify({ url: `${base}/${tenantId}/demarches`, referrer: 'https://www.google.com/', vid: 'AAAAAAAAAAAAAAAAAAAAAA', first: true });
    for (const t of ['noop', 'hits'] as const) {
      const response = await fetch(urls[t], { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: base }, body: probe });
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`${urls[t]}: status ${response.status}, expected 204`);
      if (t === 'hits' && response.headers.get('x-bastide-hit') !== 'counted') throw new Error(`${urls[t]}: x-bastide-hit « ${response.headers.get('x-bastide-hit')} », expected « counted »`);
    }
    await hits.flush();
    const checks: Record<Target, number> = { noop: 1, hits: 1 };

    const machine = machineInfo();
    say('Bastide — audience hits benchmark (bench/hits.ts)');
    say(`database: ${opts.db === 'postgres' ? `PostgreSQL, schema ${scratch.target.kind === 'postgres' ? scratch.target.schema : ''} (dropped at the end), pool of 10` : 'PGlite in a temporary folder'}`);
    say(`server: this process (buildApp, logger off), tenant ${tenantId}; hit buffer: 1,000 rows or 250 ms; flood limit ${num(HITS_PER_MINUTE)}/min per truncated address`);
    say(`load: autocannon in a worker thread, ${opts.connections} connections, each playing visits of its own (${num(opts.visitors)} visitor ids, ${REQUESTS_PER_CONNECTION} beacons prepared per connection)${opts.rate > 0 ? `; capped at ${num(opts.rate)} requests/s in all (--rate: a diagnosis, the ratio means nothing then)` : ''}`);
    say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage}; ${machine.date}`);
    if (machine.loadAverage >= machine.cpus) say(`warning: the machine is already busy (load ${machine.loadAverage} for ${machine.cpus} CPUs); figures will be low and noisy`);
    say(`hits:     POST ${urls.hits}`);
    say(`baseline: POST ${urls.noop} (same body, same instance, answers 204 and does nothing)`);

    const plan: Array<{ target: Target; warmup: boolean; round: number; seconds: number }> = [];
    if (opts.warmup > 0) for (const t of ['noop', 'hits'] as const) plan.push({ target: t, warmup: true, round: 0, seconds: opts.warmup });
    for (let round = 1; round <= opts.rounds; round++) for (const t of ['noop', 'hits'] as const) plan.push({ target: t, warmup: false, round, seconds: opts.duration });
    say(`plan: ${plan.length} phases, about ${plan.reduce((s, p) => s + p.seconds, 0)} s`);
    say();
    say(`${'phase'.padEnd(14)}${'req/s'.padStart(10)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'requests'.padStart(10)}${'loop'.padStart(7)}${'cpu'.padStart(7)}${'pg'.padStart(7)}${'µs/req'.padStart(8)}${'flush'.padStart(8)}  status`);

    const session = opts.profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    const profiles: Partial<Record<Target, { nodes: ProfileNode[]; samples?: number[] }>> = {};
    const phases: Phase[] = [];
    const cutOffLimit: Record<Target, number> = { noop: 0, hits: 0 };
    let stuck = 0;
    for (const [i, step] of plan.entries()) {
      const t = step.target;
      const label = step.warmup ? `warm-up ${t}` : `${t} ${step.round}`;
      const profiling = session !== undefined && !step.warmup && step.round === 1;
      if (profiling) await session.post('Profiler.start');
      bar.start(label, step.seconds, i + 1, plan.length);
      const before = { ...replies[t] };
      const cpuBefore = machineCpuTimes();
      const pgBefore = await postgresCpu();
      const threadBefore = await mainThreadCpu();
      const loopBefore = performance.eventLoopUtilization();
      const t0 = performance.now();
      // In a worker, autocannon takes setupClient as the path of a module to require (its types know only the function).
      const result = await hammer({ url: urls[t], setupClient: modules[t] as unknown as (client: unknown) => void, connections: opts.connections, duration: step.seconds, ...(opts.rate > 0 ? { overallRate: opts.rate } : {}) });
      const elu = performance.eventLoopUtilization(loopBefore).utilization;
      const wall = performance.now() - t0;
      const threadAfter = await mainThreadCpu();
      const pgAfter = await postgresCpu();
      const cpuAfter = machineCpuTimes();
      bar.clear();
      cutOffLimit[t] += opts.connections;
      // Requests autocannon cut off are still in the server: let them finish, then write what the buffer holds.
      if (!(await waitUntil(() => replied(t) >= started[t], 30_000))) stuck += started[t] - replied(t);
      const f0 = performance.now();
      await hits.flush();
      const flushMs = performance.now() - f0;
      if (profiling) {
        const stopped = await session.post('Profiler.stop');
        profiles[t] = stopped.profile as unknown as { nodes: ProfileNode[]; samples?: number[] };
      }

      const sent = difference(replies[t], before);
      const count = Object.values(sent).reduce((s, n) => s + n, 0);
      let pgMs = 0;
      for (const [pid, ms] of pgAfter) pgMs += ms - (pgBefore.get(pid) ?? 0);
      const phase: Phase = {
        ...phaseOf(t, step.warmup, step.round, result, elu),
        serverReplies: sent,
        machineCpu: (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total),
        postgresCores: pgAfter.size > 0 ? pgMs / wall : undefined,
        serverCpuPerReplyUs: threadBefore !== undefined && threadAfter !== undefined && count > 0 ? ((threadAfter - threadBefore) * 1000) / count : undefined,
        flushMs,
      };
      phases.push(phase);
      const codes = Object.entries(phase.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ') || 'none';
      const errors = phase.errors > 0 ? ` errors ${phase.errors} (timeouts ${phase.timeouts})` : '';
      const pct = (x: number) => `${num(x * 100)} %`;
      say(
        `${label.padEnd(14)}${num(phase.requestsPerSecond, 1).padStart(10)}${num(phase.latencyMs.p50).padStart(8)}${num(phase.latencyMs.p99).padStart(8)}${num(phase.requests).padStart(10)}${pct(phase.serverLoopUtilization).padStart(7)}${pct(phase.machineCpu).padStart(7)}${(phase.postgresCores === undefined ? '?' : num(phase.postgresCores, 2)).padStart(7)}${(phase.serverCpuPerReplyUs === undefined ? '?' : num(phase.serverCpuPerReplyUs)).padStart(8)}${num(flushMs).padStart(8)}  ${codes}${errors}`,
      );
    }
    if (session) {
      await session.post('Profiler.disable');
      session.disconnect();
    }

    // Every counted hit stored: the rows of the tenant, read under the maintenance role as row-level security allows.
    await hits.flush();
    const stored = await withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
      const r = await sql<{ rows: string; visitors: string; paths: string; referrers: string; events: string; anonymous: string }>`
        select count(*) as rows, count(distinct visitor) as visitors, count(distinct path) as paths, count(distinct referrer) as referrers,
          count(event) as events, count(*) filter (where visitor is null) as anonymous
        from audience_hits where tenant_id = ${tenantId}`.execute(trx);
      const row = r.rows[0]!;
      return { rows: Number(row.rows), distinctVisitors: Number(row.visitors), distinctPaths: Number(row.paths), distinctReferrers: Number(row.referrers), formEvents: Number(row.events), withoutCookie: Number(row.anonymous) };
    });

    const serverCounted = replies.hits['204 counted'] ?? 0;
    const serverOther = Object.entries(replies.hits).filter(([k]) => k !== '204 counted').reduce((s, [, n]) => s + n, 0);
    const noopOther = Object.entries(replies.noop).filter(([k]) => k !== '204').reduce((s, [, n]) => s + n, 0);
    const client2xx = (t: Target) => checks[t] + phases.filter((p) => p.target === t).reduce((s, p) => s + Object.entries(p.statusCodes).reduce((n, [c, k]) => (c.startsWith('2') ? n + k : n), 0), 0);
    const clientNon2xx = phases.reduce((s, p) => s + Object.entries(p.statusCodes).reduce((n, [c, k]) => (c.startsWith('2') ? n : n + k), 0), 0);
    const connectionErrors = phases.reduce((s, p) => s + p.errors, 0);
    const accepted = { client2xx: client2xx('hits'), serverCounted, stored: stored.rows, written: hits.written };
    const failures: string[] = [];
    if (stored.rows < serverCounted) failures.push(`${num(serverCounted - stored.rows)} counted hit(s) missing: ${num(stored.rows)} rows for ${num(serverCounted)} counted`);
    if (stored.rows > serverCounted) failures.push(`${num(stored.rows - serverCounted)} row(s) more than the counted hits`);
    if (hits.written !== stored.rows) failures.push(`the hit buffer says ${num(hits.written)} written, the table holds ${num(stored.rows)}`);
    if (accepted.client2xx > stored.rows || stored.rows - accepted.client2xx > cutOffLimit.hits)
      failures.push(`autocannon received ${num(accepted.client2xx)} 2xx for ${num(stored.rows)} rows (at most ${cutOffLimit.hits} cut off)`);
    if (serverOther > 0) failures.push(`the hit route sent ${num(serverOther)} answer(s) other than 204 counted: ${JSON.stringify(replies.hits)}`);
    if (noopOther > 0) failures.push(`the no-op route sent ${num(noopOther)} answer(s) other than 204`);
    if (clientNon2xx > 0) failures.push(`${num(clientNon2xx)} non-2xx response(s)`);
    if (errorsLogged > 0) failures.push(`${errorsLogged} error(s) logged by the server (hits not stored?)`);
    if (stuck > 0) failures.push(`${stuck} request(s) still in the server 30 s after a phase`);

    const noop = summary(phases, 'noop');
    const hit = summary(phases, 'hits');
    const extra = (t: Target) => {
      const measured = phases.filter((p) => p.target === t && !p.warmup);
      const mean = (f: (p: Phase) => number) => measured.reduce((s, p) => s + f(p), 0) / measured.length;
      return {
        serverCpuPerReplyUs: measured.every((p) => p.serverCpuPerReplyUs !== undefined) ? mean((p) => p.serverCpuPerReplyUs!) : undefined,
        machineCpu: mean((p) => p.machineCpu),
        postgresCores: measured.every((p) => p.postgresCores !== undefined) ? mean((p) => p.postgresCores!) : undefined,
        flushMs: Math.max(...measured.map((p) => p.flushMs)),
      };
    };
    const noopAll = { ...noop, ...extra('noop') };
    const hitsAll = { ...hit, ...extra('hits') };
    const ratio = noopAll.requestsPerSecond > 0 ? hitsAll.requestsPerSecond / noopAll.requestsPerSecond : 0;
    const verdict = ratio >= GOALS.ratio ? 'PASS' : 'BELOW';

    const top: Partial<Record<Target, Array<{ name: string; share: number }>>> = {};
    const profileFiles: Partial<Record<Target, string>> = {};
    if (opts.profile)
      for (const t of ['noop', 'hits'] as const) {
        const p = profiles[t];
        if (!p) continue;
        profileFiles[t] = opts.profile.replace(/(\.cpuprofile)?$/, `-${t}.cpuprofile`);
        await writeFile(profileFiles[t], JSON.stringify(p));
        top[t] = topSelf(p, 20);
      }

    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({
          benchmark: 'hits',
          machine,
          loadAverageAfter: Number(os.loadavg()[0]!.toFixed(2)),
          database: opts.db,
          tenant: tenantId,
          hitsPerMinuteLimit: HITS_PER_MINUTE,
          connections: opts.connections,
          rate: opts.rate || undefined,
          durationSeconds: opts.duration,
          warmupSeconds: opts.warmup,
          rounds: opts.rounds,
          visitors: opts.visitors,
          urls,
          noop: noopAll,
          hits: hitsAll,
          ratio,
          goals: { ratio: { goal: GOALS.ratio, value: ratio, verdict } },
          accepted,
          cutOffLimit,
          stored,
          serverReplies: replies,
          connectionErrors,
          failures,
          profile: opts.profile ? { files: profileFiles, topSelf: top } : undefined,
          phases,
        })}\n`,
      );
    } else {
      say();
      say(`over the ${opts.rounds} measured round(s) of ${opts.duration} s each (p50/p99: the worst round):`);
      say(`${''.padEnd(14)}${'req/s'.padStart(10)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'loop'.padStart(7)}${'cpu'.padStart(7)}${'pg'.padStart(7)}${'µs/req'.padStart(8)}`);
      const row = (name: string, x: typeof noopAll) =>
        say(
          `${name.padEnd(14)}${num(x.requestsPerSecond, 1).padStart(10)}${num(x.p50Ms).padStart(8)}${num(x.p99Ms).padStart(8)}${`${num(x.serverLoopUtilization * 100)} %`.padStart(7)}${`${num(x.machineCpu * 100)} %`.padStart(7)}${(x.postgresCores === undefined ? '?' : num(x.postgresCores, 2)).padStart(7)}${(x.serverCpuPerReplyUs === undefined ? '?' : num(x.serverCpuPerReplyUs)).padStart(8)}`,
        );
      row('no-op (base)', noopAll);
      row('hits', hitsAll);
      say();
      say(`hits: ${num(hitsAll.requestsPerSecond, 1)}/s, p99 ${num(hitsAll.p99Ms)} ms; no-op: ${num(noopAll.requestsPerSecond, 1)}/s, p99 ${num(noopAll.p99Ms)} ms`);
      say(`ratio hits/no-op: ${num(ratio, 2)} (goal ≥ ${GOALS.ratio}) ${verdict}`);
      say(
        `stored: ${num(stored.rows)} rows in audience_hits (buffer: ${num(hits.written)} written) for ${num(serverCounted)} « 204 counted » sent by the server, ${num(accepted.client2xx)} 2xx received by autocannon (at most ${num(cutOffLimit.hits)} cut off: one per connection and phase) ${failures.length === 0 ? 'OK' : 'MISMATCH'}`,
      );
      say(`in them: ${num(stored.distinctVisitors)} distinct visitor hashes, ${num(stored.withoutCookie)} hits without cookie, ${num(stored.distinctPaths)} paths, ${num(stored.distinctReferrers)} outside referrers, ${num(stored.formEvents)} form events`);
      say(`non-2xx: ${clientNon2xx}; connection errors: ${connectionErrors}`);
      say();
      say('loop: share of the time the server\'s event loop was busy; cpu: the whole machine; pg: cores used by the PostgreSQL processes (all of them);');
      say('µs/req: CPU time of the server thread per reply (autocannon runs in another thread); flush: the hit buffer\'s flush after the phase');
      if (hitsAll.serverCpuPerReplyUs !== undefined && noopAll.serverCpuPerReplyUs !== undefined)
        say(`server CPU per reply: hits ${num(hitsAll.serverCpuPerReplyUs)} µs, no-op ${num(noopAll.serverCpuPerReplyUs)} µs (ratio ${num(noopAll.serverCpuPerReplyUs / hitsAll.serverCpuPerReplyUs, 2)}: the rate ratio if the server thread were the only limit)`);
      for (const t of ['noop', 'hits'] as const) {
        const list = top[t];
        if (!list) continue;
        say();
        say(`CPU profile of the server thread during the first measured ${t} phase (${profileFiles[t]}); most self time, share of the samples (idle included):`);
        for (const f of list) say(`${`${num(f.share * 100, 1)} %`.padStart(8)}  ${f.name}`);
      }
      say(`load average after the run: ${os.loadavg()[0]!.toFixed(2)}`);
      for (const f of failures) say(`FAILED: ${f}`);
    }
    return failures.length > 0 ? 1 : 0;
  } finally {
    bar.clear();
    await app?.close();
    await database?.close();
    await scratch?.drop();
    await rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark('hits', main);
