/** The tenant's back-office accounts as the administration page lists them. */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { AgentRole } from './agents-repository.ts';

export const ROLE_NAMES: Record<AgentRole, string> = { agent: 'Agent', dpo: 'Délégué à la protection des données', admin: 'Administrateur' };

export interface ListedAgent {
  id: string;
  email: string;
  name: string | null;
  role: AgentRole;
  services: string[];
  disabled: boolean;
  totp: boolean;
  /** Invited, no password chosen yet. */
  pending: boolean;
}

export async function listAgents(db: Kysely<Tables>, tenantId: string, onlyId?: string): Promise<ListedAgent[]> {
  let q = db
    .selectFrom('agents')
    .select(['id', 'email', 'display_name', 'role', 'disabled_at', 'totp_enabled_at', 'password_hash'])
    .where('tenant_id', '=', tenantId);
  if (onlyId) q = q.where('id', '=', onlyId);
  const rows = await q.orderBy('email').execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('agent_services')
    .select(['agent_id', 'service_id'])
    .where('tenant_id', '=', tenantId)
    .where('agent_id', 'in', rows.map((r) => r.id))
    .orderBy('service_id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.display_name,
    role: r.role,
    services: links.filter((l) => l.agent_id === r.id).map((l) => l.service_id),
    disabled: r.disabled_at !== null,
    totp: r.totp_enabled_at !== null,
    pending: r.password_hash === null,
  }));
}
