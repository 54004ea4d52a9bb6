/**
 * Background delivery: a citizen's submission must never fail or wait because
 * the mail server is slow or down. `enqueue` returns at once; delivery is
 * retried with backoff; a final failure is logged without anything personal.
 */
import { randomUUID } from 'node:crypto';
import type { Mailer, OutgoingMail } from './mailer.ts';

/** The part of a pino logger the queue uses. */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

export interface MailQueueOptions {
  logger: WarnLogger;
  /** Wait before each retry; one first attempt plus one retry per entry. Default 1 s, 5 s, 30 s. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface SendError {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

export class MailQueue {
  readonly #mailer: Mailer;
  readonly #logger: WarnLogger;
  readonly #retryDelaysMs: readonly number[];
  readonly #pending = new Set<Promise<void>>();

  constructor(mailer: Mailer, options: MailQueueOptions) {
    this.#mailer = mailer;
    this.#logger = options.logger;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** Starts delivering in the background and returns the id its log lines carry. */
  enqueue(mail: OutgoingMail): string {
    const id = randomUUID();
    const delivery = this.#deliver(id, mail).finally(() => this.#pending.delete(delivery));
    this.#pending.add(delivery);
    return id;
  }

  /** How many messages are still being delivered or waiting for a retry. */
  get size(): number {
    return this.#pending.size;
  }

  /** Resolves once every message enqueued so far is delivered or given up (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async #deliver(id: string, mail: OutgoingMail): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#mailer.send(mail);
        return;
      } catch (error) {
        const e = (error ?? {}) as SendError;
        const delay = this.#retryDelaysMs[attempt - 1];
        // A permanent rejection (5xx: unknown mailbox...) would be refused again.
        if (delay === undefined || e.permanent === true) {
          this.#giveUp(id, attempt, e);
          return;
        }
        await sleep(delay);
      }
    }
  }

  #giveUp(id: string, attempts: number, e: SendError): void {
    // Never the error message: SMTP replies often quote the recipient address.
    const fields = {
      mailId: id,
      attempts,
      code: typeof e.code === 'string' ? e.code : undefined,
      responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
    };
    try {
      this.#logger.warn(fields, 'e-mail not delivered');
    } catch {
      // A failing logger must not turn into an unhandled rejection.
    }
  }
}
