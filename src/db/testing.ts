/**
 * Runs a suite once per database: always on PGlite, and on the PostgreSQL
 * server of DATABASE_URL when it is set (CI sets it). Each suite gets a fresh
 * database (an in-memory PGlite, or a schema of its own on the server), and
 * tests keep out of each other's way by using tenants of their own.
 */
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseKind } from './database.ts';

export function testDatabaseKinds(): DatabaseKind[] {
  return process.env['DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens an empty, migrated database of that kind; `close` also drops the server schema. */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ kind: 'pglite-memory' });
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let schema = '';
  let database: Database | undefined;
  // Kysely's migrator lists the tables of every schema before it starts; when another test file drops its
  // schema at that moment, PostgreSQL may answer "schema … does not exist" (seen once in CI, 34 tests of one
  // file cancelled; reproduced: 40 % of getTables calls fail under constant schema churn): try again.
  for (let attempt = 1; !database; attempt++) {
    schema = `test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      database = await openDatabase({ kind: 'postgres', url, schema, poolSize: 4 });
    } catch (e) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      const raced = e instanceof Error && /schema "(test|bench)_[0-9a-f]+" does not exist/.test(e.message);
      if (!raced || attempt === 5) {
        await admin.end();
        throw e;
      }
    }
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
