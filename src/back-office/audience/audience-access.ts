/**
 * Who reads the audience statistics: the agents of the service the register
 * gives the audience processing, whatever their role. An administrator or a
 * DPO is no exception: like records, statistics are read as an agent of the
 * service, and row-level security checks the same services again.
 */
import { audienceService } from '../../audience/audience-service.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AgentRequest } from '../agent-session.ts';

export const audiencePath = (tenantId: string) => `/${tenantId}/back-office/audience`;

/** Whether the navigation shows the dashboard to this agent. */
export function readsAudience(req: Pick<AgentRequest, 'loaded' | 'actor'>): boolean {
  const service = audienceService(req.loaded.register);
  return service !== undefined && req.actor.services.includes(service);
}

/** The service whose statistics the agent reads; a 404 where nothing is measured, a 403 for anyone else. */
export function requireAudienceReader(req: AgentRequest): string {
  const service = audienceService(req.loaded.register);
  if (!service) throw new AppError('page-not-found');
  if (!req.actor.services.includes(service)) {
    const name = req.loaded.register.services.find((s) => s.id === service)?.name ?? service;
    throw new AppError('forbidden-role', `La mesure d’audience est réservée aux agents du service qui la traite (${name}).`);
  }
  return service;
}
