/** Routes: the DPO's view of the access journal. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';

export function journalRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
