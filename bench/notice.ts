/**
 * Benchmark of the notice page (`npm run bench:notice`).
 *
 * The page /{tenant}/donnees-personnelles of a register with 200 processings,
 * served over HTTP by the real app (buildApp, logger off, the default
 * register TTL), against a baseline measured in the same run: the very same
 * bytes written to a file and served by @fastify/static from the SAME Fastify
 * instance (same helmet hooks, same sockets, same process). Goal: the notice
 * reaches at least 0.8 of the static rate, which it can only do if it is
 * rendered once per register version and served from memory.
 *
 * The load comes from autocannon in a worker thread, so that the load
 * generator does not share the server's event loop. Phases alternate
 * (warm-up static, warm-up notice, then static, notice, static, notice…) so
 * that a slow drift of the machine touches both sides alike.
 *
 *   node --import tsx bench/notice.ts [--json] [--duration 10] [--warmup 3]
 *        [--rounds 2] [--connections 50] [--processings 200] [--serve]
 *
 * Database: PGlite in a fresh temporary folder, or the PostgreSQL server of
 * DATABASE_URL (the register is then loaded there: use a scratch database).
 * `--serve` sets everything up, prints the two URLs and serves until Ctrl-C
 * (to look at the responses with curl). Exit status: 0 whatever the ratio (a
 * measurement, not a test); 1 if any response was not a 200 or a request
 * failed, or if the two URLs do not serve the same bytes; 2 on a bad option.
 */
import fastifyStatic from '@fastify/static';
import type autocannon from 'autocannon';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type DatabaseTarget } from '../src/db/database.ts';
import { renderedNotice } from '../src/notice/notice-cache.ts';
import { formatProblem } from '../src/register/problem.ts';
import { createAppContext } from '../src/server/app-context.ts';
import { testKeyring } from '../src/server/testing.ts';
import { loadRegister } from '../src/register/register-loader.ts';
import { buildApp } from '../src/server/app.ts';
import { benchArgs, runBenchmark, hammer, machineInfo, mb, num, output, phaseOf, progress, summary, type Phase as HarnessPhase } from './harness.ts';
import { DEFAULT_PROCESSINGS, largeRegisterYaml } from './large-register.ts';

const GOAL = 0.8;
const STATIC_PREFIX = '/bench-static/';
const STATIC_FILE = 'donnees-personnelles.html';

interface Options {
  json: boolean;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  processings: number;
  serve: boolean;
}

function options(): Options {
  const usage =
    'usage: node --import tsx bench/notice.ts [--json] [--duration s] [--warmup s] [--rounds n] [--connections n] [--processings n] [--serve]';
  const { values, int, common } = benchArgs(usage, {
    processings: { type: 'string', default: String(DEFAULT_PROCESSINGS) },
    serve: { type: 'boolean', default: false },
  });
  return { ...common, processings: int('processings', 1, 500), serve: values['serve'] === true };
}

type Target = 'static' | 'notice';
type Phase = HarnessPhase<Target>;

async function hammerUrl(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return hammer({ url, connections, duration: seconds });
}

/** Requests that did not end in a 200: other statuses, connection errors, timeouts. */
function failures(p: Phase): number {
  const other = Object.entries(p.statusCodes).reduce((n, [code, count]) => (code === '200' ? n : n + count), 0);
  return other + p.errors;
}

