/**
 * Benchmark of the back-office export (`npm run bench:export`).
 *
 * 200,000 records in one agent's services (bench/seed-records.ts: sealed
 * health data re-sealed per record by the real code), then
 * `GET /{tenant}/back-office/export.csv` and `export.xlsx` over HTTP from a
 * real server, signed in as that agent with a password. Goals (issue 7):
 * at least 20,000 rows/s and a server under 150 MB of resident memory.
 *
 * The server runs in a child process (bench/export-server.ts), so that its
 * resident set, read from /proc/<pid>/status, is its own: the peak is the
 * kernel's high-water mark (VmHWM) after resetting it (/proc/<pid>/clear_refs)
 * just before each download. The client (this process) reads each body and
 * drops it. The baseline, in the same run and the same server, is
 * `GET /bench/ids.csv`: the ids of the same records, read in the same
 * batches of 1,000 under the agent's principal and streamed to the same
 * client. Each round downloads baseline, CSV, XLSX in turn.
 *
 *   node --import tsx bench/export.ts [--json] [--db postgres|pglite]
 *        [--records 200000] [--rounds 2] [--server-prof DIR] [--node-defaults] [--from-source]
 *
 * Database: a fresh schema on DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), or with `--db pglite` PGlite in a
 * temporary folder (its thread then lives in the server process, and its
 * memory counts in the server's resident set); dropped at the end.
 * The server runs as `bastide serve` does: compiled (.build/, scripts/build.js)
 * when that build is current, else from the sources through tsx
 * (`--from-source` always runs the sources), with the Node options of
 * bin/bastide.js's first line, the heap bounds (`--node-defaults`: Node's
 * own limits, set from the machine's memory, about 4 GB here, under which
 * V8 lets garbage pile up long before collecting it).
 * BENCH_SERVER_FLAGS adds Node options to the server's (for example `--trace-gc`).
 * `--server-prof DIR` starts the server with `--cpu-prof` into DIR.
 * BENCH_KEEP=1 keeps the scratch schema (its name on stderr) for EXPLAIN in psql.
 *
 * Exit status: 0 whatever the figures (a measurement, not a test); 1 if a
 * download was not a 200, the CSV did not hold every record, the journal
 * entry of an export did not name every record, or the set-up failed; 2 on
 * a bad option.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { withPrincipal } from '../src/db/principal.ts';
import { signInWithPassword, TestBrowser } from '../src/back-office/testing.ts';
import type { ServerSetup } from './export-server.ts';
import { bastideNodeFlags } from '../scripts/node-flags.js';
import { buildIsCurrent } from '../scripts/sources-stamp.js';
import { machineInfo, mb, num, output, parseBenchArgs, runBenchmark } from './harness.ts';
import { AGENT_EMAIL, AGENT_SERVICES, BENCH_PASSWORD, benchKeyring, commune, scratchDatabase, seedRecords, type BenchDbKind, benchDbKind } from './seed-records.ts';

const GOALS = { rowsPerSecond: 20_000, peakRssMb: 150 };
type Target = 'ids' | 'csv' | 'xlsx';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGETS: Target[] = ['ids', 'csv', 'xlsx'];

interface Options {
  json: boolean;
  db: BenchDbKind;
  records: number;
  rounds: number;
  serverProf: string | undefined;
  nodeDefaults: boolean;
  fromSource: boolean;
}

function options(): Options {
  const usage = 'usage: node --import tsx bench/export.ts [--json] [--db postgres|pglite] [--records n] [--rounds n] [--server-prof dir] [--node-defaults] [--from-source]';
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    db: { type: 'string', default: 'postgres' },
    records: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '2' },
    'server-prof': { type: 'string', default: '' },
    'node-defaults': { type: 'boolean', default: false },
    'from-source': { type: 'boolean', default: false },
  });
  const db = benchDbKind(values['db'], usage);
  const prof = String(values['server-prof']);
  return { json: values['json'] === true, db, records: int('records', 1, 2_000_000), rounds: int('rounds', 1, 20), serverProf: prof === '' ? undefined : prof, nodeDefaults: values['node-defaults'] === true, fromSource: values['from-source'] === true };
}

/** Resident set and its high-water mark of a process, in bytes (Linux). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time (ms) of a whole process, all its threads (PGlite's included), from /proc. */
async function cpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Download {
  target: Target;
  round: number;
  status: number;
  bytes: number;
  /** Lines the client counted (CSV and baseline), header excluded; undefined for XLSX. */
  rows: number | undefined;
  firstByteMs: number;
  totalMs: number;
  rowsPerSecond: number;
  /** The server's resident set just before, and its peak during, the download. */
  rssBeforeBytes: number;
  peakRssBytes: number;
  /** The peak once the first byte arrived: what choosing and journaling the records cost. */
  peakAtFirstByteBytes: number;
  /** CPU of the server process (all threads) per row, in µs. */
  serverCpuPerRowUs: number;
  /** CPU of this client per row, in µs: what the measurement takes from the cores the server shares. */
  clientCpuPerRowUs: number;
  /** For exports: how many records the journal entry names. */
  journaled: number | null | undefined;
}

