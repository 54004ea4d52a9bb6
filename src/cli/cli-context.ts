/** What every command shares: global options, the database, and how results and errors are printed. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { loadMasterKeyring, MasterKeyError, type MasterKeyring } from '../crypto/master-keyring.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { openDatabase, targetFromConfig, type Database } from '../db/database.ts';
import { MigrationError } from '../db/migrator.ts';
import { describeSafely } from '../server/safe-error.ts';

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

/** Where the embedded mode keeps its generated master key file, beside the data. */
export function generatedKeyFile(config: Config): string {
  return join(config.dataDir, 'keys', 'master.key');
}

/**
 * The master keyring from BASTIDE_MASTER_KEY or BASTIDE_MASTER_KEY_FILE; in
 * embedded mode, the key file beside the data. `generate` creates that file
 * when it does not exist (first start of the demo); commands that only make
 * sense with existing keys (keys rotate) pass false. Key problems are
 * configuration errors (exit 2), in French.
 */
export function masterKeyringFor(config: Config, options: { generate: boolean }): { keyring: MasterKeyring; generatedFile?: string } {
  const embedded = config.databaseUrl ? undefined : generatedKeyFile(config);
  try {
    const { keyring, generated } = loadMasterKeyring({
      masterKey: config.masterKey,
      masterKeyFile: config.masterKeyFile ?? (options.generate ? undefined : embedded),
      generatedKeyFile: options.generate ? embedded : undefined,
    });
    return generated && embedded ? { keyring, generatedFile: embedded } : { keyring };
  } catch (e) {
    if (e instanceof MasterKeyError) throw new CliError(`erreur : ${e.message}`, 2);
    throw e;
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
  if (error instanceof MigrationError) {
    process.stderr.write(`erreur : ${error.message}\n`);
    return 3;
  }
  if (error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED') {
    process.stderr.write('erreur : impossible de joindre le serveur PostgreSQL de DATABASE_URL\n');
    return 3;
  }
  // Nothing of the error's message: a database error can quote what a citizen typed.
  process.stderr.write(`erreur inattendue : ${describeSafely(error)}\n`);
  return 70;
}
