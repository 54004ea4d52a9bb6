/**
 * A retention run: records past their expiry are deleted as the register
 * says, in batches of one set-based statement each, each batch in its own
 * transaction; then the run's purge certificate is written.
 *
 * One run per tenant at a time: the run's row holds a lease (until when, and
 * who), renewed by each batch, and a unique index allows one unfinished run
 * per tenant. A second run meets a live lease and stops (RetentionBusy); a
 * run killed with kill -9 lets its lease lapse, and the next run takes it
 * over and finishes it, with its date: the ledger says what was already
 * erased, so nothing is counted twice. This works the same on PGlite and on
 * PostgreSQL, and with several servers on one database.
 *
 * Each record carries its action with its date (the rule that gave the
 * date: a processing may delete most of its records and archive some), and
 * the run walks the due records once per action: delete, anonymise
 * (anonymise.ts), archive (archive.ts).
 *
 * Kept whatever their date: records under a legal hold (record_holds) or a
 * GDPR restriction (frozen), and records whose processing left the register
 * (the DPO decides). A due record the run could not act on is counted as
 * "not applied" in the certificate, never skipped silently.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { withPrincipal, type Tx } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { currentVersionNumber, loadVersion, type LoadedRegister } from '../register/register-repository.ts';
import type { Processing } from '../register/schema.ts';
import { GENESIS } from '../journal/journal.ts';
import { anonymisedData, anonymiseRows } from './anonymise.ts';
import { archivable, archiveRows, finalDeletion } from './archive.ts';
import { queueDeletionNotices } from './deletion-notice.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { syncExpiries, type KeysSource } from './expiry-changes.ts';
import { certificateHash, EMPTY_DIGEST, ledgerTotals, type Certificate, type ProcessingOutcome } from './certificates.ts';
import { countLogsDue, journalCheckpoint, logsCutoff, logsDue, logsOutcome, logsProcessing, pruneJournalBatch, pruneSecurityLogBatch, type LogsOutcome } from './log-retention.ts';
import { countStoresDue, pruneAudienceBatch, pruneConsentProofsBatch, storesCutoffs, storesDue, storesOutcome, type StoresOutcome } from './consent-audience-retention.ts';

export interface RunOptions {
  /** The date retention is applied as of. */
  asOf: Date;
  dryRun?: boolean;
  batchSize?: number;
  /** How long a run may go without renewing its lease before another may take it over. */
  leaseMs?: number;
  /** After each batch: records erased so far, and how many were due when the run began. */
  onProgress?: (done: number, due: number) => void;
  /** The wall clock (leases), apart from `asOf`. */
  clock?: () => Date;
  /** The tenant keys, should expiry dates have to be recomputed from sealed fields first (syncExpiries), and to seal the notices before deletion. */
  keys?: KeysSource;
  /** Where the notices before deletion link to (BASTIDE_PUBLIC_URL). */
  publicUrl?: string | undefined;
}

export interface RunReport {
  tenantId: string;
  dryRun: boolean;
  /** Null for a dry run. */
  runId: string | null;
  /** True when this run finished one that an earlier process left unfinished. */
  resumed: boolean;
  asOf: string;
  registerVersion: number;
  processings: ProcessingOutcome[];
  outsideRegister: number;
  /** The security log and the access journal, under the register's securityLogProcessing; null without one. */
  logs: LogsOutcome | null;
  /** Proofs of consent and audience statistics, under consentProofProcessing and audienceProcessing. */
  stores: StoresOutcome;
  /** The certificate's number and hash; null for a dry run. */
  certificate: { seq: number; hash: string } | null;
  /** Records whose expiry date was recomputed first, because the register in force changed their rule. */
  expiriesRecomputed: number;
  /** A dry run only: the dates still follow this older register version (a register load was interrupted); the real run recomputes them first. */
  expiriesBehind: number | null;
  /** Notices before deletion queued after the run (retention.notifyBefore); null for a dry run, or when no key could seal them. */
  deletionNotices: number | null;
}

