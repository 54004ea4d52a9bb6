/**
 * Sends what the outbox holds. Each round claims a batch of due messages
 * with a lease (FOR UPDATE SKIP LOCKED, so that several instances never take
 * the same one), sends them, and marks each sent (its sealed text is then
 * dropped) or schedules a retry with backoff. A crash leaves the lease to
 * expire and the message to be sent by the next round: nothing is lost, and
 * a message sent again keeps its Message-ID. Expired rows are deleted.
 */
import { sql, type Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { Mailer } from './mailer.ts';
import { openOutboxMessage } from './outbox-message.ts';

export interface OutboxLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutboxWorkerOptions {
  db: Kysely<Tables>;
  keys: TenantKeys;
  mailer: Mailer;
  logger: OutboxLogger;
  /** Wait before each retry; one first attempt plus one retry per entry. */
  retryDelaysMs?: readonly number[];
  /** How long a claimed message stays with its worker before another may take it. */
  leaseMs?: number;
  pollMs?: number;
  batchSize?: number;
  clock?: () => Date;
}

export interface RoundResult {
  sent: number;
  retried: number;
  failed: number;
}

const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000];
const PURGE_EVERY_MS = 60_000;

interface Claimed {
  tenant_id: string;
  id: string;
  sealed: string | null;
  key_version: number;
  attempts: number;
}

interface SendError {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

/** An SMTP code or a short error code, never a message: replies quote addresses. */
function errorCode(e: SendError): string {
  if (typeof e.responseCode === 'number') return String(e.responseCode);
  return typeof e.code === 'string' ? e.code.slice(0, 40) : 'error';
}

/**
 * A send that takes longer than half the lease is given up for now (retried later): past the lease another
 * instance may take the message, and a mail thread that died would otherwise hold the round for ever.
 */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('send timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class OutboxWorker {
  readonly #o: Required<Omit<OutboxWorkerOptions, 'clock'>> & { clock: () => Date };
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #round: Promise<RoundResult> | undefined;
  #again = false;
  #looping = false;
  #stopped = false;
  #lastPurge = 0;

  constructor(options: OutboxWorkerOptions) {
    this.#o = {
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      leaseMs: 90_000,
      pollMs: 1_000,
      batchSize: 25,
      clock: () => new Date(),
      ...options,
    };
  }

