import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { EXAMPLE_REGISTERS, startTestServer } from '../server/testing.ts';
import { openDatabase } from './database.ts';

describe('the embedded database runs off the request thread', () => {
  it('serves a static file while PGlite is busy with a long statement', async () => {
    const server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune] });
    try {
      const page = await fetch(`${server.url}/val-fleuri/donnees-personnelles`);
      const css = /href="(\/assets\/[^"]+\.css)"/.exec(await page.text())?.[1];
      assert.ok(css, 'the page links its stylesheet');
      const order: string[] = [];
      // PGlite's WebAssembly runs this synchronously: on the request thread, nothing else could run.
      const busy = sql`select pg_sleep(1.5)`.execute(server.database.db).then(() => order.push('statement'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await fetch(server.url + css);
      assert.equal(res.status, 200);
      order.push('static file');
      await busy;
      assert.deepEqual(order, ['static file', 'statement']);
    } finally {
      await server.close();
    }
  });

  it('fails a query at once once the database thread is gone, instead of waiting for ever', async () => {
    const database = await openDatabase({ kind: 'pglite-memory' });
    const db = database.db;
    await database.close();
    await assert.rejects(sql`select 1`.execute(db));
    await assert.rejects(database.ping());
  });

  it('carries errors across the thread with their SQLSTATE and constraint, and rolls a failed transaction back', async () => {
    const server = await startTestServer();
    try {
      const db = server.database.db;
      await sql`create table t (id int primary key)`.execute(db);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`insert into t values (1)`.execute(trx);
          await sql`insert into t values (1)`.execute(trx);
        }),
        (e: { code?: string; constraint?: string }) => e.code === '23505' && e.constraint === 't_pkey',
      );
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from t`.execute(db);
      assert.equal(rows[0]!.n, 0, 'nothing of the failed transaction stayed');
      await sql`insert into t values (2)`.execute(db);
      assert.equal((await sql<{ n: number }>`select count(*)::int as n from t`.execute(db)).rows[0]!.n, 1, 'the connection works after it');
    } finally {
      await server.close();
    }
  });
});