/** Another run of this tenant is going on. */
export class RetentionBusy extends Error {}
/** The run cannot start as asked (no register, a date before the last run's). */
export class RetentionRefused extends Error {}

const BATCH = 2000;
/** Log entries are small rows with no cascade: larger batches. */
const LOG_BATCH = 10_000;
/** A day of statistics is a few hundred rows across four tables. */
const AUDIENCE_DAYS_BATCH = 31;
const LEASE_MS = 5 * 60 * 1000;

const system = (tenantId: string) => ({ kind: 'system' as const, tenantId });

export async function currentRegister(db: Kysely<Tables>, tenantId: string): Promise<LoadedRegister> {
  const version = await currentVersionNumber(db, tenantId);
  const loaded = version === undefined ? undefined : await loadVersion(db, tenantId, version);
  if (!loaded) throw new RetentionRefused(`la collectivité ${tenantId} n’a pas de registre chargé`);
  return loaded;
}

type Action = 'delete' | 'anonymise' | 'archive';
const ACTIONS: readonly Action[] = ['delete', 'anonymise', 'archive'];

/**
 * Records past their date that a run may act on: not frozen, not held, of a
 * processing in the register. A record archived by this run (`since`: when
 * the run began) waits for the next one to reach its final deletion.
 */
function due(tenantId: string, asOf: Date, processingIds: readonly string[], since: Date | null) {
  return sql`r.tenant_id = ${tenantId} and r.processing_id = any(${processingIds}::text[]) and r.expires_at <= ${asOf} and not r.frozen
    and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)
    ${since ? sql`and (r.archived_at is null or r.archived_at < ${since})` : sql``}`;
}

async function countDue(trx: Tx, tenantId: string, asOf: Date, processingIds: readonly string[], since: Date): Promise<number> {
  if (processingIds.length === 0) return 0;
  const { rows } = await sql<{ n: string }>`select count(*) as n from records r where ${due(tenantId, asOf, processingIds, since)} and r.expiry_action is not null`.execute(trx);
  return Number(rows[0]!.n);
}

interface Expired {
  /** Free to act on, per action. */
  delete: number;
  anonymise: number;
  archive: number;
  /** Free, but with no action recorded yet (dates not recomputed since an upgrade). */
  unknown: number;
  /** Kept by a hold or a restriction. */
  held: number;
}

/** Past their date, per processing: how many may go, by action, and how many a hold or a restriction keeps. */
async function expiredByProcessing(trx: Tx, tenantId: string, asOf: Date, since: Date | null): Promise<Map<string, Expired>> {
  const { rows } = await sql<{ processing_id: string; expiry_action: Action | null; free: string; held: string }>`
    select r.processing_id, r.expiry_action,
      count(*) filter (where not r.frozen and h.record_id is null) as free,
      count(*) filter (where r.frozen or h.record_id is not null) as held
    from records r left join record_holds h on h.tenant_id = r.tenant_id and h.record_id = r.id
    where r.tenant_id = ${tenantId} and r.expires_at <= ${asOf}
      ${since ? sql`and (r.archived_at is null or r.archived_at < ${since})` : sql``}
    group by r.processing_id, r.expiry_action`.execute(trx);
  const out = new Map<string, Expired>();
  for (const r of rows) {
    const e = out.get(r.processing_id) ?? { delete: 0, anonymise: 0, archive: 0, unknown: 0, held: 0 };
    e[r.expiry_action ?? 'unknown'] += Number(r.free);
    e.held += Number(r.held);
    out.set(r.processing_id, e);
  }
  return out;
}

const ruleOf = (p: Processing) => ({ duration: p.retention.duration, from: p.retention.from, then: p.retention.then, conditionalRules: p.retention.rules.length });

const free = (e: Expired) => e.delete + e.anonymise + e.archive + e.unknown;

