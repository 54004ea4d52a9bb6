/** Routes: following a request with its tracking code (/{tenant}/suivi). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';

export function trackingRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
