/**
 * `npm start` prints demo agents: one per service that handles forms, and a
 * DPO, each with a fresh 24-hour API token, so a newcomer can read the
 * records of a demo submission through the API at once. Demo mode only.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { addAgent } from './add-agent.ts';
import { findAgentByEmail } from './agents-repository.ts';
import { issueToken } from './api-tokens.ts';

export interface DemoAgent {
  email: string;
  role: 'agent' | 'dpo';
  services: string[];
  token: string;
}

export async function ensureDemoAgents(db: Kysely<Tables>, loaded: LoadedRegister): Promise<DemoAgent[]> {
  const domain = `${loaded.tenantId}.example`;
  const withForms = [...new Set(loaded.register.processings.filter((p) => p.forms.length > 0 && p.service).map((p) => p.service!))];
  const wanted = [
    ...withForms.map((service) => ({ email: `agent.${service}@${domain}`, role: 'agent' as const, services: [service] })),
    { email: `dpo@${domain}`, role: 'dpo' as const, services: [] },
  ];
  const out: DemoAgent[] = [];
  for (const w of wanted) {
    let agent = await findAgentByEmail(db, loaded.tenantId, w.email);
    if (!agent) {
      const added = await addAgent(db, loaded, { email: w.email, role: w.role, services: w.services });
      if (!added.ok) throw new Error(`demo agent ${w.email}: ${added.problem}`);
      agent = added.agent;
    }
    const { token } = await issueToken(db, { tenantId: loaded.tenantId, agentId: agent.id, ttl: 'P1D' });
    out.push({ email: w.email, role: w.role, services: w.services, token });
  }
  return out;
}