function outcomes(register: LoadedRegister, expired: Map<string, Expired>, ledger: Awaited<ReturnType<typeof ledgerTotals>>, dryRun: boolean) {
  const processings: ProcessingOutcome[] = register.register.processings.map((p) => {
    const left = expired.get(p.id) ?? { delete: 0, anonymise: 0, archive: 0, unknown: 0, held: 0 };
    const done = ledger.get(p.id) ?? { deleted: 0, anonymised: 0, archived: 0, digest: EMPTY_DIGEST };
    return {
      processingId: p.id,
      rule: ruleOf(p),
      // A dry run reports what the run would do now; after a run, anything still free was not done (a row locked at that moment, say).
      deleted: done.deleted + (dryRun ? left.delete : 0),
      anonymised: done.anonymised + (dryRun ? left.anonymise : 0),
      archived: done.archived + (dryRun && archivable(p) ? left.archive : 0),
      held: left.held,
      notApplied: dryRun ? left.unknown + (archivable(p) ? 0 : left.archive) : free(left),
      idsSha256: done.digest,
    };
  });
  const known = new Set(register.register.processings.map((p) => p.id));
  let outsideRegister = 0;
  for (const [id, n] of expired) if (!known.has(id)) outsideRegister += free(n) + n.held;
  return { processings, outsideRegister };
}

interface OpenRun {
  id: string;
  owner: string;
  asOf: Date;
  registerVersion: number;
  startedAt: Date;
  resumed: boolean;
}

