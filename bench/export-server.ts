/**
 * The server of bench/export.ts, in a process of its own so that its memory
 * (resident set, read from /proc by the parent) is the server's alone, not
 * the client's that reads 200,000 rows. Started with `fork`; it receives the
 * database to open and the master key on its IPC channel, answers
 * `{ url }` once it listens, and serves the real app (logger off) plus the
 * baseline route:
 *
 * `GET /bench/ids.csv?tenant=…&agent=…`: every id of the tenant's records,
 * one per line, read like the export reads (batches of 1,000 in
 * transactions under the agent's principal, so row-level security runs) and
 * streamed to the same client: the export's cost without opening sealed
 * data, formatting cells or journaling.
 */
import { Readable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { DatabaseTarget } from '../src/db/database.ts';
import { openDatabase } from '../src/db/database.ts';
import { withPrincipal, type Principal } from '../src/db/principal.ts';
import { parseListPurpose } from '../src/journal/journal-records.ts';
import { buildApp } from '../src/server/app.ts';
import { createAppContext } from '../src/server/app-context.ts';

export interface ServerSetup {
  target: DatabaseTarget;
  /** The master key, base64, under the id `bench`. */
  masterKey: string;
  agentId: string;
  services: string[];
}

const BATCH = 1000;

async function serve(setup: ServerSetup): Promise<string> {
  const database = await openDatabase(setup.target);
  const ctx = createAppContext({
    database,
    keyring: { currentId: 'bench', keys: new Map([['bench', Buffer.from(setup.masterKey, 'base64')]]) },
    config: { publicUrl: undefined, submissionsPerMinute: 1000, smtpUrl: undefined, mailFrom: 'Bastide <bench@localhost>' },
    outboxDir: join(await mkdtemp(join(os.tmpdir(), 'bastide-bench-export-')), 'outbox'),
    logger: { warn: () => {}, error: () => {} },
  });
  const app = await buildApp(ctx);
  const db = database.db;

  app.get('/bench/ids.csv', async (request, reply) => {
    const tenantId = String((request.query as Record<string, unknown>)['tenant']);
    const principal: Principal = { kind: 'agent', tenantId, agentId: setup.agentId, services: setup.services };
    async function* lines() {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await withPrincipal(db, principal, (trx) =>
          trx.selectFrom('records').select('id').where('tenant_id', '=', tenantId).where('id', '>', after).orderBy('id').limit(BATCH).execute(),
        );
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.id;
        yield rows.map((r) => `${r.id}\r\n`).join('');
      }
    }
    return reply.header('content-type', 'text/csv; charset=utf-8').send(Readable.from(lines(), { objectMode: false }));
  });

  // How many records the last export's journal entry names (the XLSX is not parsed by the client).
  app.get('/bench/last-export', async (request) => {
    const tenantId = String((request.query as Record<string, unknown>)['tenant']);
    const row = await withPrincipal(db, { kind: 'system', tenantId }, (trx) =>
      trx.selectFrom('journal').select('purpose').where('tenant_id', '=', tenantId).where('action', '=', 'export').orderBy('seq', 'desc').limit(1).executeTakeFirst(),
    );
    return { count: row ? (parseListPurpose(row.purpose)?.count ?? null) : null };
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no port');
  process.on('disconnect', () => {
    void app
      .close()
      .then(() => ctx.close())
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
  return `http://127.0.0.1:${address.port}`;
}

process.once('message', (setup: ServerSetup) => {
  serve(setup).then(
    (url) => process.send?.({ url }),
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});
