/** Serves the hashed static assets from memory, cacheable for a year. */
import type { FastifyInstance } from 'fastify';
import { ASSETS } from './assets.ts';

export function assetRoutes(app: FastifyInstance): void {
  for (const asset of ASSETS) {
    app.get(asset.path, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body),
    );
  }
}
