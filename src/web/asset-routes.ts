/** Serves the hashed static assets from memory, gzipped once, cacheable for a year. */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ASSETS } from './assets.ts';
import { sendCachedPage } from './reply.ts';

export function assetRoutes(app: FastifyInstance): void {
  for (const asset of ASSETS) {
    const body = { raw: asset.body, gzip: gzipSync(asset.body, { level: 9 }) };
    const etag = `"${asset.path.split('.').at(-2)}"`;
    app.get(asset.path, async (request, reply) => {
      // Stylesheets may be loaded by the authority's other sites (consent.css), which the default same-origin policy would block.
      reply.header('cross-origin-resource-policy', 'cross-origin');
      return sendCachedPage(request, reply, body, etag, asset.type, 'public, max-age=31536000, immutable');
    });
  }
}
