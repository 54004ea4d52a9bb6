/** All SQL about back-office accounts and the services they belong to. */
import type { Kysely } from 'kysely';
import type { AgentsTable, Tables } from '../db/tables.ts';

export type AgentRole = AgentsTable['role'];
export const AGENT_ROLES: readonly AgentRole[] = ['agent', 'dpo', 'admin'];

export interface AgentAccount {
  tenantId: string;
  id: string;
  email: string;
  role: AgentRole;
  /** Services whose records the account may read: only those it was made an agent of, whatever its role. */
  services: string[];
  disabled: boolean;
}

export interface NewAgent {
  tenantId: string;
  id: string;
  email: string;
  role: AgentRole;
  services: readonly string[];
  passwordHash: string | null;
}

export async function insertAgent(db: Kysely<Tables>, agent: NewAgent): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('agents')
      .values({ tenant_id: agent.tenantId, id: agent.id, email: agent.email, role: agent.role, password_hash: agent.passwordHash, disabled_at: null })
      .execute();
    if (agent.services.length > 0)
      await trx
        .insertInto('agent_services')
        .values(agent.services.map((service_id) => ({ tenant_id: agent.tenantId, agent_id: agent.id, service_id })))
        .execute();
  });
}

async function withServices(db: Kysely<Tables>, row: { tenant_id: string; id: string; email: string; role: AgentRole; disabled_at: Date | null } | undefined): Promise<AgentAccount | undefined> {
  if (!row) return undefined;
  const services = await db
    .selectFrom('agent_services')
    .select('service_id')
    .where('tenant_id', '=', row.tenant_id)
    .where('agent_id', '=', row.id)
    .orderBy('service_id')
    .execute();
  return { tenantId: row.tenant_id, id: row.id, email: row.email, role: row.role, services: services.map((s) => s.service_id), disabled: row.disabled_at !== null };
}

const COLUMNS = ['tenant_id', 'id', 'email', 'role', 'disabled_at'] as const;

export async function findAgentByEmail(db: Kysely<Tables>, tenantId: string, email: string): Promise<AgentAccount | undefined> {
  const row = await db.selectFrom('agents').select(COLUMNS).where('tenant_id', '=', tenantId).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return withServices(db, row);
}

export async function findAgent(db: Kysely<Tables>, tenantId: string, agentId: string): Promise<AgentAccount | undefined> {
  const row = await db.selectFrom('agents').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', agentId).executeTakeFirst();
  return withServices(db, row);
}
