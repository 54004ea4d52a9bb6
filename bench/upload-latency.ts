/**
 * Latency of everything else while large files are uploaded
 * (`npm run bench:upload`).
 *
 * Goal (the issue): no upload or large write holds the server's event loop
 * for more than 100 ms. In embedded mode a 5 MB upload used to stall the
 * whole server for seconds, static files and /healthz included; PGlite now
 * runs in a thread of its own and uploads cross the driver as hex.
 *
 * The server is the real one, in this thread: openDatabase (PGlite in a
 * fresh temporary data folder, or the PostgreSQL server of DATABASE_URL in a
 * fresh schema dropped at the end), the demo commune's register
 * (examples/val-fleuri.yaml), buildApp with the logger off, the submissions
 * rate limit out of reach, receipts dropped. Two worker threads, so that
 * their work does not count against the server's event loop:
 *
 * - the uploader sends rounds of three concurrent JSON submissions to
 *   POST /api/v1/val-fleuri/forms/postuler/submissions, each with a CV of
 *   4.9 MB (a PDF header, then random bytes that nothing compresses) as
 *   `{filename, contentBase64}`: 6.5 MB of JSON each, encoded once in the
 *   worker;
 * - the prober requests /healthz and the stylesheet a page links
 *   (/assets/bastide.<hash>.css) every 20 ms, without waiting for the
 *   previous answers, and times each one.
 *
 * Phases alternate: idle (probes only: the baseline), then one round of
 * three uploads (from the first request sent to the last answer), then a
 * short settle so that no probe of one phase is counted in the next. A probe
 * belongs to the phase in which it was sent. In the server thread,
 * perf_hooks.monitorEventLoopDelay (resolution 5 ms: an idle loop reads
 * about 5 ms) is started afresh for each phase; its max is the longest time
 * the loop was held. The first round is a warm-up, not counted.
 *
 *   node --import tsx bench/upload-latency.ts [--json] [--rounds 5]
 *
 * Progress on stderr on a terminal only; with --json nothing but one JSON
 * object on stdout. Exit status: 0 whatever the figures (a measurement, not
 * a test); 1 if an upload did not answer 201, a probe did not answer 200,
 * the stored uploads do not match, or the set-up failed; 2 on a bad option.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { machineInfo, mainThreadCpu, num, output, parseBenchArgs, progress, runBenchmark } from './harness.ts';

const GOAL_MS = 100;
const TENANT = 'val-fleuri';
const FORM = 'postuler';
const CONCURRENT_UPLOADS = 3;
/** The CV: a PDF header, random bytes, the PDF trailer; under the form's 5,000,000-byte limit. */
const PDF_HEAD = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
const PDF_TAIL = Buffer.from('\n%%EOF\n', 'latin1');
const RANDOM_BYTES = 4_900_000;
const PROBE_INTERVAL_MS = 20;
const IDLE_MS = 2_000;
const SETTLE_MS = 500;
const LOOP_RESOLUTION_MS = 5;
const SUBMISSIONS_PER_MINUTE = 1_000_000_000;
const REGISTER = new URL('../examples/val-fleuri.yaml', import.meta.url);
const REQUEST_TIMEOUT_MS = 120_000;

type ProbeTarget = 'healthz' | 'static';

interface Sample {
  target: ProbeTarget;
  /** Index of the phase in which the probe was sent (undefined: between phases, not counted). */
  phase: number | undefined;
  ms: number;
  status: number;
  error?: string;
}

interface UploadResult {
  status: number;
  ms: number;
  bytes: number;
  error?: string;
  /** The start of the answer when it was not a 201. */
  answer?: string;
}

type ToProber = { type: 'phase'; phase: number | undefined } | { type: 'collect'; phase: number } | { type: 'stop' };
type FromProber = { type: 'ready' } | { type: 'samples'; phase: number | 'all'; samples: Sample[] };
type ToUploader = { type: 'round' } | { type: 'stop' };
type FromUploader = { type: 'ready'; bodyBytes: number[]; fileBytes: number } | { type: 'round-done'; uploads: UploadResult[] };

