/** What every command shares: global options, the database, and how results and errors are printed. */
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { openDatabase, targetFromConfig, type Database } from '../db/database.ts';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** A failure the user can act on: printed as one plain line on stderr, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function configFor(command: Command, overrides: { port?: number } = {}): Config {
  return loadConfig(process.env, { dataDir: globalOptions(command).dataDir, ...overrides });
}

/** Opens the database for one command and always closes it, so the data folder is unlocked. */
export async function withDatabase<T>(command: Command, fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = configFor(command);
  const database = await openDatabase(targetFromConfig(config, `bastide ${command.parent?.name() ?? ''} ${command.name()}`.trim()));
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Turns any thrown error into a message and an exit code; only unexpected ones show a stack. */
export function reportError(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`erreur : ${error.message}\n`);
    return 3;
  }
  if (error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED') {
    process.stderr.write(`erreur : impossible de joindre le serveur PostgreSQL de DATABASE_URL (${error.message})\n`);
    return 3;
  }
  process.stderr.write(`erreur inattendue : ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
