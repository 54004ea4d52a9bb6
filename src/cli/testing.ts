/** Running the real `bastide` program in tests: each call is a fresh Node process (about 5 s), so tests keep them few. */
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/bastide.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** PostgreSQL; otherwise the embedded database of `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  input?: string;
  env?: Record<string, string>;
}

export function bastide(args: string[], options: CliOptions = {}): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...options.env };
  delete env['DATABASE_URL'];
  if (options.databaseUrl) env['DATABASE_URL'] = options.databaseUrl;
  const all = options.dataDir && !options.databaseUrl ? ['--data-dir', options.dataDir, ...args] : args;
  const r = spawnSync(process.execPath, [BIN, ...all], { encoding: 'utf8', env, timeout: 60_000, ...(options.input !== undefined ? { input: options.input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
