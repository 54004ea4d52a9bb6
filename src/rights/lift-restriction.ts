/** Lifting a restriction (art. 18.3): the records this request froze are unfrozen, and the person is told before processing resumes. */
import type { Actor } from '../accounts/actor.ts';
import { applyPrincipal } from '../db/principal.ts';
import { AppError } from '../errors/app-error.ts';
import { appendJournalWithRecords } from '../journal/journal-records.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { lockRequest, outcomeOf } from './request-repository.ts';
import { liftedMail } from './rights-mail.ts';
import { requestSubjects } from './subject-records.ts';
import { recordStep, warmKeys, type RightsDeps } from './verification.ts';

export async function liftRestriction(deps: RightsDeps, loaded: LoadedRegister, actor: Actor, id: string, now = new Date()): Promise<{ unfrozen: string[] }> {
  const tenantId = loaded.tenantId;
  await warmKeys(deps, tenantId);
  return deps.db.transaction().execute(async (trx) => {
    await applyPrincipal(trx, { kind: 'dpo', tenantId, agentId: actor.agentId });
    const row = await lockRequest(trx, tenantId, id);
    if (!row) throw new AppError('rights-request-not-found');
    if (row.type !== 'restriction' || row.state !== 'done' || row.restriction_lifted_at)
      throw new AppError('rights-request-state', 'Seule une limitation en vigueur, déjà appliquée, peut être levée.');
    const outcome = outcomeOf(row);
    await applyPrincipal(trx, { kind: 'rights', tenantId, subjects: requestSubjects(row) });
    const ids = outcome?.frozen ?? [];
    const unfrozen =
      ids.length === 0 ? [] : (await trx.updateTable('records').set({ frozen: false, updated_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', ids).where('frozen', '=', true).returning('id').execute()).map((r) => r.id);
    if (unfrozen.length > 0) await appendJournalWithRecords(trx, tenantId, { actorId: actor.agentId, actor: actor.email, action: 'rights' }, `demande d’exercice des droits ${row.id} : limitation levée`, unfrozen);
    await recordStep(deps, trx, loaded, row, {
      set: { restriction_lifted_at: now },
      note: { by: actor.email, kind: 'lift', text: 'Limitation levée.' },
      mail: (to) => liftedMail({ to, tenantName: loaded.register.tenant.name, requestId: row.id, type: row.type }),
      journal: { actorId: actor.agentId, actor: actor.email, purpose: `demande d’exercice des droits ${row.id} : la personne est informée de la levée de la limitation` },
    }, now);
    return { unfrozen };
  });
}
