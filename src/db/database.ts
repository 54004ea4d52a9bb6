/**
 * Opens the database: PGlite in a data folder by default, a PostgreSQL server
 * when a URL is given. Both run the same migrations and the same queries.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { migrateToLatest } from './migrator.ts';
import { schemaScopedDialect } from './schema-scoped-dialect.ts';
import { PgliteWorkerDialect } from './pglite-worker-dialect.ts';
import type { Tables } from './tables.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<Tables>;
  kind: DatabaseKind;
  /** The database answers: a `select 1` on a server; on PGlite, its thread, without queuing behind a transaction. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string; command: string }
  /** `snapshot` (tests): a file holding a freshly migrated database, restored if it exists, written if not. */
  | { kind: 'pglite-memory'; snapshot?: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export function targetFromConfig(config: { databaseUrl: string | undefined; dataDir: string }, command: string): DatabaseTarget {
  return config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir, command };
}

/** Opens the database and brings its schema to the latest migration. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  let db: Kysely<Tables>;
  let release = () => {};
  let ping: () => Promise<void>;
  let afterMigration = async () => {};
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // Tests isolate themselves in a schema of their own.
      ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    });
    db = new Kysely<Tables>({ dialect: schemaScopedDialect(new PostgresDialect({ pool }), target.schema ?? 'public') });
    ping = async () => {
      await sql`select 1`.execute(db);
    };
  } else {
    const dataDir = target.kind === 'pglite' ? target.dataDir : undefined;
    if (target.kind === 'pglite') release = lockDataDir(target.dataDir, target.command);
    // In a thread of its own: its WebAssembly never holds the thread that answers requests.
    const snapshot = target.kind === 'pglite-memory' ? target.snapshot : undefined;
    const dialect = new PgliteWorkerDialect(dataDir ? join(dataDir, 'pg') : undefined, snapshot);
    db = new Kysely<Tables>({ dialect });
    ping = () => dialect.ping();
    afterMigration = async () => {
      if (snapshot && !dialect.restored) await dialect.dump(snapshot);
    };
  }
  try {
    await migrateToLatest(db, target.kind === 'postgres' ? target.schema : undefined);
    await afterMigration();
  } catch (e) {
    await db.destroy();
    release();
    throw e;
  }
  return {
    db,
    kind: target.kind === 'postgres' ? 'postgres' : 'pglite',
    ping,
    async close() {
      await db.destroy();
      release();
    },
  };
}
