/**
 * Hits are written in batches: a page view is answered at once (204) and
 * kept in memory until the next flush, a quarter of a second later or as
 * soon as 1,000 are waiting, then inserted per authority in one statement
 * under the public role. Flushes never overlap, and closing the server
 * flushes what is left. A crash loses at most the last quarter second of
 * page views: statistics, not records.
 */
import { sql, type Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';

export interface HitRow {
  at: Date;
  visitor: string | null;
  newVisitor: boolean;
  path: string;
  referrer: string | null;
  formId: string | null;
  event: 'form-viewed' | 'form-submitted' | null;
}

export interface HitBufferOptions {
  maxRows?: number;
  delayMs?: number;
  /** Rows waiting (in memory or being written) beyond which new hits are dropped. */
  maxPending?: number;
  onError?: (err: unknown, lost: number) => void;
}

export async function insertHits(db: Kysely<Tables>, tenantId: string, rows: readonly HitRow[]): Promise<void> {
  if (rows.length === 0) return;
  await withPrincipal(db, { kind: 'public', tenantId }, (trx) =>
    sql`insert into audience_hits (tenant_id, at, visitor, new_visitor, path, referrer, form_id, event)
      select ${tenantId}, * from unnest(
        ${rows.map((r) => r.at.toISOString())}::timestamptz[], ${rows.map((r) => r.visitor)}::bigint[], ${rows.map((r) => r.newVisitor)}::boolean[],
        ${rows.map((r) => r.path)}::text[], ${rows.map((r) => r.referrer)}::text[], ${rows.map((r) => r.formId)}::text[], ${rows.map((r) => r.event)}::text[])`.execute(trx),
  );
}

export class HitBuffer {
  readonly #db: Kysely<Tables>;
  readonly #maxRows: number;
  readonly #delayMs: number;
  readonly #onError: (err: unknown, lost: number) => void;
  readonly #maxPending: number;
  #inFlight = 0;
  #pending = new Map<string, HitRow[]>();
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Rows written since start: what the benchmark compares with the answers it counted. */
  written = 0;

  constructor(db: Kysely<Tables>, options: HitBufferOptions = {}) {
    this.#db = db;
    this.#maxRows = options.maxRows ?? 1000;
    this.#delayMs = options.delayMs ?? 250;
    this.#onError = options.onError ?? (() => {});
    this.#maxPending = options.maxPending ?? 100_000;
  }

  /** Rows dropped because too many were waiting (a database slower than the hits): counted, never unbounded memory. */
  dropped = 0;

  add(tenantId: string, row: HitRow): void {
    if (this.#count + this.#inFlight >= this.#maxPending) {
      this.dropped += 1;
      return;
    }
    const rows = this.#pending.get(tenantId);
    if (rows) rows.push(row);
    else this.#pending.set(tenantId, [row]);
    this.#count += 1;
    if (this.#count >= this.#maxRows) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
      this.#timer.unref();
    }
  }

  /** Writes what is waiting, after any flush already under way; resolves when both are done. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight += this.#count;
    this.#count = 0;
    this.#flushing = this.#flushing.then(async () => {
      for (const [tenantId, rows] of batch) {
        try {
          await insertHits(this.#db, tenantId, rows);
          this.written += rows.length;
        } catch (err) {
          this.#onError(err, rows.length);
        } finally {
          this.#inFlight -= rows.length;
        }
      }
    });
    return this.#flushing;
  }
}
