/**
 * With a public URL configured, a request for another host is refused:
 * nothing the platform answers (links, cookies, redirects) is then built
 * for a host that a client made up. `/healthz` stays open to probes that
 * address the instance directly.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';

export function refuseOtherHosts(app: FastifyInstance, publicUrl: string | undefined): void {
  if (!publicUrl) return;
  const expected = new URL(publicUrl).host.toLowerCase();
  app.addHook('onRequest', async (request) => {
    if (request.url === '/healthz') return;
    if (request.host.toLowerCase() !== expected) throw new AppError('misdirected-request');
  });
}
