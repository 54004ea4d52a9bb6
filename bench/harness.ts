/**
 * What the HTTP benchmarks share (bench/notice.ts, bench/submit.ts, bench/hits.ts): the
 * progress line, autocannon in a worker thread, per-phase figures and their
 * summary, the description of the machine, number formatting.
 */
import autocannon from 'autocannon';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';

export interface Phase<T extends string = string> {
  target: T;
  warmup: boolean;
  round: number;
  seconds: number;
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p99: number; max: number };
  bytesPerSecond: number;
  bytes: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Share of the time the server's event loop was busy (1 = the server is the bottleneck). */
  serverLoopUtilization: number;
}

/** Progress on the terminal (stderr) only: never with --json, never when piped. */
export function progress(enabled: boolean) {
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (!timer) return;
    clearInterval(timer);
    timer = undefined;
    process.stderr.write('\r\x1b[K');
  };
  return {
    start(label: string, seconds: number, step: number, steps: number) {
      if (!enabled) return;
      const started = Date.now();
      const draw = () => {
        const elapsed = Math.min(seconds, Math.floor((Date.now() - started) / 1000));
        process.stderr.write(`\r\x1b[K[${step}/${steps}] ${label}: ${elapsed}/${seconds} s`);
      };
      draw();
      timer = setInterval(draw, 500);
    },
    clear,
  };
}

/** autocannon with one worker thread: the load generator runs beside the server's event loop, not on it. */
export async function hammer(options: Omit<autocannon.Options, 'workers'>): Promise<autocannon.Result> {
  return autocannon({ ...options, workers: 1 });
}

export function phaseOf<T extends string>(target: T, warmup: boolean, round: number, r: autocannon.Result, elu: number): Phase<T> {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    target,
    warmup,
    round,
    seconds: r.duration,
    requestsPerSecond: r.requests.average,
    requests: r.requests.total,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    bytesPerSecond: r.throughput.average,
    bytes: r.throughput.total,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
    serverLoopUtilization: elu,
  };
}

/** The measured phases of one target together: means of the per-phase figures, worst latencies. */
export function summary<T extends string>(phases: Phase<T>[], target: T) {
  const measured = phases.filter((p) => p.target === target && !p.warmup);
  const mean = (f: (p: Phase<T>) => number) => measured.reduce((s, p) => s + f(p), 0) / measured.length;
  const requests = measured.reduce((s, p) => s + p.requests, 0);
  const bytes = measured.reduce((s, p) => s + p.bytes, 0);
  return {
    /** autocannon's "Req/Sec" average, averaged over the measured phases (all of the same duration). */
    requestsPerSecond: mean((p) => p.requestsPerSecond),
    requests,
    p50Ms: Math.max(...measured.map((p) => p.latencyMs.p50)),
    p99Ms: Math.max(...measured.map((p) => p.latencyMs.p99)),
    bytesPerSecond: mean((p) => p.bytesPerSecond),
    bytesPerResponse: requests > 0 ? Math.round(bytes / requests) : 0,
    serverLoopUtilization: mean((p) => p.serverLoopUtilization),
  };
}

export function machineInfo() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    /** 1-minute load average before the run: other work on the machine skews both sides. */
    loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

/**
 * Where a benchmark writes: `say` prints a report line on stdout (nothing with --json, whose only output
 * is the JSON), `note` redraws one status line on a terminal's stderr (nothing when piped).
 */
export function output(json: boolean) {
  const tty = !json && Boolean(process.stderr.isTTY);
  return {
    say(line = '') {
      if (!json) process.stdout.write(`${line}\n`);
    },
    note(text: string) {
      if (tty) process.stderr.write(`\r\x1b[K${text}`);
    },
  };
}

/** Percentiles of timing samples, in the samples' unit. */
export function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export const num = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mb = (bytes: number) => num(bytes / 1e6, 1);

/** The options every benchmark takes, and the parsing and checking they share. */
export interface CommonOptions {
  json: boolean;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
}

type ExtraOptions = Record<string, { type: 'string' | 'boolean'; default: string | boolean }>;

/**
 * Parses argv with these options and `--help`, which prints `usage`; a bad
 * value exits 2 with the usage. `int` checks a whole number in range.
 */
export function parseBenchArgs(usage: string, options: ExtraOptions) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  if (values['help']) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const int = (name: string, min: number, max: number): number => {
    const text = String(values[name]);
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`--${name}: an integer from ${min} to ${max}, not « ${text} »\n${usage}\n`);
      process.exit(2);
    }
    return n;
  };
  return { values, int };
}

/** The HTTP benchmarks' common options (load phases, connections) plus `extra`. */
export function benchArgs(usage: string, extra: ExtraOptions) {
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    ...extra,
  });
  const common: CommonOptions = {
    json: values['json'] === true,
    duration: int('duration', 1, 600),
    warmup: int('warmup', 0, 600),
    rounds: int('rounds', 1, 20),
    connections: int('connections', 1, 1000),
  };
  return { values, int, common };
}

/** Runs a benchmark's main: its exit code, or 1 with the error on stderr (and as the one JSON object with --json). */
export function runBenchmark(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`bench/${name}.ts: ${message}\n`);
      // With --json the caller reads stdout: it still gets its one object.
      if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ benchmark: name, error: message })}\n`);
      process.exit(1);
    },
  );
}

/** CPU time (ms) of this process's main thread, from /proc (Linux); undefined elsewhere. */
export async function mainThreadCpu(): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Per key, how much more `after` counts than `before` (keys that did not grow are left out). */
export function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) if (n - (before[k] ?? 0) > 0) out[k] = n - (before[k] ?? 0);
  return out;
}

/** The whole machine's busy and total CPU time so far (ms), to turn two readings into a share. */
export function machineCpuTimes() {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

export /** CPU time (ms) of each PostgreSQL process, from /proc (Linux); empty elsewhere. */
async function postgresCpu(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') return;
        const fields = stat.slice(close + 2).split(' ');
        // utime and stime (fields 14 and 15 of the file), in clock ticks of 10 ms.
        out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * 10);
      } catch {
        // The process ended meanwhile.
      }
    }),
  );
  return out;
}

/** Polls `done` every 20 ms; false if it is still not true after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
