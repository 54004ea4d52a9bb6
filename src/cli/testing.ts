/** Running the real `bastide` program in tests: each call is a fresh Node process (about 5 s), so tests keep them few. */
import { spawnSync } from 'node:child_process';
import { openDatabase, type Database } from '../db/database.ts';

export const BIN = new URL('../../bin/bastide.js', import.meta.url).pathname;

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

/** The environment of a spawned `bastide`: this one, quieter, with DATABASE_URL only when asked. */
export function cliEnv(databaseUrl?: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  delete env['DATABASE_URL'];
  if (databaseUrl) env['DATABASE_URL'] = databaseUrl;
  return env;
}

export function bastide(args: string[], options: CliOptions = {}): CliRun {
  const env = cliEnv(options.databaseUrl, options.env);
  const all = options.dataDir && !options.databaseUrl ? ['--data-dir', options.dataDir, ...args] : args;
  const r = spawnSync(process.execPath, [BIN, ...all], { encoding: 'utf8', env, timeout: 60_000, ...(options.input !== undefined ? { input: options.input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Opens, in this process, the database the spawned commands use, between two of them (the embedded folder admits one process). */
export async function withDatabaseAt<T>(databaseUrl: string | undefined, dataDir: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir, command: 'test' });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
