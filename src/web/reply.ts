/** Sending pages with the caching headers every page needs. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EncodedBody } from './encoded-body.ts';

function acceptsGzip(request: FastifyRequest): boolean {
  const accept = request.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b(?!;q=0(\.0*)?\b)/.test(accept);
}

/** Sends a pre-encoded page that may be revalidated with its ETag (304 when unchanged). */
export function sendCachedPage(request: FastifyRequest, reply: FastifyReply, body: EncodedBody, etag: string, type = 'text/html; charset=utf-8') {
  reply.header('etag', etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  if (acceptsGzip(request)) return reply.type(type).header('content-encoding', 'gzip').send(body.gzip);
  return reply.type(type).send(body.raw);
}

export function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}
