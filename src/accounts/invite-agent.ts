/**
 * An administrator invites a colleague: the account is created without a
 * password, and a single-use link valid three days is e-mailed for them to
 * choose one. Until then nobody can sign in to it (sign-in treats an account
 * without password as unknown). An invitation can be sent again while the
 * password is not chosen; the earlier link then stops working.
 */
import type { Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { issueLink } from './account-links.ts';
import { invitationMail, queueAccountMail } from './account-mail.ts';
import { addAgent } from './add-agent.ts';
import { checkName, checkRoleAndServices, type FieldError } from './agent-admin.ts';
import { ROLE_NAMES } from './agent-directory.ts';
import type { AgentRole } from './agents-repository.ts';

export const invitationPagePath = (tenantId: string) => `/${tenantId}/back-office/invitation`;

export interface Invitation {
  email: string;
  name: string;
  role: string;
  services: readonly string[];
}

export type InviteResult = { ok: true; agentId: string } | { ok: false; errors: FieldError[] };

async function sendInvitation(db: Kysely<Tables>, keys: TenantKeys, loaded: LoadedRegister, agent: { id: string; email: string; name: string; role: AgentRole }, baseUrl: string): Promise<void> {
  const link = await issueLink(db, { tenantId: loaded.tenantId, purpose: 'invitation', accountKind: 'agent', accountId: agent.id });
  const url = `${baseUrl}${invitationPagePath(loaded.tenantId)}?jeton=${link.token}`;
  const mail = invitationMail({ to: agent.email, name: agent.name, tenantName: loaded.register.tenant.name, roleLabel: ROLE_NAMES[agent.role], url, expiresAt: link.expiresAt });
  await queueAccountMail(db, keys, loaded.tenantId, mail, link.expiresAt);
}

export async function inviteAgent(db: Kysely<Tables>, keys: TenantKeys, loaded: LoadedRegister, input: Invitation, baseUrl: string): Promise<InviteResult> {
  const name = input.name.trim();
  const services = [...new Set(input.services)];
  const errors = [checkName(name), ...checkRoleAndServices(loaded, input.role, services)].filter((e): e is FieldError => e !== undefined);
  if (!input.email.trim()) errors.unshift({ field: 'email', message: 'Saisissez l’adresse e-mail professionnelle de la personne.' });
  if (errors.length > 0) return { ok: false, errors };
  const added = await addAgent(db, loaded, { email: input.email, role: input.role, services });
  if (!added.ok) {
    const exists = added.problem.startsWith('un compte existe');
    const message = exists ? 'Un compte existe déjà pour cette adresse e-mail : modifiez-le dans la liste des comptes.' : 'Saisissez une adresse e-mail valide, par exemple prenom.nom@mairie.fr.';
    return { ok: false, errors: [{ field: 'email', message }] };
  }
  const agent = added.agent;
  await db.updateTable('agents').set({ display_name: name }).where('tenant_id', '=', loaded.tenantId).where('id', '=', agent.id).execute();
  await sendInvitation(db, keys, loaded, { id: agent.id, email: agent.email, name, role: agent.role }, baseUrl);
  return { ok: true, agentId: agent.id };
}

/** A new link for an invited account that has not chosen its password yet; false otherwise. */
export async function resendInvitation(db: Kysely<Tables>, keys: TenantKeys, loaded: LoadedRegister, agentId: string, baseUrl: string): Promise<boolean> {
  const row = await db
    .selectFrom('agents')
    .select(['id', 'email', 'display_name', 'role'])
    .where('tenant_id', '=', loaded.tenantId)
    .where('id', '=', agentId)
    .where('password_hash', 'is', null)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return false;
  await sendInvitation(db, keys, loaded, { id: row.id, email: row.email, name: row.display_name ?? row.email, role: row.role }, baseUrl);
  return true;
}
