/**
 * The platform's own logs under the retention of the processing the register
 * names for them (`securityLogProcessing`, "journaux de sécurité" in the
 * demo registers): the security log (IP addresses of submissions) and the
 * access journal (who read which request). Both are counted from their
 * entry's date, as of the run's date, by the duration the register states
 * today: a shortened duration applies to entries already written.
 *
 * The journal is a hash chain: only its oldest entries go, a prefix, and the
 * checkpoint row keeps the last removed entry's number and hash, so that
 * `journal verify` checks everything after it. The run's certificate states
 * the checkpoint too (see verifyCheckpoint).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { Processing, Register } from '../register/schema.ts';

export interface LogsOutcome {
  processingId: string;
  rule: { duration: string; from: string; then: string };
  /** Entries of the security log removed by this run. */
  securityLogDeleted: number;
  /** Oldest entries of the access journal removed by this run. */
  journalPruned: number;
  /** Where the journal starts after this run: its last removed entry (null: never pruned). */
  journalCheckpoint: { seq: number; hash: string } | null;
}

export interface Checkpoint {
  seq: number;
  hash: string;
  pruned: number;
  runId: string;
  at: Date;
}

export function logsProcessing(register: Register): Processing | undefined {
  return register.securityLogProcessing ? register.processings.find((p) => p.id === register.securityLogProcessing) : undefined;
}

/** Entries dated at or before this instant are past their retention as of `asOf`. */
export function logsCutoff(p: Processing, asOf: Date): Date | null {
  const parsed = parseDuration(p.retention.duration);
  if (!parsed.ok) return null;
  const d = parsed.duration;
  return addDuration(asOf, { years: -d.years, months: -d.months, weeks: -d.weeks, days: -d.days });
}

export async function journalCheckpoint(trx: Tx, tenantId: string): Promise<Checkpoint | undefined> {
  const row = await trx.selectFrom('journal_checkpoints').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  return row && { seq: Number(row.seq), hash: row.hash, pruned: Number(row.pruned), runId: row.run_id, at: new Date(row.at) };
}

/** How many entries a run as of this cutoff would remove: the security log's, and the journal's prefix after `from`. */
export async function countLogsDue(trx: Tx, tenantId: string, cutoff: Date, from: number): Promise<{ securityLog: number; journal: number }> {
  const { rows } = await sql<{ log: string; journal: string }>`
    select (select count(*) from security_log where tenant_id = ${tenantId} and at <= ${cutoff}) as log,
      (select count(*) from journal j where j.tenant_id = ${tenantId} and j.seq > ${from}
        and j.seq < coalesce((select min(seq) from journal k where k.tenant_id = ${tenantId} and k.seq > ${from} and k.at > ${cutoff}), 9223372036854775807)) as journal`.execute(trx);
  return { securityLog: Number(rows[0]!.log), journal: Number(rows[0]!.journal) };
}

/** The tables pruned by date, row by row, and the run's counter of each. */
const DATED = {
  security_log: { date: 'at', counter: 'security_log_deleted' },
  consent_proofs: { date: 'created_at', counter: 'consent_proofs_deleted' },
} as const;

/** One batch of rows dated at or before `cutoff`: the deletion and the run's count in one statement, so a resumed run counts each once. */
export async function pruneDatedBatch(trx: Tx, table: keyof typeof DATED, tenantId: string, runId: string, cutoff: Date, size: number): Promise<number> {
  const t = sql.table(table);
  const date = sql.ref(DATED[table].date);
  const counter = sql.ref(DATED[table].counter);
  const { rows } = await sql<{ n: string }>`
    with doomed as (
      select id from ${t} where tenant_id = ${tenantId} and ${date} <= ${cutoff} order by ${date} limit ${size} for update skip locked),
    gone as (delete from ${t} x using doomed d where x.tenant_id = ${tenantId} and x.id = d.id returning 1),
    counted as (update retention_runs set ${counter} = ${counter} + (select count(*) from gone) where tenant_id = ${tenantId} and id = ${runId})
    select count(*) as n from gone`.execute(trx);
  return Number(rows[0]!.n);
}

export function pruneSecurityLogBatch(trx: Tx, tenantId: string, runId: string, cutoff: Date, size: number): Promise<number> {
  return pruneDatedBatch(trx, 'security_log', tenantId, runId, cutoff, size);
}

