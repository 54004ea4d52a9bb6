/**
 * What an administrator changes on an account: name, role and services,
 * disabled or not. A tenant always keeps one enabled administrator: the
 * change that would leave none is refused (the admin rows are locked first,
 * so two admins demoting each other at once cannot both pass).
 *
 * Disabling ends the account's sessions at once and revokes its tokens: a
 * re-enabled account signs in again and gets new tokens, old copies stay
 * dead. A role change ends the sessions too, so that a new admin or DPO
 * signs in again through the second factor their role requires.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { endAccountSessions } from '../sessions/session-store.ts';
import { AGENT_ROLES, type AgentRole } from './agents-repository.ts';
import { revokeAgentTokens } from './token-list.ts';

export type FieldError = { field: string; message: string };

export const NAME_MAX = 100;

export function checkName(name: string): FieldError | undefined {
  if (!name) return { field: 'name', message: 'Saisissez le nom de la personne, par exemple « Léa Martin ».' };
  if ([...name].length > NAME_MAX) return { field: 'name', message: `Le nom compte ${[...name].length} caractères : ${NAME_MAX} au plus.` };
  if (/[\u0000-\u001f\u007f]/.test(name)) return { field: 'name', message: 'Le nom contient des caractères de contrôle : retirez-les.' };
  return undefined;
}

/** Role and services as the register in force allows them, each problem tied to its field. */
export function checkRoleAndServices(loaded: LoadedRegister, role: string, services: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!AGENT_ROLES.includes(role as AgentRole)) errors.push({ field: 'role', message: 'Choisissez un rôle : agent, délégué à la protection des données ou administrateur.' });
  const declared = new Set(loaded.register.services.map((s) => s.id));
  if (services.some((s) => !declared.has(s))) errors.push({ field: 'services', message: 'Choisissez des services parmi ceux du registre en vigueur.' });
  else if (role === 'agent' && services.length === 0) errors.push({ field: 'services', message: 'Un agent doit être rattaché à au moins un service : cochez-en un.' });
  return errors;
}

const LAST_ADMIN = 'La collectivité doit garder au moins un administrateur actif : nommez d’abord un autre administrateur.';

/** Locks the enabled admins and says whether one would remain once `agentId` is no longer one of them. */
async function anotherAdminRemains(trx: Transaction<Tables>, tenantId: string, agentId: string): Promise<boolean> {
  const admins = await trx.selectFrom('agents').select('id').where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).forUpdate().execute();
  return admins.some((a) => a.id !== agentId);
}

export type AdminResult = { ok: true } | { ok: false; errors: FieldError[] } | { ok: false; notFound: true };

export async function updateAgent(db: Kysely<Tables>, loaded: LoadedRegister, agentId: string, input: { name: string; role: string; services: readonly string[] }): Promise<AdminResult> {
  const name = input.name.trim();
  const services = [...new Set(input.services)].sort();
  const errors = [checkName(name), ...checkRoleAndServices(loaded, input.role, services)].filter((e): e is FieldError => e !== undefined);
  if (errors.length > 0) return { ok: false, errors };
  const tenantId = loaded.tenantId;
  const role = input.role as AgentRole;
  const outcome = await db.transaction().execute(async (trx): Promise<AdminResult | 'role-changed' | 'same-role'> => {
    const current = await trx.selectFrom('agents').select(['role', 'disabled_at']).where('tenant_id', '=', tenantId).where('id', '=', agentId).forUpdate().executeTakeFirst();
    if (!current) return { ok: false, notFound: true };
    if (current.role === 'admin' && role !== 'admin' && current.disabled_at === null && !(await anotherAdminRemains(trx, tenantId, agentId)))
      return { ok: false, errors: [{ field: 'role', message: LAST_ADMIN }] };
    await trx.updateTable('agents').set({ display_name: name, role }).where('tenant_id', '=', tenantId).where('id', '=', agentId).execute();
    await trx.deleteFrom('agent_services').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).execute();
    if (services.length > 0) await trx.insertInto('agent_services').values(services.map((service_id) => ({ tenant_id: tenantId, agent_id: agentId, service_id }))).execute();
    return current.role === role ? 'same-role' : 'role-changed';
  });
  if (typeof outcome !== 'string') return outcome;
  if (outcome === 'role-changed') await endAccountSessions(db, tenantId, 'agent', agentId);
  return { ok: true };
}

export async function setAgentDisabled(db: Kysely<Tables>, tenantId: string, agentId: string, disabled: boolean, now = new Date()): Promise<AdminResult> {
  const outcome = await db.transaction().execute(async (trx): Promise<AdminResult> => {
    const current = await trx.selectFrom('agents').select(['role', 'disabled_at']).where('tenant_id', '=', tenantId).where('id', '=', agentId).forUpdate().executeTakeFirst();
    if (!current) return { ok: false, notFound: true };
    if (disabled && current.role === 'admin' && current.disabled_at === null && !(await anotherAdminRemains(trx, tenantId, agentId)))
      return { ok: false, errors: [{ field: 'disable', message: LAST_ADMIN }] };
    await trx
      .updateTable('agents')
      .set({ disabled_at: disabled ? now : null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .execute();
    return { ok: true };
  });
  if (outcome.ok && disabled) {
    await endAccountSessions(db, tenantId, 'agent', agentId, now);
    await revokeAgentTokens(db, tenantId, agentId, now);
  }
  return outcome;
}
