/** Routes: the OpenAPI document at /api/v1/openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';

export function openapiRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