  /** Polls in the background (timers never keep the process alive). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.nudge(), this.#o.pollMs);
    this.#timer.unref();
  }

  /** Something was just queued: run a round soon, without one round per message under load. */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    if (this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.#loop();
    }, 20);
    this.#soon.unref();
  }

  async #loop(): Promise<void> {
    this.#looping = true;
    try {
      await this.#rounds();
    } finally {
      this.#looping = false;
    }
  }

  async #rounds(): Promise<void> {
    do {
      this.#again = false;
      let result: RoundResult;
      try {
        result = await this.runOnce();
      } catch (err) {
        this.#log('error', { err }, 'outbox round failed');
        return;
      }
      // A full batch means more may be waiting.
      if (result.sent + result.retried + result.failed >= this.#o.batchSize) this.#again = true;
    } while (this.#again && !this.#stopped);
  }

  /** One round: claim, send, record the outcome. Rounds never overlap in one worker. */
  runOnce(): Promise<RoundResult> {
    if (!this.#round)
      this.#round = this.#doRound().finally(() => {
        this.#round = undefined;
        // Something queued during a round that #loop did not start (drain, a test) is not left for the next poll.
        if (this.#again && !this.#looping) this.nudge();
      });
    return this.#round;
  }

  async #doRound(): Promise<RoundResult> {
    const now = this.#o.clock();
    const result: RoundResult = { sent: 0, retried: 0, failed: 0 };
    if (now.getTime() - this.#lastPurge >= PURGE_EVERY_MS) {
      this.#lastPurge = now.getTime();
      await withPrincipal(this.#o.db, { kind: 'mailer', tenantId: '' }, (trx) => trx.deleteFrom('mail_outbox').where('expires_at', '<=', now).execute());
    }
    const claimed = await this.#claim(now);
    // Sent ones are marked in small groups as they come back: one statement for several, few resent after a crash.
    let done: Claimed[] = [];
    let flushing = Promise.resolve();
    // A group that cannot be marked stays leased and is sent again after the lease; the next groups still go.
    const flush = () => {
      const group = done;
      done = [];
      flushing = flushing.then(() => this.#markSent(group)).catch((err: unknown) => this.#log('error', { err, messages: group.length }, 'outbox: sent messages not marked'));
      return flushing;
    };
    await Promise.all(
      claimed.map(async (row) => {
        if (!(await this.#deliver(row, result))) return;
        result.sent++;
        done.push(row);
        if (done.length >= 5) await flush();
      }),
    );
    await flush();
    return result;
  }

  async #claim(now: Date): Promise<Claimed[]> {
    const leaseEnd = new Date(now.getTime() + this.#o.leaseMs);
    // One statement under the worker's role (migration 20261202T0600).
    const { rows } = await sql<Claimed>`select * from bastide_outbox_claim(${now}, ${leaseEnd}, ${this.#o.batchSize})`.execute(this.#o.db);
    return rows;
  }

  /** Sends one message; true when the mail server took it. */
  async #deliver(row: Claimed, result: RoundResult): Promise<boolean> {
    try {
      if (row.sealed === null) throw Object.assign(new Error('no content'), { code: 'EEMPTY', permanent: true });
      const key = await this.#o.keys.byVersion(row.tenant_id, row.key_version);
      await withTimeout(this.#o.mailer.send(openOutboxMessage(key, { tenant_id: row.tenant_id, id: row.id, sealed: row.sealed })), this.#o.leaseMs / 2);
      return true;
    } catch (error) {
      await this.#failed(row, (error ?? {}) as SendError, result).catch((err: unknown) => this.#log('error', { err }, 'outbox: failure not recorded'));
      return false;
    }
  }

  /** Each message is marked as soon as it is sent: a crash then resends as few as possible. */
  async #markSent(rows: Claimed[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`select bastide_outbox_sent(${rows.map((r) => r.tenant_id)}::text[], ${rows.map((r) => r.id)}::uuid[], ${this.#o.clock()})`.execute(this.#o.db);
  }

  async #failed(row: Claimed, e: SendError, result: RoundResult): Promise<void> {
    const delay = this.#o.retryDelaysMs[row.attempts - 1];
    const code = errorCode(e);
    // A permanent refusal (5xx: unknown mailbox…) would be refused again.
    if (delay === undefined || e.permanent === true) {
      await this.#update(row, { failed_at: this.#o.clock(), sealed: null, locked_until: null, last_error: code });
      this.#log('warn', { mailId: row.id, tenant: row.tenant_id, attempts: row.attempts, code }, 'e-mail not delivered');
      result.failed++;
      return;
    }
    await this.#update(row, { next_attempt_at: new Date(this.#o.clock().getTime() + delay), locked_until: null, last_error: code });
    result.retried++;
  }

  #update(row: Claimed, set: Partial<{ sent_at: Date; failed_at: Date; sealed: null; locked_until: null; last_error: string | null; next_attempt_at: Date }>) {
    return withPrincipal(this.#o.db, { kind: 'mailer', tenantId: '' }, (trx) =>
      trx.updateTable('mail_outbox').set(set).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute(),
    );
  }

  #log(level: 'warn' | 'error', obj: object, msg: string): void {
    try {
      this.#o.logger[level](obj, msg);
    } catch {
      // A failing logger must not stop the outbox.
    }
  }

  /** Messages not yet sent nor given up (tests, the benchmark, shutdown). */
  async pending(): Promise<number> {
    return withPrincipal(this.#o.db, { kind: 'mailer', tenantId: '' }, async (trx) => {
      const row = await trx
        .selectFrom('mail_outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('sent_at', 'is', null)
        .where('failed_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  /**
   * Runs rounds until every message is sent or given up, waiting for retries
   * that are due within `timeoutMs` (tests, the benchmark). Resolves to how
   * many are still pending.
   */
  async drain(timeoutMs = 10_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.runOnce();
      if (r.sent + r.retried + r.failed > 0) continue;
      const left = await this.pending();
      if (left === 0 || Date.now() >= end) return left;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    await this.#round?.catch(() => undefined);
  }
}
