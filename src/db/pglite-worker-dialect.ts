/**
 * A Kysely dialect for PGlite running in a worker thread (see
 * pglite-worker-entry.js). PGlite executes synchronously inside its
 * WebAssembly: in the main thread, a 5 MB insert or a long statement froze
 * every request, static files and /healthz included. Here the main thread
 * only posts the SQL and waits. One caller at a time holds the connection
 * (PGlite has one): without that, a query of one request could run inside
 * another request's open transaction, and so under its tenant and role.
 */
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

interface Reply {
  id: number;
  rows?: Record<string, unknown>[];
  affectedRows?: number;
  restored?: boolean;
  error?: Record<string, unknown> & { message: string };
}

type Job =
  | { op: 'open'; dataDir: string | undefined; snapshot: string | undefined }
  | { op: 'dump'; file: string }
  | { op: 'query'; sql: string; params: readonly unknown[] } | { op: 'ping' } | { op: 'close' };

/** The thread and its request/answer protocol. */
class PgliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  #next = 0;
  /** Set once the thread has exited or failed: every call then fails at once instead of waiting for ever. */
  #dead: Error | undefined;

  constructor() {
    this.#worker = new Worker(new URL('./pglite-worker-entry.js', import.meta.url));
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => {
      const p = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      p?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.#dead ??= error;
      for (const p of this.#pending.values()) p.reject(this.#dead);
      this.#pending.clear();
    };
    this.#worker.on('error', (error) => fail(Object.assign(new Error('the embedded database thread failed'), { code: (error as { code?: string }).code ?? 'EDBTHREAD' })));
    this.#worker.on('exit', () => fail(Object.assign(new Error('the embedded database is closed'), { code: 'EDBCLOSED' })));
  }

  async call(job: Job): Promise<Reply> {
    if (this.#dead) throw this.#dead;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject });
      // A query in flight keeps the process alive, an idle thread does not.
      this.#worker.ref();
      this.#worker.postMessage({ id, ...job });
    });
    if (reply.error) {
      const { message, ...fields } = reply.error;
      throw Object.assign(new Error(message), fields);
    }
    return reply;
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return acquired;
  }
}

class ThreadConnection implements DatabaseConnection {
  readonly #thread: PgliteThread;
  constructor(thread: PgliteThread) {
    this.#thread = thread;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = await this.#thread.call({ op: 'query', sql: query.sql, params: query.parameters });
    return { rows: (rows ?? []) as R[], ...(affectedRows != null ? { numAffectedRows: BigInt(affectedRows) } : {}) };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the embedded database');
  }
}

class ThreadDriver implements Driver {
  readonly #dataDir: string | undefined;
  readonly #snapshot: string | undefined;
  restored = false;
  readonly #mutex = new Mutex();
  #thread: PgliteThread | undefined;
  #connection: ThreadConnection | undefined;
  #release: (() => void) | undefined;

  constructor(dataDir: string | undefined, snapshot: string | undefined) {
    this.#dataDir = dataDir;
    this.#snapshot = snapshot;
  }
  async init(): Promise<void> {
    this.#thread = new PgliteThread();
    this.restored = (await this.#thread.call({ op: 'open', dataDir: this.#dataDir, snapshot: this.#snapshot })).restored === true;
    this.#connection = new ThreadConnection(this.#thread);
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#connection!;
  }
  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  /** The thread is alive and its database open, without taking the connection from whoever holds it. */
  async ping(): Promise<void> {
    if (!this.#thread) throw new Error('the embedded database is not open');
    await this.#thread.call({ op: 'ping' });
  }
  async dump(file: string): Promise<void> {
    if (!this.#thread) throw new Error('the embedded database is not open');
    await this.#thread.call({ op: 'dump', file });
  }
  async destroy(): Promise<void> {
    if (!this.#thread) return;
    await this.#thread.call({ op: 'close' }).catch(() => undefined);
    await this.#thread.terminate();
    this.#thread = undefined;
  }
}

export class PgliteWorkerDialect implements Dialect {
  readonly #dataDir: string | undefined;
  readonly #snapshot: string | undefined;
  #driver: ThreadDriver | undefined;
  /** `dataDir` undefined: in memory (tests), restored from `snapshot` when that file exists. */
  constructor(dataDir: string | undefined, snapshot?: string) {
    this.#dataDir = dataDir;
    this.#snapshot = snapshot;
  }
  /** The database was restored from the snapshot file (once a query has opened it). */
  get restored(): boolean {
    return this.#driver?.restored ?? false;
  }
  /** Writes the whole database to `file`, for later opens to restore. */
  dump(file: string): Promise<void> {
    return this.#driver ? this.#driver.dump(file) : Promise.reject(new Error('the embedded database is not open'));
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    this.#driver = new ThreadDriver(this.#dataDir, this.#snapshot);
    return this.#driver;
  }
  ping(): Promise<void> {
    return this.#driver ? this.#driver.ping() : Promise.reject(new Error('the embedded database is not open'));
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
