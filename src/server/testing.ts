/**
 * A real server for tests: Fastify listening on a free port of 127.0.0.1,
 * over an in-memory PGlite (or the test PostgreSQL), with registers loaded.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Database, DatabaseKind } from '../db/database.ts';
import { openTestDatabase } from '../db/testing.ts';
import { formatProblem } from '../register/problem.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { loadRegister } from '../register/register-loader.ts';
import { buildApp } from './app.ts';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  database: Database;
  registers: RegisterDirectory;
  /** Loads (or reloads) a register from YAML text, as `register load` would. */
  load(yaml: string | Uint8Array): Promise<{ tenantId: string; version: number }>;
  close(): Promise<void>;
}

export const EXAMPLE_REGISTERS = {
  commune: new URL('../../examples/val-fleuri.yaml', import.meta.url),
  departement: new URL('../../examples/haute-vallee.yaml', import.meta.url),
};

export async function startTestServer(options: { kind?: DatabaseKind; registers?: URL[] } = {}): Promise<TestServer> {
  const database = await openTestDatabase(options.kind ?? 'pglite');
  // A zero TTL: a register loaded by a test is in force for the very next request.
  const registers = new RegisterDirectory(database.db, { ttlMs: 0 });
  const app = await buildApp({ database, registers, config: { publicUrl: undefined } });
  const load = async (yaml: string | Uint8Array) => {
    const bytes = typeof yaml === 'string' ? new TextEncoder().encode(yaml) : yaml;
    const result = await loadRegister(database.db, bytes, 'test');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    return { tenantId: result.tenantId, version: result.version };
  };
  for (const file of options.registers ?? []) await load(await readFile(file));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    database,
    registers,
    load,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
