/** Routes: the citizen form pages (GET and POST /{tenant}/demarches/{formId}, drafts). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';

export function formRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
