/**
 * Creates a back-office account: an agent of one or more services, a DPO,
 * or an administrator (who reads no record unless also made an agent of its
 * service). Services must be those of the register in force; the password,
 * when there is one, must meet the CNIL rule and is stored as argon2id.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { AGENT_ROLES, findAgentByEmail, insertAgent, type AgentAccount, type AgentRole } from './agents-repository.ts';
import { hashPassword } from './password-hash.ts';
import { passwordProblem } from './password-policy.ts';

export interface AddAgentInput {
  email: string;
  role: string;
  services: readonly string[];
  /** Undefined: an account without password, usable with API tokens only (until sign-in exists). */
  password?: string | undefined;
}

export type AddAgentResult = { ok: true; agent: AgentAccount } | { ok: false; problem: string };

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

export async function addAgent(db: Kysely<Tables>, loaded: LoadedRegister, input: AddAgentInput): Promise<AddAgentResult> {
  const fail = (problem: string): AddAgentResult => ({ ok: false, problem });
  const email = input.email.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return fail(`adresse électronique invalide : « ${input.email} »`);
  if (!AGENT_ROLES.includes(input.role as AgentRole)) return fail(`rôle inconnu « ${input.role} » : agent, dpo ou admin`);
  const role = input.role as AgentRole;
  const declared = loaded.register.services.map((s) => s.id);
  const services = [...new Set(input.services)];
  const unknown = services.filter((s) => !declared.includes(s));
  if (unknown.length > 0)
    return fail(`service${unknown.length > 1 ? 's' : ''} inconnu${unknown.length > 1 ? 's' : ''} dans le registre en vigueur de ${loaded.tenantId} : ${unknown.join(', ')} (services déclarés : ${declared.join(', ')})`);
  if (role === 'agent' && services.length === 0) return fail('un agent doit être rattaché à au moins un service (--service)');
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, email);
    if (problem) return fail(problem);
  }
  if (await findAgentByEmail(db, loaded.tenantId, email)) return fail(`un compte existe déjà pour ${email} dans ${loaded.tenantId}`);
  const agent = { tenantId: loaded.tenantId, id: randomUUID(), email, role, services };
  try {
    await insertAgent(db, { ...agent, passwordHash: input.password === undefined ? null : await hashPassword(input.password) });
  } catch (e) {
    // Another process created the same account in between.
    if ((e as { code?: string }).code === '23505') return fail(`un compte existe déjà pour ${email} dans ${loaded.tenantId}`);
    throw e;
  }
  return { ok: true, agent: { ...agent, services: [...services].sort(), disabled: false } };
}