function get(url: string, cookie: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, { headers: { cookie } }, resolve).on('error', reject));
}

async function download(server: ChildProcess, url: string, cookie: string, target: Target, round: number, expected: number): Promise<Download> {
  const pid = server.pid!;
  // Resets the kernel's high-water mark of the resident set to the current size.
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  const before = await memoryOf(pid);
  const cpu0 = await cpuOf(pid);
  const client0 = process.cpuUsage();
  const started = performance.now();
  // node:http rather than fetch: the client shares two cores with the server and PostgreSQL, and fetch's web streams cost it several times more CPU per byte.
  const response = await get(url, cookie);
  let firstByte = 0;
  let bytes = 0;
  let crlf = 0;
  let lastWasCr = false;
  let peakAtFirstByte = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (bytes === 0) {
      firstByte = performance.now() - started;
      peakAtFirstByte = (await memoryOf(pid)).peak;
    }
    bytes += chunk.length;
    if (target === 'xlsx' || chunk.length === 0) continue;
    // Line ends found by the native search, not byte by byte: the client shares the machine's two cores with the server and PostgreSQL.
    const buf = chunk;
    if (lastWasCr && buf[0] === 10) crlf++;
    for (let i = buf.indexOf(10, 1); i !== -1; i = buf.indexOf(10, i + 1)) if (buf[i - 1] === 13) crlf++;
    lastWasCr = buf[buf.length - 1] === 13;
  }
  const totalMs = performance.now() - started;
  const client = process.cpuUsage(client0);
  const cpu1 = await cpuOf(pid);
  const after = await memoryOf(pid);
  const rows = target === 'xlsx' ? undefined : target === 'csv' ? crlf - 1 : crlf;
  return {
    target,
    round,
    status: response.statusCode ?? 0,
    bytes,
    rows,
    firstByteMs: firstByte,
    totalMs,
    rowsPerSecond: expected / (totalMs / 1000),
    rssBeforeBytes: before.rss,
    peakRssBytes: after.peak,
    peakAtFirstByteBytes: peakAtFirstByte,
    serverCpuPerRowUs: ((cpu1 - cpu0) * 1000) / expected,
    clientCpuPerRowUs: (client.user + client.system) / expected,
    journaled: undefined,
  };
}

