/**
 * Who is behind a back-office request: the session of the cookie, resolved
 * to the same Actor a bearer token gives (actor.ts), so the same principals
 * and the same row-level security apply whichever way the agent came. Pages
 * call `agentPage`, which sends to the sign-in page anyone without a live,
 * fully signed-in session, and checks the CSRF token of every POST.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveActor, type Actor } from '../accounts/actor.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { readAgentCookie } from '../sessions/session-cookie.ts';
import { endSession, resumeSession, type Session, type SessionStage } from '../sessions/session-store.ts';
import { checkFormToken, issueFormToken } from '../web/csrf.ts';
import { requireTenant } from '../web/tenant.ts';
import { field } from '../web/urlencoded-body.ts';

export interface AgentRequest {
  loaded: LoadedRegister;
  tenantId: string;
  actor: Actor;
  session: Session;
  /** The CSRF token every form of the page carries. */
  csrf: string;
}

const CSRF_SCOPE = 'back-office';

export const signInPath = (tenantId: string) => `/${tenantId}/back-office/connexion`;

/** The session of the cookie at that stage, or undefined. */
export async function currentSession(ctx: AppContext, request: FastifyRequest, tenantId: string, stage: SessionStage, touch = true): Promise<{ session: Session; id: string } | undefined> {
  const id = readAgentCookie(request);
  const session = await resumeSession(ctx.database.db, tenantId, 'agent', id, new Date(), touch);
  return session && id && session.stage === stage ? { session, id } : undefined;
}

export function sessionCsrf(ctx: AppContext, tenantId: string, sessionId: string): Promise<string> {
  return issueFormToken(ctx.keys, tenantId, sessionId, CSRF_SCOPE);
}

/** A POST of the back office must carry the token of its session's page: else a French 403 page, nothing done. */
export async function requireCsrf(ctx: AppContext, request: FastifyRequest, tenantId: string, sessionId: string): Promise<void> {
  const check = await checkFormToken(ctx.keys, tenantId, sessionId, CSRF_SCOPE, field(request.body, 'csrf'));
  if (!check.ok) throw new AppError('csrf-refused');
}

/**
 * The signed-in agent, or undefined after a redirect to the sign-in page.
 * `touch: false` for what a page does by itself (it must not keep a session alive).
 */
export async function agentPage(ctx: AppContext, request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply): Promise<AgentRequest | undefined> {
  const loaded = await requireTenant(ctx.registers, request.params.tenant);
  const tenantId = loaded.tenantId;
  reply.header('cache-control', 'no-store');
  const found = await currentSession(ctx, request, tenantId, 'active');
  const actor = found ? await resolveActor(ctx.database.db, tenantId, found.session.accountId) : undefined;
  if (!found || !actor) {
    if (found) await endSession(ctx.database.db, found.session);
    // A cookie that no longer opens anything: the session ended or timed out, and the page says so.
    const query = new URLSearchParams();
    if (readAgentCookie(request)) query.set('fin', 'expiree');
    if (request.method === 'GET') query.set('retour', request.url);
    const q = query.toString();
    await reply.redirect(`${signInPath(tenantId)}${q ? `?${q}` : ''}`, 303);
    return undefined;
  }
  if (request.method === 'POST') await requireCsrf(ctx, request, tenantId, found.id);
  return { loaded, tenantId, actor, session: found.session, csrf: await sessionCsrf(ctx, tenantId, found.id) };
}

/** Only a path of this tenant's back office is a place to come back to after signing in. */
export function safeReturn(tenantId: string, value: string | undefined): string {
  const base = `/${tenantId}/back-office`;
  if (value && (value === base || value.startsWith(`${base}/`) || value.startsWith(`${base}?`)) && !/[\\\s]|\/\//.test(value) && !value.includes('/connexion')) return value;
  return base;
}