async function main(): Promise<number> {
  const opts = options();
  const { say } = output(opts.json);
  const bar = progress(!opts.json && Boolean(process.stderr.isTTY));

  const tmp = await mkdtemp(join(os.tmpdir(), 'bastide-bench-'));
  const target: DatabaseTarget = process.env.DATABASE_URL
    ? { kind: 'postgres', url: process.env.DATABASE_URL }
    : { kind: 'pglite', dataDir: join(tmp, 'data'), command: 'bench' };
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    database = await openDatabase(target);
    const loaded = await loadRegister(database.db, new TextEncoder().encode(largeRegisterYaml(opts.processings)), 'bench');
    if (!loaded.ok) throw new Error(`the generated register is invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);

    // Production-like: logger off, the default TTL of the current version (2000 ms).
    const ctx = createAppContext({
      database,
      keyring: testKeyring(),
      config: { publicUrl: undefined, submissionsPerMinute: 30, smtpUrl: undefined, mailFrom: 'bench@localhost' },
      outboxDir: join(tmp, 'outbox'),
      logger: { warn: () => {}, error: () => {} },
    });
    const registers = ctx.registers;
    app = await buildApp(ctx);

    // The baseline: the notice's exact bytes, as a file served by the same instance.
    const current = await registers.current(loaded.tenantId);
    if (!current) throw new Error(`tenant ${loaded.tenantId} has no register in force`);
    const page = renderedNotice(current).html.raw;
    const staticDir = join(tmp, 'static');
    await mkdir(staticDir);
    await writeFile(join(staticDir, STATIC_FILE), page);
    await app.register(fastifyStatic, { root: staticDir, prefix: STATIC_PREFIX });

    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no port');
    const base = `http://127.0.0.1:${address.port}`;
    const urls: Record<Target, string> = {
      static: `${base}${STATIC_PREFIX}${STATIC_FILE}`,
      notice: `${base}/${loaded.tenantId}/donnees-personnelles`,
    };

    // Both URLs must answer 200, as an HTML page, with the same bytes.
    for (const t of ['notice', 'static'] as const) {
      const response = await fetch(urls[t]);
      const body = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/html') || !body.equals(page)) {
        throw new Error(`${urls[t]}: status ${response.status}, ${type}, ${body.length} bytes; expected 200, text/html, the ${page.length} bytes of the notice`);
      }
    }

    const machine = machineInfo();
    say('Bastide — notice benchmark (bench/notice.ts)');
    say(`register: ${opts.processings} processings, version ${loaded.version}; page ${num(page.length)} bytes; database ${database.kind}`);
    say(`server: this process (buildApp, logger off, register TTL 2000 ms); load: autocannon in a worker thread, ${opts.connections} connections`);
    say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage}; ${machine.date}`);
    if (machine.loadAverage >= machine.cpus) say(`warning: the machine is already busy (load ${machine.loadAverage} for ${machine.cpus} CPUs); figures will be low and noisy`);
    say(`notice:   ${urls.notice}`);
    say(`baseline: ${urls.static} (the same bytes, @fastify/static, same server)`);

    if (opts.serve) {
      say('serving until Ctrl-C');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      return 0;
    }

    const plan: Array<{ target: Target; warmup: boolean; round: number; seconds: number }> = [];
    if (opts.warmup > 0) for (const t of ['static', 'notice'] as const) plan.push({ target: t, warmup: true, round: 0, seconds: opts.warmup });
    for (let round = 1; round <= opts.rounds; round++) for (const t of ['static', 'notice'] as const) plan.push({ target: t, warmup: false, round, seconds: opts.duration });
    const total = plan.reduce((s, p) => s + p.seconds, 0);
    say(`plan: ${plan.length} phases, about ${total} s`);
    say();
    say(`${'phase'.padEnd(16)}${'req/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'MB/s'.padStart(9)}${'requests'.padStart(10)}${'server'.padStart(8)}  status`);

    const phases: Phase[] = [];
    for (const [i, step] of plan.entries()) {
      const label = step.warmup ? `warm-up ${step.target}` : `${step.target} ${step.round}`;
      bar.start(label, step.seconds, i + 1, plan.length);
      const loopBefore = performance.eventLoopUtilization();
      const result = await hammerUrl(urls[step.target], opts.connections, step.seconds);
      const elu = performance.eventLoopUtilization(loopBefore).utilization;
      bar.clear();
      const phase = phaseOf(step.target, step.warmup, step.round, result, elu);
      phases.push(phase);
      const codes = Object.entries(phase.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ') || 'none';
      const errors = phase.errors > 0 ? ` errors ${phase.errors} (timeouts ${phase.timeouts})` : '';
      say(
        `${label.padEnd(16)}${num(phase.requestsPerSecond, 1).padStart(9)}${num(phase.latencyMs.p50).padStart(8)}${num(phase.latencyMs.p99).padStart(8)}${mb(phase.bytesPerSecond).padStart(9)}${num(phase.requests).padStart(10)}${`${num(phase.serverLoopUtilization * 100)} %`.padStart(8)}  ${codes}${errors}`,
      );
    }

    const s = summary(phases, 'static');
    const n = summary(phases, 'notice');
    const ratio = s.requestsPerSecond > 0 ? n.requestsPerSecond / s.requestsPerSecond : 0;
    const failed = phases.reduce((sum, p) => sum + failures(p), 0);
    const verdict = ratio >= GOAL ? 'PASS' : 'BELOW';

    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({
          benchmark: 'notice',
          machine,
          database: database.kind,
          processings: opts.processings,
          pageBytes: page.length,
          connections: opts.connections,
          durationSeconds: opts.duration,
          warmupSeconds: opts.warmup,
          rounds: opts.rounds,
          urls,
          static: s,
          notice: n,
          ratio,
          goal: GOAL,
          verdict,
          failedRequests: failed,
          phases,
        })}\n`,
      );
    } else {
      say();
      say(`over the ${opts.rounds} measured round(s) of ${opts.duration} s each (p50/p99: the worst round):`);
      say(`${''.padEnd(20)}${'req/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'MB/s'.padStart(9)}${'bytes/resp'.padStart(12)}${'server'.padStart(8)}`);
      const row = (name: string, x: ReturnType<typeof summary>) =>
        say(
          `${name.padEnd(20)}${num(x.requestsPerSecond, 1).padStart(9)}${num(x.p50Ms).padStart(8)}${num(x.p99Ms).padStart(8)}${mb(x.bytesPerSecond).padStart(9)}${num(x.bytesPerResponse).padStart(12)}${`${num(x.serverLoopUtilization * 100)} %`.padStart(8)}`,
        );
      row('static (baseline)', s);
      row('notice', n);
      say();
      say(`ratio notice/static: ${num(ratio, 2)} (goal ≥ ${GOAL}) ${verdict}`);
      say('server: share of the time the server\'s event loop was busy (near 100 %: the server is the bottleneck, not the client)');
      say(`load average after the run: ${os.loadavg()[0]!.toFixed(2)}`);
      if (failed > 0) say(`FAILED: ${failed} request(s) did not get a 200`);
    }
    return failed > 0 ? 1 : 0;
  } finally {
    bar.clear();
    await app?.close();
    await database?.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark('notice', main);
