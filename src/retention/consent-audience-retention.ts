/**
 * Proofs of consent and audience statistics under the retention of the
 * processings the register names for them (`consentProofProcessing`,
 * `audienceProcessing`), counted from each proof's date and each day's date,
 * as of the run, by the duration the register states today. Without a
 * consentProofProcessing, proofs are kept DEFAULT_PROOF_RETENTION years
 * (register check warns); without an audienceProcessing (any longer), the
 * statistics measured before go after 25 months. Each batch deletes and adds to the run's counters
 * in one statement, so that a run resumed after kill -9 counts each once.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { DEFAULT_PROOF_RETENTION } from '../register/checks.ts';
import { addDuration } from '../register/duration.ts';
import type { Processing, Register } from '../register/schema.ts';
import { todayInFrance } from '../register/date-bound.ts';
import { logsCutoff, pruneDatedBatch } from './log-retention.ts';

export interface StoresOutcome {
  consentProofs: { processingId: string | null; duration: string; deleted: number };
  /** processingId null: the register no longer names one, and what was measured before goes after the CNIL's 25 months. */
  audience: { processingId: string | null; duration: string; daysDeleted: number };
}

export interface StoresCutoffs {
  /** Proofs made at or before this instant go. */
  proofs: Date;
  proofsRule: { processingId: string | null; duration: string };
  /** Statistics of days before this one (YYYY-MM-DD, Paris) go. */
  audienceBefore: string;
  audienceRule: { processingId: string | null; duration: string };
}

/** CNIL: statistics of an exempt measurement are kept 25 months at most, whatever the register says later. */
const MAX_AUDIENCE_MONTHS = 25;
const AUDIENCE_TABLES = ['audience_pages', 'audience_referrers', 'audience_forms', 'audience_days'] as const;

function named(register: Register, id: string | undefined): Processing | undefined {
  return id ? register.processings.find((p) => p.id === id) : undefined;
}

export function storesCutoffs(register: Register, asOf: Date): StoresCutoffs {
  const proofs = named(register, register.consentProofProcessing);
  const audience = named(register, register.audienceProcessing);
  const proofsCutoff = proofs ? logsCutoff(proofs, asOf) : null;
  const audienceCutoff = (audience ? logsCutoff(audience, asOf) : null) ?? addDuration(asOf, { years: 0, months: -MAX_AUDIENCE_MONTHS, weeks: 0, days: 0 });
  // Counted as a named processing's years are (clamped to the month's end): setUTCFullYear would roll 29 February over to 1 March.
  const fallback = addDuration(asOf, { years: -DEFAULT_PROOF_RETENTION, months: 0, weeks: 0, days: 0 });
  return {
    proofs: proofsCutoff ?? fallback,
    proofsRule: { processingId: proofs?.id ?? null, duration: proofs?.retention.duration ?? `P${DEFAULT_PROOF_RETENTION}Y` },
    // A day's statistics go once the whole day is past its retention.
    audienceBefore: todayInFrance(audienceCutoff),
    audienceRule: { processingId: audience?.id ?? null, duration: audience?.retention.duration ?? `P${MAX_AUDIENCE_MONTHS}M` },
  };
}

export async function countStoresDue(trx: Tx, tenantId: string, c: StoresCutoffs): Promise<{ proofs: number; days: number }> {
  const { rows } = await sql<{ proofs: string; days: string }>`
    select (select count(*) from consent_proofs where tenant_id = ${tenantId} and created_at <= ${c.proofs}) as proofs,
      (select count(*) from audience_days where tenant_id = ${tenantId} and day < ${c.audienceBefore}::date) as days`.execute(trx);
  return { proofs: Number(rows[0]!.proofs), days: Number(rows[0]!.days) };
}

export function pruneConsentProofsBatch(trx: Tx, tenantId: string, runId: string, cutoff: Date, size: number): Promise<number> {
  return pruneDatedBatch(trx, 'consent_proofs', tenantId, runId, cutoff, size);
}

/** The statistics of up to `size` days before `before`: every table of those days, and the run's count of days. */
export async function pruneAudienceBatch(trx: Tx, tenantId: string, runId: string, before: string, size: number): Promise<number> {
  const days = await trx
    .selectFrom('audience_days')
    .select(sql<string>`day::text`.as('day'))
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`day < ${before}::date`)
    .orderBy('day')
    .limit(size)
    .execute();
  if (days.length === 0) return 0;
  const last = days.at(-1)!.day;
  for (const table of AUDIENCE_TABLES) await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId} and day <= ${last}::date`.execute(trx);
  await sql`update retention_runs set audience_days_deleted = audience_days_deleted + ${days.length} where tenant_id = ${tenantId} and id = ${runId}`.execute(trx);
  return days.length;
}

function outcome(c: StoresCutoffs, proofs: number, days: number): StoresOutcome {
  return {
    consentProofs: { ...c.proofsRule, deleted: proofs },
    audience: { ...c.audienceRule, daysDeleted: days },
  };
}

export async function storesOutcome(trx: Tx, tenantId: string, runId: string, c: StoresCutoffs): Promise<StoresOutcome> {
  const run = await trx.selectFrom('retention_runs').select(['consent_proofs_deleted', 'audience_days_deleted']).where('tenant_id', '=', tenantId).where('id', '=', runId).executeTakeFirstOrThrow();
  return outcome(c, Number(run.consent_proofs_deleted), Number(run.audience_days_deleted));
}

/** A dry run's view: what a run as of `asOf` would remove. */
export async function storesDue(trx: Tx, tenantId: string, register: Register, asOf: Date): Promise<StoresOutcome> {
  const c = storesCutoffs(register, asOf);
  const due = await countStoresDue(trx, tenantId, c);
  return outcome(c, due.proofs, due.days);
}
