/** Routes: the OpenAPI document at /api/v1/openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { openapiDocument } from './openapi-document.ts';

export function openapiRoutes(app: FastifyInstance, _ctx: AppContext): void {
  const body = JSON.stringify(openapiDocument);
  app.get('/api/v1/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').send(body),
  );
}
