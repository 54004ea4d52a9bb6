/**
 * Who is acting, and the database principals that follows from it. A bearer
 * token resolves to an account today; a back-office session will resolve to
 * the same account, and so to the same principals, whatever way it came.
 *
 * Reading records is the agent principal, scoped to the services the account
 * was made an agent of (agent_services), whatever its role: an administrator
 * or a DPO who is no agent of a service sees none of its records. Reading the
 * access journal is the DPO principal, for the DPO role only.
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { JournalEntry } from '../journal/journal.ts';
import { findAgent, type AgentRole } from './agents-repository.ts';

export interface Actor {
  tenantId: string;
  agentId: string;
  email: string;
  role: AgentRole;
  services: readonly string[];
}

/** The account, if it exists in that tenant and is not disabled. */
export async function resolveActor(db: Kysely<Tables>, tenantId: string, agentId: string): Promise<Actor | undefined> {
  const account = await findAgent(db, tenantId, agentId);
  if (!account || account.disabled) return undefined;
  return { tenantId, agentId: account.id, email: account.email, role: account.role, services: account.services };
}

export function recordsPrincipal(actor: Actor): Principal {
  return { kind: 'agent', tenantId: actor.tenantId, agentId: actor.agentId, services: actor.services };
}

export function dpoPrincipal(actor: Actor): Principal | undefined {
  return actor.role === 'dpo' ? { kind: 'dpo', tenantId: actor.tenantId, agentId: actor.agentId } : undefined;
}

/** How the actor is named in the access journal: an account id and its e-mail, never a citizen's data. */
export function journalActor(actor: Actor): Pick<JournalEntry, 'actorId' | 'actor'> {
  return { actorId: actor.agentId, actor: actor.email };
}
