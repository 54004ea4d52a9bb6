/**
 * Purge certificates: what a retention run did, per processing, with no
 * personal data (counts, the rule applied, a SHA-256 of the sorted ids of
 * the records it erased). Each certificate's hash covers the previous one's,
 * so a certificate changed, removed or reordered breaks the chain at that
 * point; `verifyCertificates` also recounts each one against the erasure
 * ledger, so a certificate rewritten with a consistent chain is still named.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/principal.ts';
import { GENESIS } from '../journal/journal.ts';
import type { LogsOutcome } from './log-retention.ts';
import type { StoresOutcome } from './consent-audience-retention.ts';

export interface ProcessingOutcome {
  processingId: string;
  /** The rule as the register stated it when the run started. */
  rule: { duration: string; from: string; then: string; conditionalRules: number };
  deleted: number;
  anonymised: number;
  archived: number;
  /** Past their date but kept: a legal hold or a GDPR restriction (frozen). */
  held: number;
  /** Past their date, for an action this version does not apply yet (anonymise, archive). */
  notApplied: number;
  /** SHA-256 (hex) of the erased records' ids, sorted, one a line. */
  idsSha256: string;
}

export interface Certificate {
  tenantId: string;
  runId: string;
  asOf: string;
  registerVersion: number;
  startedAt: string;
  finishedAt: string;
  processings: ProcessingOutcome[];
  /** Expired records whose processing is no longer in the register: kept, for the DPO to decide. */
  outsideRegister: number;
  /** The security log and the access journal (absent from certificates written before logs were pruned). */
  logs?: LogsOutcome | null;
  /** Proofs of consent and audience statistics (absent from certificates written before they existed). */
  stores?: StoresOutcome;
}

export function certificateHash(prevHash: string, text: string): string {
  return createHash('sha256').update(`${prevHash}\n${text}`).digest('hex');
}

/** Per processing and action, what the ledger holds for a run: count and digest of the ids. */
export async function ledgerTotals(trx: Tx, tenantId: string, runId: string): Promise<Map<string, { deleted: number; anonymised: number; archived: number; digest: string }>> {
  const { rows } = await sql<{ processing_id: string; action: string; n: string; digest: string }>`
    select processing_id, action, count(*) as n,
      encode(sha256(convert_to(string_agg(record_id::text || E'\\n', '' order by record_id), 'UTF8')), 'hex') as digest
    from erasure_ledger where tenant_id = ${tenantId} and run_id = ${runId}
    group by processing_id, action`.execute(trx);
  const out = new Map<string, { deleted: number; anonymised: number; archived: number; digest: string }>();
  for (const r of rows) {
    const t = out.get(r.processing_id) ?? { deleted: 0, anonymised: 0, archived: 0, digest: EMPTY_DIGEST };
    if (r.action === 'delete') t.deleted = Number(r.n);
    else if (r.action === 'anonymise') t.anonymised = Number(r.n);
    else t.archived = Number(r.n);
    // One action per processing and run: the digest is that action's list.
    t.digest = r.digest;
    out.set(r.processing_id, t);
  }
  return out;
}

export const EMPTY_DIGEST = createHash('sha256').update('').digest('hex');

export interface StoredCertificate {
  seq: number;
  runId: string;
  hash: string;
  prevHash: string;
  certificate: Certificate;
}

/** Finished runs in order; `seq` alone when given (a download). */
export async function listCertificates(trx: Tx, tenantId: string, seq?: number): Promise<Array<StoredCertificate & { text: string }>> {
  const rows = await trx
    .selectFrom('retention_runs')
    .select(['id', 'seq', 'certificate', 'prev_hash', 'hash'])
    .where('tenant_id', '=', tenantId)
    .where('finished_at', 'is not', null)
    .$if(seq !== undefined, (q) => q.where('seq', '=', String(seq)))
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), runId: r.id, hash: r.hash ?? '', prevHash: r.prev_hash ?? '', text: r.certificate ?? '', certificate: JSON.parse(r.certificate ?? '{}') as Certificate }));
}

export type CertificatesCheck =
  | { ok: true; tenantId: string; certificates: number; recounted: number }
  | { ok: false; tenantId: string; certificates: number; seq: number; runId: string; problem: string };

/**
 * Checks the whole chain (numbers, previous hashes, each certificate's own
 * hash) and recounts certificates against the erasure ledger: all of them,
 * or with `recountLast` only the latest ones, so that a page shown often
 * does not reread years of ledger each time (`retention certificates
 * --verify` recounts all).
 */
export async function verifyCertificates(trx: Tx, tenantId: string, options: { recountLast?: number } = {}): Promise<CertificatesCheck> {
  const all = await listCertificates(trx, tenantId);
  const recountFrom = options.recountLast === undefined ? 0 : Math.max(0, all.length - options.recountLast);
  let prev = GENESIS;
  for (const [i, c] of all.entries()) {
    const bad = (problem: string): CertificatesCheck => ({ ok: false, tenantId, certificates: all.length, seq: c.seq, runId: c.runId, problem });
    if (c.seq !== i + 1) return bad(`certificat manquant avant le n° ${c.seq}`);
    if (c.prevHash !== prev) return bad('il ne suit plus le certificat précédent (chaîne rompue)');
    if (certificateHash(prev, c.text) !== c.hash) return bad('son contenu a été modifié après sa signature');
    prev = c.hash;
    if (i < recountFrom) continue;
    const totals = await ledgerTotals(trx, tenantId, c.runId);
    for (const p of c.certificate.processings) {
      const t = totals.get(p.processingId) ?? { deleted: 0, anonymised: 0, archived: 0, digest: EMPTY_DIGEST };
      if (t.deleted !== p.deleted || t.anonymised !== p.anonymised || t.archived !== p.archived || t.digest !== p.idsSha256)
        return bad(`le registre des effacements ne correspond pas pour le traitement ${p.processingId}`);
      totals.delete(p.processingId);
    }
    if (totals.size > 0) return bad(`des effacements ne figurent pas au certificat (traitement ${[...totals.keys()].join(', ')})`);
  }
  return { ok: true, tenantId, certificates: all.length, recounted: all.length - recountFrom };
}
