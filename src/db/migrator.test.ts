import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openDatabase } from './database.ts';
import { MigrationError } from './migrator.ts';

const url = process.env['DATABASE_URL'];

describe('bringing a PostgreSQL schema up to date', { skip: url ? false : 'needs DATABASE_URL' }, () => {
  const schemaName = () => `test_${randomBytes(6).toString('hex')}`;

  it('succeeds while other schemas of the server come and go, as test files and benchmarks make them', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let churning = true;
    const churn = (async () => {
      while (churning) {
        const other = schemaName();
        await admin.query(`CREATE SCHEMA ${other}`);
        await admin.query(`CREATE TABLE ${other}.t (id int)`);
        await admin.query(`DROP SCHEMA ${other} CASCADE`);
      }
    })();
    const ours: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const schema = schemaName();
        ours.push(schema);
        await admin.query(`CREATE SCHEMA ${schema}`);
        const database = await openDatabase({ kind: 'postgres', url: url!, schema, poolSize: 2 });
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.kysely_migration`);
        await database.close();
        assert.ok((rows[0] as { n: number }).n > 10);
      }
    } finally {
      churning = false;
      await churn;
      for (const schema of ours) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('names the migration that failed, in French, and leaves the schema as it was', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const schema = schemaName();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      // A table in the way of the first migration's.
      await admin.query(`CREATE TABLE ${schema}.tenants (id int)`);
      await assert.rejects(openDatabase({ kind: 'postgres', url: url!, schema, poolSize: 2 }), (e: unknown) => {
        assert.ok(e instanceof MigrationError);
        assert.match(e.message, /^la mise à jour du schéma de la base \(migration 20261122T1930_create_tenants_and_register_versions\) a échoué : relation "tenants" already exists$/);
        return true;
      });
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.kysely_migration`);
      assert.equal((rows[0] as { n: number }).n, 0);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
