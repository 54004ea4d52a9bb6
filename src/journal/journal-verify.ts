/** `journal verify`: walks a tenant's chain and names the first row that does not hold. */
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { GENESIS, rowHash } from './journal.ts';
import { journalRecordsDigest, parseListPurpose } from './journal-records.ts';
import { checkpointProblem, journalCheckpoint } from '../retention/log-retention.ts';

/**
 * `rows`: entries checked. `pruned`: the oldest entries retention removed
 * (their last one's hash, kept in the checkpoint, starts the check).
 */
export type VerifyResult =
  | { ok: true; tenantId: string; rows: number; pruned: number }
  | { ok: false; tenantId: string; rows: number; pruned: number; firstBadSeq: number; problem: string };

const PAGE = 5000;

export async function verifyJournal(db: Kysely<Tables>, tenantId: string): Promise<VerifyResult> {
  return withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
    const checkpoint = await journalCheckpoint(trx, tenantId);
    const pruned = checkpoint?.seq ?? 0;
    let prev = checkpoint?.hash ?? GENESIS;
    let expected = pruned + 1;
    const checked = () => expected - 1 - pruned;
    const problem = checkpoint && (await checkpointProblem(trx, tenantId, checkpoint));
    if (problem) return { ok: false, tenantId, rows: 0, pruned, firstBadSeq: expected, problem };
    for (;;) {
      const rows = await trx.selectFrom('journal').selectAll().where('tenant_id', '=', tenantId).where('seq', '>=', String(expected)).orderBy('seq').limit(PAGE).execute();
      for (const r of rows) {
        const seq = Number(r.seq);
        const bad = (problem: string): VerifyResult => ({ ok: false, tenantId, rows: checked(), pruned, firstBadSeq: seq, problem });
        if (seq !== expected) return { ok: false, tenantId, rows: checked(), pruned, firstBadSeq: expected, problem: `ligne ${expected} absente (supprimée ?)` };
        if (r.prev_hash !== prev) return bad(`ligne ${seq} : ne suit pas la ligne ${seq - 1} (ordre modifié ou ligne précédente changée)`);
        const hash = rowHash(prev, { tenantId, seq, at: new Date(r.at).toISOString(), actorId: r.actor_id, actor: r.actor, action: r.action as 'read', recordId: r.record_id, purpose: r.purpose });
        if (hash !== r.hash) return bad(`ligne ${seq} : contenu modifié`);
        // An entry naming a list (an export): the chained purpose holds the digest of the ids stored beside it.
        const list = parseListPurpose(r.purpose);
        if (list) {
          const named = await journalRecordsDigest(trx, tenantId, seq);
          if (named.count !== list.count || named.digest !== list.digest) return bad(`ligne ${seq} : la liste des demandes qu’elle nomme a été modifiée`);
        }
        prev = r.hash;
        expected++;
      }
      if (rows.length < PAGE) break;
    }
    const head = await trx.selectFrom('journal_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
    const last = expected - 1;
    if (head && (Number(head.seq) !== last || head.hash !== prev))
      return { ok: false, tenantId, rows: checked(), pruned, firstBadSeq: last + 1, problem: `les dernières lignes (après la ligne ${last}) ont été supprimées` };
    return { ok: true, tenantId, rows: checked(), pruned };
  });
}
