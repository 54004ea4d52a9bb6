/** Runs the timestamped migrations of `migrations/` in name order. */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    // .ts from the sources, .js from the compiled folder (scripts/build.js); the name is the same.
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{8}T\d{4}_.+\.[jt]s$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.[jt]s$/, '')] = (await import(pathToFileURL(join(MIGRATIONS_DIR, file)).href)) as Migration;
    }
    return migrations;
  }
}

/** The schema could not be brought up to date; the message names the migration, never data. */
export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    readonly causeMessage: string,
  ) {
    super(`la mise à jour du schéma de la base${migration ? ` (migration ${migration})` : ''} a échoué : ${causeMessage}`);
  }
}

/** `schema`: where the migration bookkeeping lives (tests use a schema of their own). */
export async function migrateToLatest(db: Kysely<any>, schema = 'public'): Promise<void> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(), migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  const message = error instanceof Error ? error.message : String(error);
  throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, message);
}
