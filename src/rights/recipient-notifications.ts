/**
 * Article 19: each recipient to whom the records were disclosed (the CAF,
 * the Trésor public…) is told of their rectification, erasure or
 * restriction. The register names who receives what, not how to reach
 * them, so the platform lists who is to be told, per request, and the DPO
 * records each notification once made: when, and what was sent (sealed
 * with the request, since it may name the person). The outcome keeps the
 * recipient's id and the record ids only.
 */
import type { Actor } from '../accounts/actor.ts';
import { withPrincipal } from '../db/principal.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Outcome, RecipientNotice } from './outcome.ts';
import { lockRequest, outcomeOf } from './request-repository.ts';
import { checkReason, recordStep, warmKeys, type RightsDeps } from './verification.ts';

/** Who received the changed records, each with the records concerned, in the register's order. */
export function recipientsToNotify(loaded: LoadedRegister, changed: ReadonlyArray<{ id: string; processingId: string }>): RecipientNotice[] {
  const byRecipient = new Map<string, RecipientNotice>();
  for (const r of changed) {
    const processing = loaded.register.processings.find((p) => p.id === r.processingId);
    for (const recipientId of processing?.recipients ?? []) {
      const name = loaded.register.recipients.find((x) => x.id === recipientId)?.name ?? recipientId;
      const notice = byRecipient.get(recipientId) ?? { recipientId, name, records: [] as string[] };
      byRecipient.set(recipientId, notice);
      if (!notice.records.includes(r.id)) notice.records.push(r.id);
    }
  }
  return [...byRecipient.values()];
}

const WHAT: Record<string, string> = { rectification: 'rectification', erasure: 'effacement', objection: 'effacement', restriction: 'limitation du traitement' };

/** The sentence of the answer that names the recipients (art. 19, second sentence). */
export function recipientsSentence(type: string, notices: readonly RecipientNotice[]): string[] {
  if (notices.length === 0) return [];
  return [`Ces données avaient été communiquées à : ${notices.map((n) => n.name).join(', ')}. Nous les informons de cette ${WHAT[type] ?? 'décision'} (article 19 du RGPD).`];
}

export const pendingNotices = (outcome: Outcome | null) => (outcome?.notifications ?? []).filter((n) => !n.notifiedAt);

/** The DPO records that one recipient was told, and what was sent. Once per recipient. */
export async function recordNotification(
  deps: RightsDeps,
  loaded: LoadedRegister,
  actor: Actor,
  id: string,
  body: { recipient?: unknown; what?: unknown },
  now = new Date(),
): Promise<{ id: string; recipient: string; notifiedAt: Date; pending: number }> {
  const what = checkReason(body.what, 'ce qui a été transmis au destinataire, quand et par quel moyen (par exemple « courrier du 4 décembre à la CAF : adresse rectifiée »)');
  const tenantId = loaded.tenantId;
  await warmKeys(deps, tenantId);
  return withPrincipal(deps.db, { kind: 'dpo', tenantId, agentId: actor.agentId }, async (trx) => {
    const row = await lockRequest(trx, tenantId, id);
    if (!row) throw new AppError('rights-request-not-found');
    const outcome = outcomeOf(row);
    const notices = outcome?.notifications ?? [];
    if (row.state !== 'done' || notices.length === 0) throw new AppError('rights-request-state', 'Cette demande n’a modifié aucune donnée communiquée à un destinataire : il n’y a personne à informer.');
    const notice = notices.find((n) => n.recipientId === body.recipient);
    if (!notice)
      throw new AppError('bad-request', `Le champ « recipient » désigne l’un des destinataires à informer : ${notices.map((n) => `« ${n.recipientId} » (${n.name})`).join(', ')}.`);
    if (notice.notifiedAt) throw new AppError('rights-request-state', `L’information de ${notice.name} est déjà enregistrée.`);
    notice.notifiedAt = now.toISOString();
    await recordStep(deps, trx, loaded, row, {
      set: { outcome: JSON.stringify(outcome) },
      note: { by: actor.email, kind: 'notification', text: `${notice.name} : ${what}` },
      journal: { actorId: actor.agentId, actor: actor.email, purpose: `demande d’exercice des droits ${row.id} : ${notice.name} informé (article 19 du RGPD)` },
    }, now);
    return { id: row.id, recipient: notice.recipientId, notifiedAt: now, pending: notices.filter((n) => !n.notifiedAt).length };
  });
}
