/** A back-office page for one role only: anyone else signed in gets the French "Accès réservé" page (403). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentRole } from '../../accounts/agents-repository.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AppContext } from '../../server/app-context.ts';
import { agentPage, type AgentRequest } from '../agent-session.ts';

export async function rolePage(ctx: AppContext, request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply, role: AgentRole): Promise<AgentRequest | undefined> {
  const req = await agentPage(ctx, request, reply);
  if (req && req.actor.role !== role) throw new AppError('forbidden-role');
  return req;
}
