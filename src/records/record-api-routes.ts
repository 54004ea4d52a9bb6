/** Routes: the agents' API on records (GET /records, GET/PATCH /records/{id}, file downloads). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';

export function recordApiRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
