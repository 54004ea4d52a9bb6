/** Sending pages with the caching headers every page needs. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EncodedBody } from './encoded-body.ts';

function acceptsGzip(request: FastifyRequest): boolean {
  const accept = request.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b(?!;q=0(\.0*)?\b)/.test(accept);
}

/** If-None-Match may list the tags of several cached representations, and compares weakly (RFC 9110, 13.1.2). */
function noneMatch(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Sends a pre-encoded page that may be revalidated with its ETag (304 when
 * unchanged). The gzip bytes are another representation: their tag gets a
 * `-gzip` suffix, so a cache never takes one for the other.
 */
export function sendCachedPage(request: FastifyRequest, reply: FastifyReply, body: EncodedBody, etag: string, type = 'text/html; charset=utf-8', cacheControl = 'no-cache') {
  const gzip = acceptsGzip(request);
  const tag = gzip ? `${etag.slice(0, -1)}-gzip"` : etag;
  reply.header('etag', tag).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  if (noneMatch(request.headers['if-none-match'], tag)) return reply.code(304).send();
  if (gzip) return reply.type(type).header('content-encoding', 'gzip').send(body.gzip);
  return reply.type(type).send(body.raw);
}

export function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}