async function startServer(setup: ServerSetup, prof: string | undefined, nodeFlags: string[], fromSource: boolean): Promise<{ child: ChildProcess; url: string; compiled: boolean }> {
  // As `bastide serve` runs: the compiled folder when it is current, else the sources through tsx.
  const compiled = !fromSource && buildIsCurrent(ROOT);
  // Said even with --json: figures of the sources through tsx (40 MB more at rest) are not those of `bastide`.
  if (!fromSource && !compiled) process.stderr.write('warning: the compiled build (.build/) is missing or older than a source file, so the server runs the sources through tsx; run `npm run build` first to measure what `bastide` runs\n');
  const execArgv = [...nodeFlags, ...(compiled ? [] : ['--import', 'tsx']), ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])];
  const entry = compiled ? new URL('../.build/bench/export-server.js', import.meta.url) : new URL('./export-server.ts', import.meta.url);
  const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(setup);
  const [message] = (await once(child, 'message')) as [{ url?: string; error?: string }];
  if (!message.url) throw new Error(`the server did not start: ${message.error ?? 'no answer'}`);
  return { child, url: message.url, compiled };
}

async function main(): Promise<number> {
  const opts = options();
  const { say, note } = output(opts.json);
  const machine = machineInfo();
  const scratch = await scratchDatabase(opts.db);
  let child: ChildProcess | undefined;
  try {
    // Set-up in this process, then closed: the server process starts with a database of 200,000 records, not with their making.
    note('migrations…');
    const keyring = benchKeyring();
    const database = await scratch.open();
    let tenantId: string;
    let agentId: string;
    let total: number;
    try {
      const made = await commune(database);
      tenantId = made.loaded.tenantId;
      agentId = made.agentId;
      const t0 = performance.now();
      await seedRecords(database, keyring, made.loaded, agentId, opts.records, (done) => note(`records: ${num(done)}/${num(opts.records)} (${num((performance.now() - t0) / 1000, 1)} s)`));
      const counted = await withPrincipal(database.db, { kind: 'system', tenantId }, (trx) => sql<{ n: string }>`select count(*) as n from records where tenant_id = ${tenantId}`.execute(trx));
      total = Number(counted.rows[0]!.n);
      // The receipts of the few requests submitted for real are not this benchmark's work: the server would start its mail thread for them.
      await database.db.deleteFrom('mail_outbox').execute();
      // The seeding's dirty pages written out now, not by a checkpoint in the middle of a download (PostgreSQL only, and only for a superuser).
      if (opts.db === 'postgres') await sql`checkpoint`.execute(database.db).catch(() => undefined);
    } finally {
      await database.close();
    }

    // The options `bastide` runs with (bin/bastide.js's first line), unless --node-defaults; BENCH_SERVER_FLAGS adds to them.
    const nodeFlags = [...(opts.nodeDefaults ? [] : bastideNodeFlags()), ...(process.env['BENCH_SERVER_FLAGS']?.split(' ').filter(Boolean) ?? [])];
    note('starting the server…');
    const server = await startServer({ target: scratch.target, masterKey: keyring.keys.get('bench')!.toString('base64'), agentId, services: AGENT_SERVICES }, opts.serverProf, nodeFlags, opts.fromSource);
    child = server.child;
    const browser = new TestBrowser(server.url);
    const signedIn = await signInWithPassword(browser, tenantId, AGENT_EMAIL, BENCH_PASSWORD);
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
    const cookie = `bastide_agent=${browser.cookie('bastide_agent')}`;
    const idleRss = (await memoryOf(child.pid!)).rss;

    const urls: Record<Target, string> = {
      ids: `${server.url}/bench/ids.csv?tenant=${tenantId}`,
      csv: `${server.url}/${tenantId}/back-office/export.csv`,
      xlsx: `${server.url}/${tenantId}/back-office/export.xlsx`,
    };
    const downloads: Download[] = [];
    for (let round = 1; round <= opts.rounds; round++)
      for (const target of TARGETS) {
        note(`round ${round}/${opts.rounds}: ${target} of ${num(total)} records…`);
        const d = await download(child, urls[target], cookie, target, round, total);
        if (target !== 'ids') {
          const r = await fetch(`${server.url}/bench/last-export?tenant=${tenantId}`);
          d.journaled = ((await r.json()) as { count: number | null }).count;
        }
        downloads.push(d);
      }
    note('');

    const failures = downloads.flatMap((d) => [
      ...(d.status !== 200 ? [`${d.target} (round ${d.round}) answered ${d.status}`] : []),
      ...(d.rows !== undefined && d.rows !== total ? [`${d.target} (round ${d.round}) held ${d.rows} rows, not ${total}`] : []),
      ...(d.journaled !== undefined && d.journaled !== total ? [`the journal entry of ${d.target} (round ${d.round}) names ${String(d.journaled)} records, not ${total}`] : []),
    ]);
    const of = (t: Target) => downloads.filter((d) => d.target === t);
    const mean = (t: Target) => of(t).reduce((s, d) => s + d.rowsPerSecond, 0) / of(t).length;
    const peak = (t: Target) => Math.max(...of(t).map((d) => d.peakRssBytes));
    const figures = (t: 'csv' | 'xlsx') => {
      const rowsPerSecond = mean(t);
      const peakRssMb = peak(t) / 1e6;
      return {
        rowsPerSecond,
        ratioToBaseline: rowsPerSecond / mean('ids'),
        peakRssMb,
        rate: rowsPerSecond >= GOALS.rowsPerSecond ? 'PASS' : 'BELOW',
        memory: peakRssMb < GOALS.peakRssMb ? 'PASS' : 'OVER',
      };
    };
    const result = {
      benchmark: 'export',
      machine: { ...machine, loadAverageAfter: Number((await import('node:os')).loadavg()[0]!.toFixed(2)) },
      database: opts.db,
      records: total,
      goals: GOALS,
      memoryMeasured: 'server in a child process: VmRSS and VmHWM of /proc/<pid>/status, the peak reset before each download',
      serverRuns: server.compiled ? 'compiled (.build)' : 'sources through tsx',
      serverIdleRssMb: idleRss / 1e6,
      serverNodeFlags: nodeFlags,
      baselineRowsPerSecond: mean('ids'),
      csv: figures('csv'),
      xlsx: figures('xlsx'),
      downloads,
      failures,
    };

    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      say(`export of ${num(total)} records (${opts.db}), ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage} → ${result.machine.loadAverageAfter}`);
      say(`server idle (${server.compiled ? 'compiled, .build/' : 'sources through tsx'}): ${mb(idleRss)} MB resident (child process)${nodeFlags.length > 0 ? `, Node options ${nodeFlags.join(' ')}` : ", Node's default heap limits"}`);
      say('');
      say('| round | download | status | MB sent | first byte | total | rows/s | server RSS before → at first byte → peak | server CPU/row | client CPU/row |');
      say('|---|---|---|---|---|---|---|---|---|---|');
      for (const d of downloads)
        say(`| ${d.round} | ${d.target} | ${d.status} | ${mb(d.bytes)} | ${num(d.firstByteMs)} ms | ${num(d.totalMs / 1000, 2)} s | ${num(d.rowsPerSecond)} | ${mb(d.rssBeforeBytes)} → ${mb(d.peakAtFirstByteBytes)} → ${mb(d.peakRssBytes)} MB | ${num(d.serverCpuPerRowUs, 1)} µs | ${num(d.clientCpuPerRowUs, 1)} µs |`);
      say('');
      say(`baseline (ids, same batches, same client): ${num(result.baselineRowsPerSecond)} rows/s`);
      for (const t of ['csv', 'xlsx'] as const) {
        const f = result[t];
        say(`${t.toUpperCase()}: ${num(f.rowsPerSecond)} rows/s (goal ≥ ${num(GOALS.rowsPerSecond)}: ${f.rate}), ${num(f.ratioToBaseline, 2)} of the baseline; peak RSS ${num(f.peakRssMb, 1)} MB (goal < ${GOALS.peakRssMb}: ${f.memory})`);
      }
      for (const f of failures) say(`FAILED: ${f}`);
    }
    return failures.length > 0 ? 1 : 0;
  } finally {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    }
    await scratch.drop();
  }
}

runBenchmark('export', main);
