/**
 * Where the links of e-mails and pages point: `BASTIDE_PUBLIC_URL`, or in
 * the embedded demo the address the server listens on. Never the request's
 * Host header, which a client chooses: a receipt must not send a citizen to
 * evil.example because someone asked for it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Listening on every interface: the machine's own name for itself. */
const ANY = new Set(['0.0.0.0', '::']);

/** Once the server listens, its address does not change: asked once per server (it is on every submission's path). */
const listening = new WeakMap<FastifyInstance, string>();

export function linkBaseUrl(publicUrl: string | undefined, server: FastifyInstance): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const known = listening.get(server);
  if (known) return known;
  const address = server.addresses().find((a) => typeof a === 'object');
  if (!address || typeof address !== 'object') return 'http://localhost';
  const host = ANY.has(address.address) ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  listening.set(server, base);
  return base;
}

export function requestBaseUrl(ctx: { config: { publicUrl?: string | undefined } }, request: FastifyRequest): string {
  return linkBaseUrl(ctx.config.publicUrl, request.server);
}
