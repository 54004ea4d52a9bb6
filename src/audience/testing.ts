/** For tests: a hit sent as consent.js sends it (text/plain, from the page's origin), and the hits stored once flushed. */
import type { TestServer } from '../server/testing.ts';

export async function sendHit(server: TestServer, tenant: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/${tenant}/hit`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: server.url, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

export async function storedHits(server: TestServer, tenant: string) {
  await server.ctx.hits.flush();
  return server.database.db.selectFrom('audience_hits').selectAll().where('tenant_id', '=', tenant).orderBy('at').execute();
}