/** Starts a run, or takes over one whose lease lapsed; RetentionBusy if one is alive. */
async function openRun(db: Kysely<Tables>, tenantId: string, register: LoadedRegister, asOf: Date, now: Date, leaseMs: number): Promise<OpenRun> {
  const owner = randomUUID();
  const lease = new Date(now.getTime() + leaseMs);
  try {
    return await withPrincipal(db, system(tenantId), async (trx) => {
      const open = await trx.selectFrom('retention_runs').select(['id', 'as_of', 'register_version', 'started_at', 'lease_until']).where('tenant_id', '=', tenantId).where('finished_at', 'is', null).forUpdate().executeTakeFirst();
      if (open) {
        if (new Date(open.lease_until) > now) throw new RetentionBusy(`une purge est déjà en cours pour ${tenantId} (commencée le ${new Date(open.started_at).toISOString()})`);
        await trx.updateTable('retention_runs').set({ lease_until: lease, lease_owner: owner }).where('tenant_id', '=', tenantId).where('id', '=', open.id).execute();
        return { id: open.id, owner, asOf: new Date(open.as_of), registerVersion: open.register_version, startedAt: new Date(open.started_at), resumed: true };
      }
      const last = await trx.selectFrom('retention_runs').select('as_of').where('tenant_id', '=', tenantId).where('finished_at', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      if (last && asOf < new Date(last.as_of))
        throw new RetentionRefused(`la date demandée (${asOf.toISOString()}) précède celle de la dernière purge (${new Date(last.as_of).toISOString()}) : les certificats se suivent dans le temps`);
      const id = randomUUID();
      await trx.insertInto('retention_runs').values({ tenant_id: tenantId, id, as_of: asOf, register_version: register.version, started_at: now, lease_until: lease, lease_owner: owner }).execute();
      return { id, owner, asOf, registerVersion: register.version, startedAt: now, resumed: false };
    });
  } catch (e) {
    // Two runs starting at once: the unique index lets one in.
    if ((e as { code?: string }).code === '23505') throw new RetentionBusy(`une purge est déjà en cours pour ${tenantId}`);
    throw e;
  }
}

/** Renews the lease inside a batch's transaction; the batch rolls back if another process took the run over. */
async function renewLease(trx: Tx, tenantId: string, run: OpenRun, until: Date): Promise<void> {
  const r = await trx.updateTable('retention_runs').set({ lease_until: until }).where('tenant_id', '=', tenantId).where('id', '=', run.id).where('lease_owner', '=', run.owner).where('finished_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new RetentionBusy(`la purge ${run.id} a été reprise par un autre processus`);
}

/** Where a walk over the due records stands: the last (expires_at, id) it handled, the date as PostgreSQL printed it (no precision lost). */
interface Cursor {
  at: string;
  id: string;
}
const START: Cursor = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

interface Batch {
  n: number;
  last: Cursor | null;
}

/** The next `size` due records of one action, locked; a row locked by someone else is skipped (the next run takes it). */
function nextDue(tenantId: string, run: OpenRun, processingIds: readonly string[], action: Action, size: number, after: Cursor) {
  // A deletion needs no data: reading it would only slow the batch.
  return sql`select r.id, r.processing_id, r.form_id, ${action === 'anonymise' ? sql`r.data` : sql`null as data`}, r.expires_at, r.expires_at::text as cursor_at from records r
    where ${due(tenantId, run.asOf, processingIds, run.startedAt)} and r.expiry_action = ${action}
      and (r.expires_at, r.id) > (${after.at}::timestamptz, ${after.id}::uuid)
    order by r.expires_at, r.id limit ${size} for update of r skip locked`;
}

/**
 * One batch of deletions in one statement; the ledger rows and what hangs
 * off the records go in one statement per table, by the deletion's trigger
 * (migration 20261204T0200). Batches walk the expiry index in order from where the
 * previous one stopped, so none reads again the entries of rows already
 * deleted (still there until vacuum).
 */
async function deleteBatch(trx: Tx, tenantId: string, run: OpenRun, processingIds: readonly string[], size: number, after: Cursor): Promise<Batch> {
  // The deletion's trigger writes the ledger rows, under this run's id.
  await sql`select set_config('app.run', ${run.id}, true)`.execute(trx);
  const { rows } = await sql<{ n: string; last_at: string | null; last_id: string | null }>`
    with doomed as (${nextDue(tenantId, run, processingIds, 'delete', size, after)}),
    gone as (delete from records r using doomed d where r.tenant_id = ${tenantId} and r.id = d.id returning r.id),
    last as (select cursor_at, id from doomed order by expires_at desc, id desc limit 1)
    select (select count(*) from gone) as n, (select cursor_at from last) as last_at, (select id::text from last) as last_id`.execute(trx);
  const r = rows[0]!;
  return { n: Number(r.n), last: r.last_at && r.last_id ? { at: r.last_at, id: r.last_id } : null };
}

type DueRow = { id: string; processing_id: string; form_id: string; data: Record<string, unknown> | string; expires_at: Date | string; cursor_at: string };

const lastOf = (rows: readonly DueRow[]): Cursor | null => (rows.length > 0 ? { at: rows.at(-1)!.cursor_at, id: rows.at(-1)!.id } : null);

async function anonymiseBatch(trx: Tx, tenantId: string, run: OpenRun, byId: ReadonlyMap<string, Processing>, size: number, at: Date, after: Cursor): Promise<Batch> {
  const { rows } = await sql<DueRow>`${nextDue(tenantId, run, [...byId.keys()], 'anonymise', size, after)}`.execute(trx);
  const kept = rows.map((r) => ({ id: r.id, processingId: r.processing_id, data: anonymisedData(byId.get(r.processing_id)!, r.form_id, typeof r.data === 'string' ? JSON.parse(r.data) : r.data) }));
  return { n: await anonymiseRows(trx, tenantId, run.id, at, kept), last: lastOf(rows) };
}

async function archiveBatch(trx: Tx, tenantId: string, run: OpenRun, byId: ReadonlyMap<string, Processing>, size: number, at: Date, after: Cursor): Promise<Batch> {
  const ids = [...byId.values()].filter(archivable).map((p) => p.id);
  if (ids.length === 0) return { n: 0, last: null };
  const { rows } = await sql<DueRow>`${nextDue(tenantId, run, ids, 'archive', size, after)}`.execute(trx);
  const moved = rows.map((r) => ({ id: r.id, processingId: r.processing_id, finalAt: finalDeletion(byId.get(r.processing_id)!, new Date(r.expires_at)) }));
  return { n: await archiveRows(trx, tenantId, run.id, at, moved), last: lastOf(rows) };
}

export async function runRetention(db: Kysely<Tables>, tenantId: string, options: RunOptions): Promise<RunReport> {
  const clock = options.clock ?? (() => new Date());
  const register = await currentRegister(db, tenantId);
  const byId = new Map(register.register.processings.map((p) => [p.id, p]));
  const processingIds = [...byId.keys()];
  if (options.dryRun) {
    const expired = await withPrincipal(db, system(tenantId), (trx) => expiredByProcessing(trx, tenantId, options.asOf, null));
    const { processings, outsideRegister } = outcomes(register, expired, new Map(), true);
    const tenant = await db.selectFrom('tenants').select('expiries_version').where('id', '=', tenantId).executeTakeFirst();
    const behind = tenant?.expiries_version !== register.version ? (tenant?.expiries_version ?? 0) : null;
    const { logs, stores } = await withPrincipal(db, system(tenantId), async (trx) => ({
      logs: await logsDue(trx, tenantId, register.register, options.asOf),
      stores: await storesDue(trx, tenantId, register.register, options.asOf),
    }));
    return { tenantId, dryRun: true, runId: null, resumed: false, asOf: options.asOf.toISOString(), registerVersion: register.version, processings, outsideRegister, logs, stores, certificate: null, expiriesRecomputed: 0, expiriesBehind: behind, deletionNotices: null };
  }

  // Never delete by a rule the register no longer states.
  const keys: KeysSource =
    options.keys ??
    (() => {
      throw new RetentionRefused(`les dates de suppression de ${tenantId} doivent être recalculées depuis des champs chiffrés : la clé maîtresse est nécessaire (BASTIDE_MASTER_KEY ou BASTIDE_MASTER_KEY_FILE)`);
    });
  const recomputed = (await syncExpiries(db, keys, tenantId)).reduce((n, m) => n + m.earlier + m.later, 0);

  const leaseMs = options.leaseMs ?? LEASE_MS;
  const run = await openRun(db, tenantId, register, options.asOf, clock(), leaseMs);
  const size = options.batchSize ?? BATCH;
  const logs = logsProcessing(register.register);
  const cutoff = logs ? logsCutoff(logs, run.asOf) : null;
  const storeCutoffs = storesCutoffs(register.register, run.asOf);
  const total = await withPrincipal(db, system(tenantId), async (trx) => {
    const records = await countDue(trx, tenantId, run.asOf, processingIds, run.startedAt);
    const entries = cutoff ? await countLogsDue(trx, tenantId, cutoff, (await journalCheckpoint(trx, tenantId))?.seq ?? 0) : { securityLog: 0, journal: 0 };
    const stored = await countStoresDue(trx, tenantId, storeCutoffs);
    return records + entries.securityLog + entries.journal + stored.proofs + stored.days;
  });
  let done = 0;
  options.onProgress?.(done, total);
  const batches: Record<Action, (trx: Tx, after: Cursor) => Promise<Batch>> = {
    delete: (trx, after) => deleteBatch(trx, tenantId, run, processingIds, size, after),
    anonymise: (trx, after) => anonymiseBatch(trx, tenantId, run, byId, size, clock(), after),
    archive: (trx, after) => archiveBatch(trx, tenantId, run, byId, size, clock(), after),
  };
  for (const action of ACTIONS) {
    let after = START;
    for (;;) {
      const batch = await withPrincipal(db, system(tenantId), async (trx) => {
        await renewLease(trx, tenantId, run, new Date(clock().getTime() + leaseMs));
        return batches[action](trx, after);
      });
      done += batch.n;
      options.onProgress?.(done, total);
      if (batch.n < size || !batch.last) break;
      after = batch.last;
    }
  }

  // Everything else a run prunes, batch after batch, each batch with its count in one transaction.
  const prunes: Array<(trx: Tx) => Promise<number>> = [
    ...(cutoff ? [(trx: Tx) => pruneSecurityLogBatch(trx, tenantId, run.id, cutoff, LOG_BATCH), (trx: Tx) => pruneJournalBatch(trx, tenantId, run.id, cutoff, LOG_BATCH, clock())] : []),
    (trx) => pruneConsentProofsBatch(trx, tenantId, run.id, storeCutoffs.proofs, LOG_BATCH),
    (trx) => pruneAudienceBatch(trx, tenantId, run.id, storeCutoffs.audienceBefore, AUDIENCE_DAYS_BATCH),
  ];
  for (const prune of prunes)
    for (;;) {
      const n = await withPrincipal(db, system(tenantId), async (trx) => {
        await renewLease(trx, tenantId, run, new Date(clock().getTime() + leaseMs));
        return prune(trx);
      });
      done += n;
      options.onProgress?.(done, total);
      if (n === 0) break;
    }

  const report = await withPrincipal(db, system(tenantId), async (trx) => {
    await renewLease(trx, tenantId, run, new Date(clock().getTime() + leaseMs));
    const logsDone = logs ? await logsOutcome(trx, tenantId, run.id, logs) : null;
    const storesDone = await storesOutcome(trx, tenantId, run.id, storeCutoffs);
    const expired = await expiredByProcessing(trx, tenantId, run.asOf, run.startedAt);
    const ledger = await ledgerTotals(trx, tenantId, run.id);
    const { processings, outsideRegister } = outcomes(register, expired, ledger, false);
    const last = await trx.selectFrom('retention_runs').select(['seq', 'hash']).where('tenant_id', '=', tenantId).where('finished_at', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS;
    const finishedAt = clock();
    const certificate: Certificate = {
      tenantId,
      runId: run.id,
      asOf: run.asOf.toISOString(),
      registerVersion: run.registerVersion,
      startedAt: run.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      processings,
      outsideRegister,
      logs: logsDone,
      stores: storesDone,
    };
    const text = JSON.stringify(certificate);
    const hash = certificateHash(prevHash, text);
    await trx.updateTable('retention_runs').set({ finished_at: finishedAt, seq, certificate: text, prev_hash: prevHash, hash }).where('tenant_id', '=', tenantId).where('id', '=', run.id).execute();
    return { tenantId, dryRun: false, runId: run.id, resumed: run.resumed, asOf: certificate.asOf, registerVersion: run.registerVersion, processings, outsideRegister, logs: logsDone, stores: storesDone, certificate: { seq, hash }, expiriesRecomputed: recomputed, expiriesBehind: null, deletionNotices: null };
  });
  // A resumed run's date is the first one's; the notices speak of today, or of the later date a run was asked for.
  const noticeDate = new Date(Math.max(run.asOf.getTime(), clock().getTime()));
  return { ...report, deletionNotices: await notices(db, register, keys, noticeDate, options.publicUrl) };
}

/** The notices before deletion now due; they are no part of the certificate. Without a key to seal them, none (null). */
async function notices(db: Kysely<Tables>, register: LoadedRegister, keys: KeysSource, asOf: Date, publicUrl: string | undefined): Promise<number | null> {
  if (!register.register.processings.some((p) => p.retention.notifyBefore)) return 0;
  let tenantKeys: TenantKeys;
  try {
    tenantKeys = keys();
  } catch {
    // No master key here (a CLI without BASTIDE_MASTER_KEY): the run itself stands, the notices wait for one that has it.
    return null;
  }
  return queueDeletionNotices(db, tenantKeys, register, asOf, publicUrl);
}
