/**
 * Sends what the outbox holds. Each round claims a batch of due messages
 * with a lease (FOR UPDATE SKIP LOCKED, so that several instances never take
 * the same one, and a token of its own), sends each but its last step, and
 * marks the ready ones sent, their sealed text dropped, in the same turn of
 * the event loop as it takes that step (see #commitGroup): a crash sends a
 * message neither twice nor never. A refusal schedules a retry with backoff,
 * the text put back. Expired rows are deleted.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { Handover, Mailer, OutgoingMail } from './mailer.ts';
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

/** The mail server's answer to a message handed over (wrapped: a promise inside a promise would be adopted). */
interface Answer {
  reply: Promise<void>;
  /** Its handover was committed: the row says sent already, its text is gone. */
  marked: boolean;
}

/** Like withTimeout, and a message prepared too late is abandoned rather than left holding its connection. */
function prepareWithin(mailer: Mailer, mail: OutgoingMail, ms: number): Promise<Handover> {
  let late = false;
  const preparing = mailer.prepare(mail);
  void preparing.then((h) => late && h.abandon(), () => undefined);
  return withTimeout(preparing, ms).catch((e: unknown) => {
    late = true;
    throw e;
  });
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
    const lease = randomUUID();
    const claimed = await this.#claim(now, lease);
    // Sent ones whose handover was not committed (rare) are marked in small groups as the server's answers come back.
    let done: Claimed[] = [];
    let flushing = Promise.resolve();
    // A group that cannot be marked stays leased and is sent again after the lease; the next groups still go.
    const flush = () => {
      const group = done;
      done = [];
      flushing = flushing.then(() => this.#markSent(group)).catch((err: unknown) => this.#log('error', { err, messages: group.length }, 'outbox: sent messages not confirmed'));
      return flushing;
    };
    const handOver = this.#handOverInGroups(lease);
    await Promise.all(
      claimed.map(async (row) => {
        const delivered = await this.#deliver(row, lease, handOver, result);
        if (delivered === undefined) return;
        result.sent++;
        if (delivered === 'marked') return;
        done.push(row);
        if (done.length >= 5) await flush();
      }),
    );
    await flush();
    return result;
  }

  async #claim(now: Date, lease: string): Promise<Claimed[]> {
    const leaseEnd = new Date(now.getTime() + this.#o.leaseMs);
    // One statement under the worker's role (migrations 20261202T0600, 20261207T0700).
    const { rows } = await sql<Claimed>`select * from bastide_outbox_claim(${now}, ${leaseEnd}, ${this.#o.batchSize}, ${lease}::uuid)`.execute(this.#o.db);
    return rows;
  }

  /**
   * Sends one message. Resolves when the mail server took it: `marked` if
   * its handover was committed, `unmarked` if it is still to be marked.
   * A message the server refuses after its handover goes back to the queue
   * with its text (#failed).
   */
  async #deliver(row: Claimed, lease: string, handOver: (row: Claimed, h: Handover) => Promise<Answer | undefined>, result: RoundResult): Promise<'marked' | 'unmarked' | undefined> {
    try {
      if (row.sealed === null) throw Object.assign(new Error('no content'), { code: 'EEMPTY', permanent: true });
      const key = await this.#o.keys.byVersion(row.tenant_id, row.key_version);
      const handover = await prepareWithin(this.#o.mailer, openOutboxMessage(key, { tenant_id: row.tenant_id, id: row.id, sealed: row.sealed }), this.#o.leaseMs / 2);
      const answer = await handOver(row, handover);
      // Not ours any more (the lease ran out and another worker took it): that worker sends it.
      if (answer === undefined) return undefined;
      // Bounded by the transport (SMTP: ten minutes for the answer to the final line). Marked sent, the
      // message is no other worker's to take meanwhile.
      await answer.reply;
      return answer.marked ? 'marked' : 'unmarked';
    } catch (error) {
      await this.#failed(row, lease, (error ?? {}) as SendError, result).catch((err: unknown) => this.#log('error', { err }, 'outbox: failure not recorded'));
      return undefined;
    }
  }

  /**
   * Messages ready to go are marked sent together, in a transaction whose
   * COMMIT leaves in the same turn of the event loop as their final lines,
   * and after them (see Handover). A kill before the final lines leaves the
   * mail server nothing and the transaction rolled back; after the COMMIT,
   * both are done. Only in the microseconds between the two writes would a
   * kill cost a copy (sent again after the lease, same Message-ID). A line
   * not wholly handed to the system, or a connection already lost, is not
   * marked: the same copy-not-loss rule. Those that arrive during a commit
   * form the next group.
   */
  #handOverInGroups(lease: string): (row: Claimed, h: Handover) => Promise<Answer | undefined> {
    type Waiting = { row: Claimed; handover: Handover; resolve: (answer: Answer | undefined) => void; reject: (e: unknown) => void };
    let queue: Waiting[] = [];
    let running = false;
    const commitGroups = async () => {
      running = true;
      try {
        while (queue.length > 0) {
          const group = queue;
          queue = [];
          try {
            const answers = await this.#commitGroup(group, lease);
            group.forEach((w, i) => w.resolve(answers[i]));
          } catch (error) {
            for (const w of group) w.reject(error);
          }
        }
      } finally {
        running = false;
      }
    };
    return (row, handover) =>
      new Promise((resolve, reject) => {
        queue.push({ row, handover, resolve, reject });
        if (!running) void commitGroups();
      });
  }

  async #commitGroup(group: readonly { row: Claimed; handover: Handover }[], lease: string): Promise<(Answer | undefined)[]> {
    const answers: (Answer | undefined)[] = group.map(() => undefined);
    const key = (r: { tenant_id: string; id: string }) => `${r.tenant_id}/${r.id}`;
    // A connection lost while waiting for the group is not marked: the message goes back to the queue.
    const ready = group.filter((g, i) => {
      if (g.handover.ready) return true;
      g.handover.abandon();
      answers[i] = { reply: Promise.reject(Object.assign(new Error('connection lost before the handover'), { code: 'ECONNECTION' })), marked: false };
      answers[i]!.reply.catch(() => undefined);
      return false;
    });
    if (ready.length === 0) return answers;
    let completed = false;
    try {
      await this.#o.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        let ours: Set<string>;
        try {
          const { rows } = await sql<{ tenant_id: string; id: string }>`select * from bastide_outbox_handover(${ready.map((g) => g.row.tenant_id)}::text[], ${ready.map((g) => g.row.id)}::uuid[], ${lease}::uuid, ${this.#o.clock()})`.execute(conn);
          ours = new Set(rows.map(key));
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
        // From here to the COMMIT's write, nothing is awaited but the statement itself.
        let handed = true;
        try {
          group.forEach((g, i) => {
            if (answers[i] !== undefined) return;
            if (!ours.has(key(g.row))) return g.handover.abandon();
            const done = g.handover.complete();
            completed = true;
            // Awaited once the COMMIT is done; a refusal arriving before then is not an unhandled rejection.
            done.answer.catch(() => undefined);
            answers[i] = { reply: done.answer, marked: false };
            handed &&= done.handed;
          });
        } catch (error) {
          handed = false;
          for (const [i, g] of group.entries()) if (answers[i] === undefined) g.handover.abandon();
          this.#log('error', { err: error }, 'outbox: handover failed');
        }
        // A final line that may still wait in this process: not marked, so that a kill now costs a copy, not a loss.
        // The server's answers still confirm (#markSent) or put back (#failed) each message.
        if (!handed) {
          await sql`rollback`.execute(conn);
          return;
        }
        await sql`commit`.execute(conn);
        for (const [i, g] of group.entries()) if (ours.has(key(g.row)) && answers[i]) answers[i]!.marked = true;
      });
    } catch (error) {
      // Completed ones are with the server: their answers still count, and a confirmation marks them.
      if (completed) this.#log('error', { err: error, messages: group.length }, 'outbox: handover not committed');
      else {
        for (const [i, g] of group.entries()) if (answers[i] === undefined) g.handover.abandon();
        throw error;
      }
    }
    return answers;
  }

  /** Marks sent, text dropped, messages the server took whose handover was not committed. */
  async #markSent(rows: Claimed[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`select bastide_outbox_sent(${rows.map((r) => r.tenant_id)}::text[], ${rows.map((r) => r.id)}::uuid[], ${this.#o.clock()})`.execute(this.#o.db);
  }

  async #failed(row: Claimed, lease: string, e: SendError, result: RoundResult): Promise<void> {
    const delay = this.#o.retryDelaysMs[row.attempts - 1];
    const code = errorCode(e);
    // A permanent refusal (5xx: unknown mailbox…) would be refused again.
    // (sent_at back to null: a refusal after the handover was committed.)
    if (delay === undefined || e.permanent === true) {
      await this.#update(row, lease, { sent_at: null, failed_at: this.#o.clock(), sealed: null, locked_until: null, last_error: code });
      this.#log('warn', { mailId: row.id, tenant: row.tenant_id, attempts: row.attempts, code }, 'e-mail not delivered');
      result.failed++;
      return;
    }
    // Its text back, from this worker's memory: the handover dropped it from the row.
    await this.#update(row, lease, { sent_at: null, sealed: row.sealed, next_attempt_at: new Date(this.#o.clock().getTime() + delay), locked_until: null, last_error: code });
    result.retried++;
  }

  /** Only while the message is still this claim's: a worker that stalled past its lease must not undo another's work. */
  #update(row: Claimed, lease: string, set: Partial<{ sent_at: Date | null; failed_at: Date; sealed: string | null; locked_until: null; last_error: string | null; next_attempt_at: Date }>) {
    return withPrincipal(this.#o.db, { kind: 'mailer', tenantId: '' }, (trx) =>
      trx.updateTable('mail_outbox').set(set).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).where('lease', '=', lease).execute(),
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
