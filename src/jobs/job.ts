/** A background job, declared as data: what it is called, how often it runs, what it does. */
import type { Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';

export interface JobDeps {
  db: Kysely<Tables>;
  /** Tenant keys, for jobs that may open sealed fields (retention recomputing expiry dates). */
  keys?: TenantKeys;
  /** Where messages sent by jobs link to (BASTIDE_PUBLIC_URL), if set. */
  publicUrl?: string | undefined;
}

export interface Job {
  name: string;
  everyMs: number;
  /** Does the work as of `now`; returns a short summary for the log (nothing personal). */
  run(deps: JobDeps, now: Date): Promise<Record<string, unknown>>;
}
