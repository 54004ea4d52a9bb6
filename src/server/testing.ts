/**
 * A real server for tests: Fastify listening on a free port of 127.0.0.1,
 * over an in-memory PGlite (or the test PostgreSQL), with registers loaded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Database, DatabaseKind } from '../db/database.ts';
import { openTestDatabase } from '../db/testing.ts';
import { formatProblem } from '../register/problem.ts';
import type { MasterKeyring } from '../crypto/master-keyring.ts';
import { loadRegister } from '../register/register-loader.ts';
import { buildApp, type AppOptions } from './app.ts';
import { createAppContext, type AppContext } from './app-context.ts';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  database: Database;
  ctx: AppContext;
  registers: AppContext['registers'];
  /** Where e-mails land when no SMTP server is given. */
  outboxDir: string;
  /** Loads (or reloads) a register from YAML text, as `register load` would. */
  load(yaml: string | Uint8Array): Promise<{ tenantId: string; version: number }>;
  close(): Promise<void>;
}

export const EXAMPLE_REGISTERS = {
  commune: new URL('../../examples/val-fleuri.yaml', import.meta.url),
  departement: new URL('../../examples/haute-vallee.yaml', import.meta.url),
};

export function testKeyring(): MasterKeyring {
  return { currentId: 'test', keys: new Map([['test', randomBytes(32)]]) };
}

export interface TestServerOptions {
  kind?: DatabaseKind;
  registers?: URL[];
  smtpUrl?: string;
  submissionsPerMinute?: number;
  trackingLookupsPerMinute?: number;
  authFailuresPerMinute?: number;
  rightsRequestsPerHour?: number;
  /** Audience hits per minute from one truncated address. */
  hitsPerMinute?: number;
  /** BASTIDE_PUBLIC_URL: links point there, and requests for another host are refused. */
  publicUrl?: string;
  /** A pino logger configuration (tests that read what is logged). */
  logger?: AppOptions['logger'];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await openTestDatabase(options.kind ?? 'pglite');
  const outboxDir = join(mkdtempSync(join(tmpdir(), 'bastide-outbox-')), 'outbox');
  const ctx = createAppContext({
    database,
    keyring: testKeyring(),
    config: { publicUrl: options.publicUrl, submissionsPerMinute: options.submissionsPerMinute ?? 1000, trackingLookupsPerMinute: options.trackingLookupsPerMinute ?? 1000, authFailuresPerMinute: options.authFailuresPerMinute ?? 1000, rightsRequestsPerHour: options.rightsRequestsPerHour ?? 1000, hitsPerMinute: options.hitsPerMinute ?? 100_000, smtpUrl: options.smtpUrl, mailFrom: 'Bastide <test@localhost>' },
    outboxDir,
    // With a logger configured, the outbox logs through the server's logger, as in `serve`.
    logger: { warn: (obj, msg) => app.log.warn(obj, msg), error: (obj, msg) => app.log.error(obj, msg) },
    // A zero TTL: a register loaded by a test is in force for the very next request.
    registerTtlMs: 0,
    mailRetryDelaysMs: [50],
  });
  const registers = ctx.registers;
  const app = await buildApp(ctx, options.logger ? { logger: options.logger } : {});
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
    ctx,
    registers,
    outboxDir,
    load,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
