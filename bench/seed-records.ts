/**
 * What the back-office benchmarks share (bench/export.ts,
 * bench/back-office-list.ts): a scratch database (a fresh schema on the
 * PostgreSQL server, or PGlite in a temporary folder), the demo commune's
 * register, an agent with a password, and many records in that agent's
 * services, inserted fast but as real as the submission path makes them.
 *
 * A few templates go through `submitForm` itself (validation, split, sealing
 * of the health fields of the school enrolment); each copy then gets its own
 * id and its sealed part is sealed again under that id with the same code
 * (`sealJson`, `recordAad`): the associated data binds a ciphertext to its
 * record, so a plain SQL copy would not open, and opening it is the cost the
 * export must pay. The copies are inserted 5,000 per statement under the
 * system principal, spread over a year, with a realistic mix of statuses and
 * holders.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { addAgent } from '../src/accounts/add-agent.ts';
import { openJson, sealJson } from '../src/crypto/aead.ts';
import type { MasterKeyring } from '../src/crypto/master-keyring.ts';
import { TenantKeys } from '../src/crypto/tenant-keys.ts';
import { openDatabase, type Database, type DatabaseTarget } from '../src/db/database.ts';
import { withPrincipal } from '../src/db/principal.ts';
import { formatProblem } from '../src/register/problem.ts';
import { RegisterDirectory } from '../src/register/register-directory.ts';
import { loadRegister } from '../src/register/register-loader.ts';
import type { LoadedRegister } from '../src/register/register-repository.ts';
import { keyOf } from '../src/records/record-reader.ts';
import { buildApp } from '../src/server/app.ts';
import { createAppContext } from '../src/server/app-context.ts';
import { recordAad, submitForm } from '../src/records/submit-form.ts';
import { contactData, communeYaml, enrolmentData, reportData } from '../src/records/testing.ts';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_PASSWORD = 'Cheval-Batterie-Agrafe-2026!';
export const AGENT_EMAIL = 'agent.bench@val-fleuri.example.fr';
/** The agent's services: the contact form (accueil), street reports (techniques), school enrolment with sealed health data (scolaire). */
export const AGENT_SERVICES = ['accueil', 'techniques', 'scolaire'];
const CHUNK = 5000;

export type BenchDbKind = 'postgres' | 'pglite';

/** The --db option of the database benchmarks; a bad value exits 2 with the usage. */
export function benchDbKind(value: unknown, usage: string): BenchDbKind {
  if (value === 'postgres' || value === 'pglite') return value;
  process.stderr.write(`--db: postgres or pglite, not « ${String(value)} »\n${usage}\n`);
  process.exit(2);
}

