/**
 * Runs a suite once per database: always on PGlite, and on the PostgreSQL
 * server of DATABASE_URL when it is set (CI sets it). Each suite gets a fresh
 * database (an in-memory PGlite, or a schema of its own on the server), and
 * tests keep out of each other's way by using tenants of their own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseKind } from './database.ts';

/**
 * Where a freshly migrated embedded database is kept between test files: restoring it takes a second where
 * initdb and the migrations take four or five. Named by the migrations' and PGlite's contents, so a changed
 * migration makes a new one.
 */
function migratedSnapshotFile(): string {
  if (!snapshotFile) {
    const hash = createHash('sha256');
    for (const name of readdirSync(MIGRATIONS).sort()) hash.update(name).update(readFileSync(join(MIGRATIONS, name)));
    hash.update(readFileSync(PGLITE_PACKAGE));
    const dir = join(tmpdir(), 'bastide-test-databases');
    mkdirSync(dir, { recursive: true });
    snapshotFile = join(dir, `migrated-${hash.digest('hex').slice(0, 16)}.tar`);
  }
  return snapshotFile;
}
let snapshotFile: string | undefined;
const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));
const PGLITE_PACKAGE = fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));

export function testDatabaseKinds(): DatabaseKind[] {
  return process.env['DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens an empty, migrated database of that kind; `close` also drops the server schema. */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ kind: 'pglite-memory', snapshot: migratedSnapshotFile() });
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  let database: Database;
  try {
    database = await openDatabase({ kind: 'postgres', url, schema, poolSize: 4 });
  } catch (e) {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    throw e;
  }
  return {
    ...database,
    async close() {
      await database.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export function describeEachDatabase(name: string, suite: (database: () => Database, kind: DatabaseKind) => void): void {
  for (const kind of testDatabaseKinds()) {
    describe(`${name} (${kind})`, () => {
      let database: Database | undefined;
      before(async () => {
        database = await openTestDatabase(kind);
      });
      after(async () => {
        await database?.close();
      });
      suite(() => {
        if (!database) throw new Error('database not open yet');
        return database;
      }, kind);
    });
  }
}

/** A tenant id no other test uses. */
export function uniqueTenantId(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