interface ProberData {
  role: 'prober';
  urls: Record<ProbeTarget, string>;
}
interface UploaderData {
  role: 'uploader';
  url: string;
}

/** One HTTP request on its own: status, time to the last byte, and the start of the body. */
function request(agent: http.Agent, url: string, method: 'GET' | 'POST', body?: Buffer): Promise<{ status: number; ms: number; head: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url,
      {
        method,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < 2_000) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, head: Buffer.concat(chunks).toString('utf8').slice(0, 2_000) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// --- The prober's thread ---------------------------------------------------------------

function prober(data: ProberData): void {
  const port = parentPort!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const samples: Sample[] = [];
  /** Probes not answered yet, with the phase they were sent in. */
  const inFlight = new Map<Promise<void>, number | undefined>();
  let phase: number | undefined;
  let stopping = false;

  const probe = (target: ProbeTarget) => {
    const tag = phase;
    const p = request(agent, data.urls[target], 'GET').then(
      (r) => void samples.push({ target, phase: tag, ms: r.ms, status: r.status }),
      (e: unknown) => void samples.push({ target, phase: tag, ms: Number.NaN, status: 0, error: e instanceof Error ? e.message : String(e) }),
    );
    inFlight.set(p, tag);
    void p.finally(() => inFlight.delete(p));
  };

  // Every 20 ms from the start, whatever the answers: a slow answer never delays the next probe.
  const origin = performance.now();
  let tick = 0;
  const schedule = () => {
    if (stopping) return;
    tick++;
    setTimeout(() => {
      probe('healthz');
      probe('static');
      schedule();
    }, Math.max(0, origin + tick * PROBE_INTERVAL_MS - performance.now()));
  };

  port.on('message', (m: ToProber) => {
    if (m.type === 'phase') phase = m.phase;
    else if (m.type === 'collect') {
      // Once every probe sent during that phase has its answer.
      const pending = [...inFlight].filter(([, tag]) => tag === m.phase).map(([p]) => p);
      void Promise.all(pending).then(() =>
        port.postMessage({ type: 'samples', phase: m.phase, samples: samples.filter((x) => x.phase === m.phase) } satisfies FromProber),
      );
    } else {
      stopping = true;
      void Promise.all([...inFlight.keys()]).then(() => {
        agent.destroy();
        port.postMessage({ type: 'samples', phase: 'all', samples } satisfies FromProber);
        port.close();
      });
    }
  });
  schedule();
  port.postMessage({ type: 'ready' } satisfies FromProber);
}

// --- The uploader's thread -------------------------------------------------------------

async function uploader(data: UploaderData): Promise<void> {
  const port = parentPort!;
  const { applicationData } = await import('../src/records/testing.ts');
  // Three different files, encoded once here: the JSON encoding is not the server's work.
  const bodies = Array.from({ length: CONCURRENT_UPLOADS }, (_, i) => {
    const cv = Buffer.concat([PDF_HEAD, randomBytes(RANDOM_BYTES), PDF_TAIL]);
    return Buffer.from(JSON.stringify({ data: applicationData({ filename: `cv-${i + 1}.pdf`, bytes: cv }) }));
  });
  const fileBytes = PDF_HEAD.length + RANDOM_BYTES + PDF_TAIL.length;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  port.on('message', (m: ToUploader) => {
    if (m.type === 'stop') {
      agent.destroy();
      port.close();
      return;
    }
    void Promise.all(
      bodies.map((body) =>
        request(agent, data.url, 'POST', body).then(
          (r): UploadResult => ({ status: r.status, ms: r.ms, bytes: body.length, ...(r.status === 201 ? {} : { answer: r.head }) }),
          (e: unknown): UploadResult => ({ status: 0, ms: Number.NaN, bytes: body.length, error: e instanceof Error ? e.message : String(e) }),
        ),
      ),
    ).then((uploads) => port.postMessage({ type: 'round-done', uploads } satisfies FromUploader));
  });
  port.postMessage({ type: 'ready', bodyBytes: bodies.map((b) => b.length), fileBytes } satisfies FromUploader);
}

// --- The server's thread ---------------------------------------------------------------

/** A worker running this very file under tsx (Node 20 does not pass tsx's loader on to workers). */
function startWorker(data: ProberData | UploaderData): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

function nextMessage<T>(worker: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      cleanup();
      resolve(m as T);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`a benchmark thread stopped (exit ${code}) before sending « ${type} »`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

interface Options {
  json: boolean;
  rounds: number;
}

function options(): Options {
  const usage = 'usage: node --import tsx bench/upload-latency.ts [--json] [--rounds n]';
  const { values, int } = parseBenchArgs(usage, { json: { type: 'boolean', default: false }, rounds: { type: 'string', default: '5' } });
  return { json: values['json'] === true, rounds: int('rounds', 1, 50) };
}

type PhaseKind = 'idle' | 'upload';

interface Stats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

interface Phase {
  kind: PhaseKind;
  warmup: boolean;
  round: number;
  ms: number;
  /** monitorEventLoopDelay in the server thread during the phase, in ms (resolution included). */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Share of the time the server's event loop was busy. */
  loopUtilization: number;
  /** CPU time of the server's thread during the phase (10 ms ticks, from /proc). */
  serverCpuMs: number | undefined;
  probes: Record<ProbeTarget, Stats>;
  uploads?: UploadResult[];
}

/** Nearest-rank percentiles of the probes' times. */
function stats(values: number[]): Stats {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]! };
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms1 = (x: number) => (Number.isFinite(x) ? num(x, 1) : '–');

async function main(): Promise<number> {
  const opts = options();
  const { say } = output(opts.json);
  const bar = progress(!opts.json && Boolean(process.stderr.isTTY));

  // The server's modules are loaded here only: the workers import this file too, and need none of them.
  const [{ openDatabase }, { withPrincipal }, { formatProblem }, { loadRegister }, { buildApp }, { createAppContext }, { testKeyring }, { mailerFromSend }, { default: pg }] = await Promise.all([
    import('../src/db/database.ts'),
    import('../src/db/principal.ts'),
    import('../src/register/problem.ts'),
    import('../src/register/register-loader.ts'),
    import('../src/server/app.ts'),
    import('../src/server/app-context.ts'),
    import('../src/server/testing.ts'),
    import('../src/mail/mailer.ts'),
    import('pg'),
  ]);

  const databaseUrl = process.env['DATABASE_URL'] || undefined;
  const tmp = await mkdtemp(join(os.tmpdir(), 'bastide-bench-upload-'));
  const schema = `bench_upload_${randomBytes(6).toString('hex')}`;
  const admin = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined;
  let schemaCreated = false;
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const workers: Worker[] = [];
  try {
    if (admin && databaseUrl) {
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemaCreated = true;
      // The pool `bastide serve` uses (10).
      database = await openDatabase({ kind: 'postgres', url: databaseUrl, schema });
    } else {
      // A real data folder, as `bastide serve` uses: PGlite writes its files there.
      database = await openDatabase({ kind: 'pglite', dataDir: join(tmp, 'data'), command: 'bench' });
    }
    const loaded = await loadRegister(database.db, new Uint8Array(await readFile(REGISTER)), 'bench');
    if (!loaded.ok) throw new Error(`examples/val-fleuri.yaml is invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);
    if (loaded.tenantId !== TENANT) throw new Error(`examples/val-fleuri.yaml is the tenant ${loaded.tenantId}, not ${TENANT}`);

    const ctx = createAppContext({
      database,
      keyring: testKeyring(),
      config: { publicUrl: undefined, submissionsPerMinute: SUBMISSIONS_PER_MINUTE, smtpUrl: undefined, mailFrom: 'Bastide <bench@localhost>' },
      outboxDir: join(tmp, 'outbox'),
      logger: { warn: () => {}, error: () => {} },
      // Receipts dropped: this measures the uploads, not the mail.
      mailer: mailerFromSend(async () => {}),
    });
    app = await buildApp(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no port');
    const base = `http://127.0.0.1:${address.port}`;

    // The stylesheet a page links, as a browser would find it.
    const page = await fetch(`${base}/${TENANT}/donnees-personnelles`);
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(await page.text())?.[1];
    if (page.status !== 200 || !css) throw new Error(`/${TENANT}/donnees-personnelles: status ${page.status}, no stylesheet linked`);
    const probeUrls: Record<ProbeTarget, string> = { healthz: `${base}/healthz`, static: `${base}${css}` };
    for (const [t, url] of Object.entries(probeUrls)) {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${url} (${t}): status ${r.status}, expected 200`);
    }
    const uploadUrl = `${base}/api/v1/${TENANT}/forms/${FORM}/submissions`;

    const prober = startWorker({ role: 'prober', urls: probeUrls });
    const uploader = startWorker({ role: 'uploader', url: uploadUrl });
    workers.push(prober, uploader);
    const [, ready] = await Promise.all([nextMessage<FromProber>(prober, 'ready'), nextMessage<Extract<FromUploader, { type: 'ready' }>>(uploader, 'ready')]);
    const setPhase = (phase: number | undefined) => prober.postMessage({ type: 'phase', phase } satisfies ToProber);

    const machine = machineInfo();
    say('Bastide — latency during uploads (bench/upload-latency.ts)');
    say(
      `uploads: rounds of ${CONCURRENT_UPLOADS} concurrent POST ${uploadUrl.replace(base, '')}, a CV of ${num(ready.fileBytes)} bytes (PDF header, random bytes) each, JSON bodies of ${ready.bodyBytes.map((b) => num(b)).join(', ')} bytes`,
    );
    say(`probes: GET /healthz and GET ${css} every ${PROBE_INTERVAL_MS} ms each, not waiting for answers`);
    say(
      `database: ${database.kind === 'postgres' ? `PostgreSQL ${new URL(databaseUrl!).host}${new URL(databaseUrl!).pathname}, schema ${schema} (dropped at the end), pool of 10` : `PGlite in a worker thread, data folder ${join(tmp, 'data')}`}`,
    );
    say(`server: this thread (buildApp, logger off, receipts dropped); uploader and prober: two worker threads; event-loop delay: monitorEventLoopDelay, resolution ${LOOP_RESOLUTION_MS} ms`);
    say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage}; ${machine.date}`);
    if (machine.loadAverage >= machine.cpus) say(`warning: the machine is already busy (load ${machine.loadAverage} for ${machine.cpus} CPUs); figures will be noisy`);

    const plan: Array<{ kind: PhaseKind; warmup: boolean; round: number }> = [];
    for (let round = 0; round <= opts.rounds; round++) for (const kind of ['idle', 'upload'] as const) plan.push({ kind, warmup: round === 0, round });
    say(`plan: a warm-up round, then ${opts.rounds} round(s) of ${IDLE_MS / 1000} s idle and ${CONCURRENT_UPLOADS} uploads`);
    say();
    const header = `${'phase'.padEnd(16)}${'ms'.padStart(7)}${'loop max'.padStart(10)}${'loop p99'.padStart(10)}${'busy'.padStart(7)}${'cpu ms'.padStart(8)}${'healthz p50/p99/max'.padStart(26)}${'static p50/p99/max'.padStart(26)}  uploads`;
    say(header);

    const phases: Phase[] = [];
    const samples: Sample[] = [];
    const three = (x: Stats) => `${ms1(x.p50)}/${ms1(x.p99)}/${ms1(x.max)}`;
    for (const [i, step] of plan.entries()) {
      const label = `${step.warmup ? 'warm-up ' : ''}${step.kind}${step.warmup ? '' : ` ${step.round}`}`;
      // An upload round has no set length: the bar counts up to the requests' timeout.
      bar.start(label, (step.kind === 'idle' ? IDLE_MS : REQUEST_TIMEOUT_MS) / 1000, i + 1, plan.length);
      setPhase(i);
      const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
      loop.enable();
      const cpuBefore = await mainThreadCpu();
      const eluBefore = performance.eventLoopUtilization();
      const started = performance.now();
      let uploads: UploadResult[] | undefined;
      if (step.kind === 'idle') await sleep(IDLE_MS);
      else {
        const done = nextMessage<Extract<FromUploader, { type: 'round-done' }>>(uploader, 'round-done');
        uploader.postMessage({ type: 'round' } satisfies ToUploader);
        uploads = (await done).uploads;
      }
      const elapsed = performance.now() - started;
      const elu = performance.eventLoopUtilization(eluBefore).utilization;
      loop.disable();
      const cpuAfter = await mainThreadCpu();
      setPhase(undefined);
      // The probes sent during the phase, once all have their answer; and a pause before the next phase.
      const collected = nextMessage<Extract<FromProber, { type: 'samples' }>>(prober, 'samples');
      prober.postMessage({ type: 'collect', phase: i } satisfies ToProber);
      const [mine] = await Promise.all([collected.then((m) => m.samples), sleep(SETTLE_MS)]);
      samples.push(...mine);
      bar.clear();
      const ok = (t: ProbeTarget) => mine.filter((x) => x.target === t && x.status === 200).map((x) => x.ms);
      const p: Phase = {
        kind: step.kind,
        warmup: step.warmup,
        round: step.round,
        ms: elapsed,
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        loopUtilization: elu,
        serverCpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
        probes: { healthz: stats(ok('healthz')), static: stats(ok('static')) },
        ...(uploads ? { uploads } : {}),
      };
      phases.push(p);
      const ups = p.uploads ? p.uploads.map((u) => (u.status === 201 ? `201 ${num(u.ms)} ms` : `${u.status || u.error} ${Number.isFinite(u.ms) ? `${num(u.ms)} ms` : ''}`)).join(', ') : '';
      say(
        `${label.padEnd(16)}${num(p.ms).padStart(7)}${ms1(p.loopDelayMs.max).padStart(10)}${ms1(p.loopDelayMs.p99).padStart(10)}${`${num(p.loopUtilization * 100)} %`.padStart(7)}${(p.serverCpuMs === undefined ? '?' : num(p.serverCpuMs)).padStart(8)}${three(p.probes.healthz).padStart(26)}${three(p.probes.static).padStart(26)}  ${ups}`,
      );
    }
    const stopped = nextMessage<Extract<FromProber, { type: 'samples' }>>(prober, 'samples');
    prober.postMessage({ type: 'stop' } satisfies ToProber);
    uploader.postMessage({ type: 'stop' } satisfies ToUploader);
    // Probes sent between phases are not counted, but their failures are.
    const between = (await stopped).samples.filter((x) => x.phase === undefined);

    // Over the measured rounds: probes of all the phases of a kind together; the loop's worst phase.
    const measured = (kind: PhaseKind) => new Set(phases.flatMap((p, i) => (p.kind === kind && !p.warmup ? [i] : [])));
    const summarize = (kind: PhaseKind) => {
      const ids = measured(kind);
      const ps = phases.filter((_, i) => ids.has(i));
      const cpuKnown = ps.every((p) => p.serverCpuMs !== undefined);
      return {
        phases: ps.length,
        ms: ps.reduce((s, p) => s + p.ms, 0) / ps.length,
        probes: {
          healthz: stats(samples.filter((s) => s.phase !== undefined && ids.has(s.phase) && s.target === 'healthz' && s.status === 200).map((s) => s.ms)),
          static: stats(samples.filter((s) => s.phase !== undefined && ids.has(s.phase) && s.target === 'static' && s.status === 200).map((s) => s.ms)),
        },
        loopDelayMs: { max: Math.max(...ps.map((p) => p.loopDelayMs.max)), p99: Math.max(...ps.map((p) => p.loopDelayMs.p99)) },
        loopUtilization: ps.reduce((s, p) => s + p.loopUtilization, 0) / ps.length,
        serverCpuMs: cpuKnown ? ps.reduce((s, p) => s + p.serverCpuMs!, 0) / ps.length : undefined,
      };
    };
    const idle = summarize('idle');
    const upload = summarize('upload');
    // The server thread's CPU per upload, less what the probes cost it in the idle phases (per ms).
    const serverCpuPerUploadMs =
      upload.serverCpuMs !== undefined && idle.serverCpuMs !== undefined ? (upload.serverCpuMs - (idle.serverCpuMs / idle.ms) * upload.ms) / CONCURRENT_UPLOADS : undefined;
    const uploadResults = phases.flatMap((p) => p.uploads ?? []);
    const measuredUploads = phases.filter((p) => !p.warmup).flatMap((p) => p.uploads ?? []);
    const uploadMs = stats(measuredUploads.map((u) => u.ms));
    const ratio = (t: ProbeTarget, q: 'p50' | 'p99' | 'max') => upload.probes[t][q] / idle.probes[t][q];
    const ratios = {
      healthz: { p50: ratio('healthz', 'p50'), p99: ratio('healthz', 'p99'), max: ratio('healthz', 'max') },
      static: { p50: ratio('static', 'p50'), p99: ratio('static', 'p99'), max: ratio('static', 'max') },
    };
    const verdict = (value: number) => (value < GOAL_MS ? 'PASS' : 'OVER');
    const goals = {
      loopMaxMs: { goal: GOAL_MS, value: upload.loopDelayMs.max, verdict: verdict(upload.loopDelayMs.max) },
      staticMaxMs: { goal: GOAL_MS, value: upload.probes.static.max, verdict: verdict(upload.probes.static.max) },
      healthzMaxMs: { goal: GOAL_MS, value: upload.probes.healthz.max, verdict: verdict(upload.probes.healthz.max) },
    };

    // Every upload answered 201, every probe 200, and every 201 is a stored file of the right size.
    const notCreated = uploadResults.filter((u) => u.status !== 201);
    const failedProbes = [...samples, ...between].filter((s) => s.status !== 200);
    const stored = await withPrincipal(database.db, { kind: 'system', tenantId: TENANT }, async (trx) => {
      const row = await trx
        .selectFrom('uploads')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('size').as('bytes')])
        .where('field', '=', 'cv')
        .executeTakeFirstOrThrow();
      return { uploads: Number(row.n), bytes: Number(row.bytes ?? 0) };
    });
    const created = uploadResults.length - notCreated.length;
    const storageOk = stored.uploads === created && stored.bytes === created * ready.fileBytes;
    const failed = notCreated.length > 0 || failedProbes.length > 0 || !storageOk;
    const loadAverageAfter = Number(os.loadavg()[0]!.toFixed(2));

    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({
          benchmark: 'upload-latency',
          machine,
          loadAverageAfter,
          database: { kind: database.kind, ...(database.kind === 'postgres' ? { schema, pool: 10 } : {}) },
          form: `${TENANT}/${FORM}`,
          concurrentUploads: CONCURRENT_UPLOADS,
          fileBytes: ready.fileBytes,
          bodyBytes: ready.bodyBytes,
          probeIntervalMs: PROBE_INTERVAL_MS,
          idleMs: IDLE_MS,
          loopResolutionMs: LOOP_RESOLUTION_MS,
          rounds: opts.rounds,
          urls: { upload: uploadUrl, ...probeUrls },
          idle,
          upload,
          uploadMs,
          serverCpuPerUploadMs,
          ratios,
          goals,
          stored,
          storageOk,
          notCreated,
          failedProbes: failedProbes.length,
          failed,
          phases,
        })}\n`,
      );
    } else {
      say();
      say(`over the ${opts.rounds} measured round(s) (probes: all those sent during the phases of a kind; loop: the worst phase):`);
      say(`${''.padEnd(22)}${'healthz p50/p99/max'.padStart(26)}${'static p50/p99/max'.padStart(26)}${'loop max'.padStart(10)}${'loop p99'.padStart(10)}${'busy'.padStart(7)}${'cpu ms'.padStart(8)}`);
      const row = (name: string, x: typeof idle) =>
        say(
          `${name.padEnd(22)}${`${ms1(x.probes.healthz.p50)}/${ms1(x.probes.healthz.p99)}/${ms1(x.probes.healthz.max)}`.padStart(26)}${`${ms1(x.probes.static.p50)}/${ms1(x.probes.static.p99)}/${ms1(x.probes.static.max)}`.padStart(26)}${ms1(x.loopDelayMs.max).padStart(10)}${ms1(x.loopDelayMs.p99).padStart(10)}${`${num(x.loopUtilization * 100)} %`.padStart(7)}${(x.serverCpuMs === undefined ? '?' : num(x.serverCpuMs)).padStart(8)}`,
        );
      row('idle (baseline)', idle);
      row(`${CONCURRENT_UPLOADS} uploads in flight`, upload);
      say(`${'ratio uploads/idle'.padEnd(22)}${`${num(ratios.healthz.p50, 1)}/${num(ratios.healthz.p99, 1)}/${num(ratios.healthz.max, 1)}`.padStart(26)}${`${num(ratios.static.p50, 1)}/${num(ratios.static.p99, 1)}/${num(ratios.static.max, 1)}`.padStart(26)}`);
      say(`(probes: ${num(idle.probes.healthz.count)} + ${num(idle.probes.static.count)} idle, ${num(upload.probes.healthz.count)} + ${num(upload.probes.static.count)} during uploads; upload phases last ${num(upload.ms)} ms on average)`);
      say();
      say(`uploads: ${measuredUploads.length} measured, each ${num(uploadMs.p50)} ms at the median, ${num(uploadMs.max)} ms at most (request sent to answer received, ${CONCURRENT_UPLOADS} at a time)`);
      if (serverCpuPerUploadMs !== undefined)
        say(
          `server thread CPU: ${num(upload.serverCpuMs!)} ms per round of ${CONCURRENT_UPLOADS} uploads, ${num(idle.serverCpuMs!)} ms per idle phase (the probes): ≈ ${num(serverCpuPerUploadMs)} ms per upload`,
        );
      say(`event loop held at most ${ms1(upload.loopDelayMs.max)} ms during uploads (idle: ${ms1(idle.loopDelayMs.max)} ms; goal < ${GOAL_MS} ms) ${goals.loopMaxMs.verdict}`);
      say(`static file: at most ${ms1(upload.probes.static.max)} ms during uploads (idle: ${ms1(idle.probes.static.max)} ms; goal < ${GOAL_MS} ms) ${goals.staticMaxMs.verdict}`);
      say(`/healthz: at most ${ms1(upload.probes.healthz.max)} ms during uploads (idle: ${ms1(idle.probes.healthz.max)} ms; goal < ${GOAL_MS} ms) ${goals.healthzMaxMs.verdict}`);
      say();
      say(`stored: ${num(stored.uploads)} CVs (${num(stored.bytes)} bytes) for ${num(created)} 201s ${storageOk ? 'OK' : 'MISMATCH'}; uploads not 201: ${notCreated.length}; probes not 200: ${failedProbes.length}`);
      for (const u of notCreated.slice(0, 3)) say(`  upload answered ${u.status || u.error}: ${(u.answer ?? '').slice(0, 300)}`);
      say('loop: monitorEventLoopDelay in the server thread (an idle loop reads the 5 ms resolution); busy: share of the time the loop was busy;');
      say('cpu ms: CPU time of the server thread during the phase (10 ms ticks)');
      say(`load average after the run: ${loadAverageAfter}`);
      if (failed) say('FAILED: an upload did not answer 201, a probe did not answer 200, or the stored files do not match');
    }
    return failed ? 1 : 0;
  } finally {
    bar.clear();
    await Promise.all(workers.map((w) => w.terminate()));
    await app?.close();
    await database?.close();
    if (admin) {
      if (schemaCreated) await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
      await admin.end().catch(() => {});
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

if (isMainThread) runBenchmark('upload-latency', main);
else {
  const data = workerData as ProberData | UploaderData;
  if (data.role === 'prober') prober(data);
  else void uploader(data);
}
