/**
 * The back office's session cookie: the opaque id only, HttpOnly (no script
 * reads it), SameSite=Lax (a cross-site POST does not carry it), Secure
 * behind https, scoped to the tenant's back office, and with no Max-Age:
 * the server's deadlines decide, the browser forgets it when closed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const AGENT_COOKIE = 'bastide_agent';

const options = (tenantId: string, publicUrl: string | undefined) => ({
  path: `/${tenantId}/back-office`,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: Boolean(publicUrl?.startsWith('https://')),
});

export function readAgentCookie(request: FastifyRequest): string | undefined {
  return request.cookies[AGENT_COOKIE];
}

export function setAgentCookie(reply: FastifyReply, tenantId: string, id: string, publicUrl: string | undefined): void {
  reply.setCookie(AGENT_COOKIE, id, options(tenantId, publicUrl));
}

export function clearAgentCookie(reply: FastifyReply, tenantId: string, publicUrl: string | undefined): void {
  reply.clearCookie(AGENT_COOKIE, options(tenantId, publicUrl));
}
