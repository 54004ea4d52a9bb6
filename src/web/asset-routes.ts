/** Serves the hashed static assets from memory, cacheable for a year. */
import type { FastifyInstance } from 'fastify';
import { ASSETS } from './assets.ts';

export function assetRoutes(app: FastifyInstance): void {
  for (const asset of ASSETS) {
    app.get(asset.path, async (_request, reply) =>
      // Stylesheets may be loaded by the authority's other sites (consent.css), which the default same-origin policy would block.
      reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').header('cross-origin-resource-policy', 'cross-origin').send(asset.body),
    );
  }
}
