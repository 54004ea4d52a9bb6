/**
 * Legal holds: the DPO keeps a record past its retention for a reason the
 * law allows (a litigation, an unpaid bill). A held record is not deleted
 * by a retention run nor with its citizen's account; the hold's foreign key
 * refuses any deletion while it lasts. The reason is for the DPO and the
 * certificates' readers, not shown to the citizen.
 */
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { appendJournal } from '../journal/journal.ts';

/** Who sets or lifts a hold, as the journal names them. */
export interface HoldActor {
  actorId: string | null;
  actor: string;
}

export const HOLD_PURPOSE = 'conservation pour raison juridique décidée par le délégué à la protection des données';
export const RELEASE_PURPOSE = 'levée de la conservation pour raison juridique';

export interface Hold {
  recordId: string;
  processingId: string;
  reason: string;
  setBy: string;
  setAt: Date;
}

export type HoldResult = { ok: true; hold: Hold; replaced: boolean } | { ok: false; problem: string };

const system = (tenantId: string) => ({ kind: 'system' as const, tenantId });

/** Sets (or replaces the reason of) a hold, journaled in the same transaction. */
export async function setHold(db: Kysely<Tables>, tenantId: string, recordId: string, reason: string, by: HoldActor): Promise<HoldResult> {
  const setBy = by.actor;
  const why = reason.trim();
  if (why.length < 3) return { ok: false, problem: 'motif : indiquez pourquoi la demande doit être conservée (au moins 3 caractères)' };
  if (why.length > 500) return { ok: false, problem: `motif : 500 caractères au plus (${why.length} reçus)` };
  if (!isUuid(recordId)) return { ok: false, problem: `demande : identifiant invalide (« ${String(recordId).slice(0, 60)} »)` };
  const id = recordId.toLowerCase();
  return withPrincipal(db, system(tenantId), async (trx) => {
    const record = await trx.selectFrom('records').select('processing_id').where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!record) return { ok: false, problem: `demande : aucune demande ${id} dans cette collectivité (déjà supprimée, ou jamais reçue)` };
    const previous = await trx.selectFrom('record_holds').select('record_id').where('tenant_id', '=', tenantId).where('record_id', '=', id).executeTakeFirst();
    const setAt = new Date();
    await trx
      .insertInto('record_holds')
      .values({ tenant_id: tenantId, record_id: id, reason: why, set_by: setBy, set_at: setAt })
      .onConflict((oc) => oc.columns(['tenant_id', 'record_id']).doUpdateSet({ reason: why, set_by: setBy, set_at: setAt }))
      .execute();
    await appendJournal(trx, tenantId, { actorId: by.actorId, actor: by.actor, action: 'hold', recordId: id, purpose: HOLD_PURPOSE });
    return { ok: true, replaced: previous !== undefined, hold: { recordId: id, processingId: record.processing_id, reason: why, setBy, setAt } };
  });
}

/** True when a hold was lifted (journaled); false when there was none. */
export async function releaseHold(db: Kysely<Tables>, tenantId: string, recordId: string, by: HoldActor): Promise<boolean> {
  if (!isUuid(recordId)) return false;
  const id = recordId.toLowerCase();
  return withPrincipal(db, system(tenantId), async (trx) => {
    const r = await trx.deleteFrom('record_holds').where('tenant_id', '=', tenantId).where('record_id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) return false;
    await appendJournal(trx, tenantId, { actorId: by.actorId, actor: by.actor, action: 'release', recordId: id, purpose: RELEASE_PURPOSE });
    return true;
  });
}

export async function listHolds(db: Kysely<Tables>, tenantId: string): Promise<Hold[]> {
  const rows = await withPrincipal(db, system(tenantId), (trx) =>
    trx
      .selectFrom('record_holds as h')
      .innerJoin('records as r', (j) => j.onRef('r.tenant_id', '=', 'h.tenant_id').onRef('r.id', '=', 'h.record_id'))
      .select(['h.record_id', 'r.processing_id', 'h.reason', 'h.set_by', 'h.set_at'])
      .where('h.tenant_id', '=', tenantId)
      .orderBy('h.set_at')
      .execute(),
  );
  return rows.map((r) => ({ recordId: r.record_id, processingId: r.processing_id, reason: r.reason, setBy: r.set_by, setAt: new Date(r.set_at) }));
}