/** A scratch database; `target` reopens it (in another process too), `drop` removes it for good. */
export interface ScratchDatabase {
  kind: BenchDbKind;
  target: DatabaseTarget;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function scratchDatabase(kind: BenchDbKind, poolSize = 10): Promise<ScratchDatabase> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(os.tmpdir(), 'bastide-bench-pglite-'));
    const target: DatabaseTarget = { kind: 'pglite', dataDir: dir, command: 'bench' };
    return { kind, target, open: () => openDatabase(target), drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const url = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const target: DatabaseTarget = { kind: 'postgres', url, schema, poolSize };
  return {
    kind,
    target,
    open: () => openDatabase(target),
    async drop() {
      // BENCH_KEEP=1 leaves the data for EXPLAIN ANALYZE in psql (search_path to the schema printed here).
      if (process.env['BENCH_KEEP'] === '1') return void process.stderr.write(`kept schema ${schema}\n`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export function benchKeyring(): MasterKeyring {
  return { currentId: 'bench', keys: new Map([['bench', randomBytes(32)]]) };
}

/** The commune's register under a tenant of its own, and the agent of AGENT_SERVICES, signed in with BENCH_PASSWORD. */
export async function commune(database: Database): Promise<{ loaded: LoadedRegister; agentId: string }> {
  const tenantId = `bench-${randomBytes(3).toString('hex')}`;
  const result = await loadRegister(database.db, new TextEncoder().encode(communeYaml(tenantId)), 'bench');
  if (!result.ok) throw new Error(`the demo register is invalid:\n${result.problems.map(formatProblem).join('\n')}`);
  const loaded = await new RegisterDirectory(database.db, { ttlMs: 0 }).current(tenantId);
  if (!loaded) throw new Error('the register loaded but is not in force');
  const added = await addAgent(database.db, loaded, { email: AGENT_EMAIL, role: 'agent', services: AGENT_SERVICES, password: BENCH_PASSWORD });
  if (!added.ok) throw new Error(added.problem);
  return { loaded, agentId: added.agent.id };
}

interface Template {
  processing_id: string;
  form_id: string;
  service_id: string;
  register_version: number;
  data: unknown;
  sealed: unknown;
  /** Seconds from creation to the planned deletion (null: counted from closure). */
  expiresAfter: number | null;
}

/** Records submitted through the real path, read back (sealed part opened) to be copied. */
async function templates(database: Database, keys: TenantKeys, loaded: LoadedRegister): Promise<Template[]> {
  const inputs: Array<[string, unknown]> = [
    ['contact-mairie', contactData()],
    ['contact-mairie', contactData({ nom: 'Lefèvre', prenom: 'Éloïse', courriel: 'eloise.lefevre@example.fr', message: 'Bonjour, pourriez-vous me dire quand la salle des fêtes est libre en juin ? Merci.' })],
    ['signalement', reportData()],
    ['inscription-enfance', enrolmentData({ prenom: 'Jeanne', allergies: 'Arachide, fruits à coque ; trousse PAI à l’école.' })],
    ['inscription-enfance', enrolmentData({ prenom: 'Hugo', allergies: 'Aucune connue' })],
  ];
  const ids: string[] = [];
  for (const [formId, data] of inputs) {
    const r = await submitForm({ db: database.db, keys }, loaded, formId, data, { baseUrl: 'http://localhost' });
    if (!r.ok) throw new Error(`template ${formId} refused: ${JSON.stringify(r)}`);
    ids.push(r.stored.recordId);
  }
  const tenantId = loaded.tenantId;
  const all = await keys.all(tenantId);
  const rows = await withPrincipal(database.db, { kind: 'system', tenantId }, (trx) => trx.selectFrom('records').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute());
  if (!rows.some((r) => r.sealed)) throw new Error('no template has a sealed part: the benchmark would not measure decryption');
  return rows.map((r) => ({
    processing_id: r.processing_id,
    form_id: r.form_id,
    service_id: r.service_id,
    register_version: r.register_version,
    data: r.data,
    sealed: r.sealed && r.key_version !== null ? openJson(keyOf(all, tenantId, r.key_version), r.sealed, recordAad(tenantId, r.id)) : null,
    expiresAfter: r.expires_at ? Math.round((new Date(r.expires_at).getTime() - new Date(r.created_at).getTime()) / 1000) : null,
    expiry_action: r.expiry_action,
  }));
}

/**
 * Inserts `count` records (on top of the few templates) in the agent's
 * services; `onProgress` gets the number inserted so far. Statuses: 40 %
 * received, 30 % in progress, 25 % done, 5 % rejected; the agent holds the
 * ones in progress and every other closed one; one record a minute or so,
 * over the last year.
 */
export async function seedRecords(database: Database, keyring: MasterKeyring, loaded: LoadedRegister, agentId: string, count: number, onProgress: (done: number) => void = () => {}): Promise<void> {
  const keys = new TenantKeys(database.db, keyring);
  const tenantId = loaded.tenantId;
  const tpl = await templates(database, keys, loaded);
  const key = await keys.current(tenantId);
  const spanSeconds = 365 * 24 * 3600;
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const ids: string[] = [];
    const sealed: Array<string | null> = [];
    const which: number[] = [];
    const ordinals: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const t = (start + i) % tpl.length;
      ids.push(id);
      which.push(t);
      ordinals.push(start + i);
      sealed.push(tpl[t]!.sealed ? sealJson(key.key, tpl[t]!.sealed, recordAad(tenantId, id)) : null);
    }
    await withPrincipal(database.db, { kind: 'system', tenantId }, (trx) =>
      sql`insert into records (tenant_id, id, processing_id, form_id, service_id, register_version, status, data, sealed, key_version, tracking_hash, created_at, updated_at, closed_at, expires_at, expiry_action, claimed_by, claimed_at)
        select ${tenantId}, s.id, t->>'processing_id', t->>'form_id', t->>'service_id', (t->>'register_version')::int,
          case when s.n % 20 < 8 then 'received' when s.n % 20 < 14 then 'in-progress' when s.n % 20 < 19 then 'done' else 'rejected' end,
          t->'data', s.sealed, case when s.sealed is null then null else ${key.version}::int end, 'bench:' || s.id,
          s.at, s.at, case when s.n % 20 >= 14 then s.at + interval '3 days' end,
          case when t->>'expiresAfter' is not null then s.at + make_interval(secs => (t->>'expiresAfter')::int) end,
          t->>'expiry_action',
          case when s.n % 20 between 8 and 13 or (s.n % 20 >= 14 and s.n % 2 = 0) then ${agentId}::uuid end,
          case when s.n % 20 between 8 and 13 or (s.n % 20 >= 14 and s.n % 2 = 0) then s.at + interval '1 day' end
        from (select u.id, u.sealed, u.tpl, u.n / ${tpl.length}::int as n, now() - make_interval(secs => ${spanSeconds}::float8 * u.n / ${count}::float8) as at
              from unnest(${ids}::uuid[], ${sealed}::text[], ${which}::int[], ${ordinals}::int[]) as u(id, sealed, tpl, n)) s,
          lateral (select (${JSON.stringify(tpl)}::jsonb) -> s.tpl as t) tt`.execute(trx),
    );
    onProgress(start + n);
  }
  // Fresh statistics, as autovacuum would have them on a table that grew over a year.
  await sql`analyze records`.execute(database.db);
}

/**
 * The real app on a free port of 127.0.0.1, logger off; `prepare` adds hooks
 * before it listens. Closing the app closes its context (mail worker, caches).
 */
export async function benchApp(database: Database, keyring: MasterKeyring, name: string, prepare: (app: Awaited<ReturnType<typeof buildApp>>) => void = () => {}) {
  const ctx = createAppContext({
    database,
    keyring,
    config: { publicUrl: undefined, submissionsPerMinute: 1000, smtpUrl: undefined, mailFrom: 'Bastide <bench@localhost>' },
    outboxDir: `${process.env['TMPDIR'] ?? '/tmp'}/bastide-bench-${name}-outbox`,
    logger: { warn: () => {}, error: () => {} },
  });
  const app = await buildApp(ctx);
  prepare(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no port');
  return { app, base: `http://127.0.0.1:${address.port}` };
}
