/**
 * The forms before sign-in (sign-up, sign-in, confirmation, reset): CSRF
 * tokens bound to the browser's `bastide_session` cookie, one scope a page,
 * and the per-address limit every account e-mail or failed sign-in counts
 * against, whatever account it aims at.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { checkFormToken, ensureSession, issueFormToken, readSessionId } from '../web/csrf.ts';
import { retryDelayInFrench } from '../web/rate-limits.ts';
import { field } from '../web/urlencoded-body.ts';

export type Scope = 'inscription' | 'confirmation' | 'connexion' | 'oubli' | 'nouveau';

export function publicCsrf(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, tenantId: string, scope: Scope): Promise<string> {
  return issueFormToken(ctx.keys, tenantId, ensureSession(request, reply, ctx.config.publicUrl), `citoyen-${scope}`);
}

/** A French sentence when the post must be refused (forged or expired form, too many attempts from this address). */
export async function publicPostProblem(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, tenantId: string, scope: Scope): Promise<{ status: number; message: string } | undefined> {
  const check = await checkFormToken(ctx.keys, tenantId, readSessionId(request), `citoyen-${scope}`, field(request.body, 'csrf'));
  if (!check.ok) return { status: 403, message: 'Ce formulaire a expiré ou ne vient pas de cette page : saisissez de nouveau les informations demandées.' };
  const verdict = ctx.limits.hit('auth-failure', request.ip);
  if (!verdict.ok) {
    reply.header('retry-after', String(verdict.retryAfterSeconds));
    return { status: 429, message: `Trop de tentatives depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.` };
  }
  return undefined;
}
