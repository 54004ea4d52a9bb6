/** Sending pages with the caching headers every page needs. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Sends a page that may be revalidated with its ETag (304 when unchanged). */
export function sendCachedPage(request: FastifyRequest, reply: FastifyReply, body: string, etag: string, type = 'text/html; charset=utf-8') {
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(type).send(body);
}

export function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}