/**
 * One batch of the journal's oldest entries: those after the checkpoint,
 * up to the first one still within its retention. The entries, the lists an
 * export named, the checkpoint and the run's count change together.
 */
export async function pruneJournalBatch(trx: Tx, tenantId: string, runId: string, cutoff: Date, size: number, now: Date): Promise<number> {
  const checkpoint = await journalCheckpoint(trx, tenantId);
  const from = checkpoint?.seq ?? 0;
  const rows = await trx.selectFrom('journal').select(['seq', 'at', 'hash']).where('tenant_id', '=', tenantId).where('seq', '>', String(from)).orderBy('seq').limit(size).execute();
  const young = rows.findIndex((r) => new Date(r.at) > cutoff);
  const prefix = young === -1 ? rows : rows.slice(0, young);
  const last = prefix.at(-1);
  if (!last) return 0;
  const to = String(last.seq);
  await trx.deleteFrom('journal_records').where('tenant_id', '=', tenantId).where('seq', '>', String(from)).where('seq', '<=', to).execute();
  await trx.deleteFrom('journal').where('tenant_id', '=', tenantId).where('seq', '>', String(from)).where('seq', '<=', to).execute();
  const pruned = (checkpoint?.pruned ?? 0) + prefix.length;
  await trx
    .insertInto('journal_checkpoints')
    .values({ tenant_id: tenantId, seq: to, hash: last.hash, pruned, run_id: runId, at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ seq: to, hash: last.hash, pruned, run_id: runId, at: now }))
    .execute();
  await sql`update retention_runs set journal_pruned = journal_pruned + ${prefix.length} where tenant_id = ${tenantId} and id = ${runId}`.execute(trx);
  return prefix.length;
}

function outcome(p: Processing, securityLog: number, journal: number, checkpoint: Checkpoint | undefined): LogsOutcome {
  return {
    processingId: p.id,
    rule: { duration: p.retention.duration, from: p.retention.from, then: p.retention.then },
    securityLogDeleted: securityLog,
    journalPruned: journal,
    journalCheckpoint: checkpoint ? { seq: checkpoint.seq, hash: checkpoint.hash } : null,
  };
}

/** What a run did to the logs, from its own counters and the checkpoint. */
export async function logsOutcome(trx: Tx, tenantId: string, runId: string, p: Processing): Promise<LogsOutcome> {
  const run = await trx.selectFrom('retention_runs').select(['security_log_deleted', 'journal_pruned']).where('tenant_id', '=', tenantId).where('id', '=', runId).executeTakeFirstOrThrow();
  return outcome(p, Number(run.security_log_deleted), Number(run.journal_pruned), await journalCheckpoint(trx, tenantId));
}

/** A dry run's view of the logs: what a run as of `asOf` would remove. */
export async function logsDue(trx: Tx, tenantId: string, register: Register, asOf: Date): Promise<LogsOutcome | null> {
  const p = logsProcessing(register);
  const cutoff = p ? logsCutoff(p, asOf) : null;
  if (!p || !cutoff) return null;
  const checkpoint = await journalCheckpoint(trx, tenantId);
  const due = await countLogsDue(trx, tenantId, cutoff, checkpoint?.seq ?? 0);
  return outcome(p, due.securityLog, due.journal, checkpoint);
}

/**
 * A checkpoint holds only if the retention run it names stated it: a run
 * still going on (killed, to be resumed) is trusted until it finishes; a
 * finished run's certificate, chained with the others, must state the same
 * entry and hash. A checkpoint moved by hand to hide deleted entries fails.
 */
export async function checkpointProblem(trx: Tx, tenantId: string, c: Checkpoint): Promise<string | null> {
  const run = await trx.selectFrom('retention_runs').select(['seq', 'finished_at', 'certificate']).where('tenant_id', '=', tenantId).where('id', '=', c.runId).executeTakeFirst();
  if (!run) return `le journal commence après la ligne ${c.seq} sans qu’aucune purge l’explique (lignes supprimées ?)`;
  if (!run.finished_at) return null;
  const stated = (JSON.parse(run.certificate ?? '{}') as { logs?: LogsOutcome | null }).logs?.journalCheckpoint;
  if (!stated || stated.seq !== c.seq || stated.hash !== c.hash)
    return `le point de départ du journal (ligne ${c.seq}) ne correspond pas au certificat de purge n° ${run.seq} (lignes supprimées ?)`;
  return null;
}
