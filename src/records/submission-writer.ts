/**
 * Writes submissions without files to the database, several to a statement
 * when they wait (bastide_public_submissions, migration 20261207T1200).
 *
 * At most a few statements run at once; a submission that arrives while
 * they all run waits, and the next statement takes every waiting submission
 * of the same tenant (up to a bound). Alone, a submission is written at once
 * in a statement of its own: batching costs no latency, it only replaces the
 * wait for a connection. A statement is atomic: if it fails, its
 * submissions go back to the head of the line to be written one by one,
 * under the same bound, so that each gets its own answer (a replayed
 * Idempotency-Key refused, the others stored).
 */
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';

/** One submission's rows, each already in JSON (the record's `data` included). */
export interface SubmissionRows {
  record: string;
  subjects: string[];
  log: string | undefined;
  mail: string | undefined;
}

interface Waiting {
  tenantId: string;
  rows: SubmissionRows;
  /** Its statement with others failed: written in one of its own. */
  alone: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface WriterOptions {
  /** Statements at once (the pool serves other routes too). */
  inFlight?: number;
  /** Submissions in one statement at most (the parameters of 50 are about 150 kB). */
  maxBatch?: number;
}

const jsonArray = (items: readonly string[]) => `[${items.join(',')}]`;

export class SubmissionWriter {
  readonly #db: Kysely<Tables>;
  readonly #inFlight: number;
  readonly #maxBatch: number;
  #running = 0;
  #waiting: Waiting[] = [];
  /** Statements run and the submissions they carried (benchmarks report the ratio). */
  readonly counts = { statements: 0, submissions: 0 };

  constructor(db: Kysely<Tables>, options: WriterOptions = {}) {
    this.#db = db;
    this.#inFlight = options.inFlight ?? 4;
    this.#maxBatch = options.maxBatch ?? 50;
  }

  /** Resolves once the submission is committed; rejects with the database's error for it. */
  write(tenantId: string, rows: SubmissionRows): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ tenantId, rows, alone: false, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#running < this.#inFlight && this.#waiting.length > 0) {
      const batch = this.#take();
      this.#running++;
      void this.#write(batch).finally(() => {
        this.#running--;
        this.#next();
      });
    }
  }

  /** The oldest waiting submission and those of its tenant behind it, in order. */
  #take(): Waiting[] {
    const first = this.#waiting[0]!;
    if (first.alone) return [this.#waiting.shift()!];
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of this.#waiting) (w.tenantId === first.tenantId && !w.alone && batch.length < this.#maxBatch ? batch : rest).push(w);
    this.#waiting = rest;
    return batch;
  }

  async #write(batch: Waiting[]): Promise<void> {
    try {
      await this.#statement(batch);
      for (const w of batch) w.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // Nothing of the batch was stored: each again on its own, first in line, to learn which one failed and why.
      this.#waiting.unshift(...batch.map((w) => ({ ...w, alone: true })));
    }
  }

  async #statement(batch: Waiting[]): Promise<void> {
    this.counts.statements++;
    this.counts.submissions += batch.length;
    const records = batch.map((w) => w.rows.record);
    const subjects = batch.flatMap((w) => w.rows.subjects);
    const logs = batch.flatMap((w) => (w.rows.log === undefined ? [] : [w.rows.log]));
    const mails = batch.flatMap((w) => (w.rows.mail === undefined ? [] : [w.rows.mail]));
    await sql`select bastide_public_submissions(${batch[0]!.tenantId}, ${jsonArray(records)}::jsonb, ${jsonArray(subjects)}::jsonb, ${jsonArray(logs)}::jsonb, ${jsonArray(mails)}::jsonb)`.execute(this.#db);
  }
}

const writers = new WeakMap<Kysely<Tables>, SubmissionWriter>();

/** The writer of this database (one per pool, so that its bound on statements holds). */
export function submissionWriter(db: Kysely<Tables>): SubmissionWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new SubmissionWriter(db)));
  return writer;
}
