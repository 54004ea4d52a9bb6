/**
 * Signing in and out of the back office. Each step that raises what a
 * session may do (password, then second factor) issues a new session id and
 * ends the previous one, so an id seen before sign-in is worth nothing after.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAgent } from '../accounts/agents-repository.ts';
import { replaceRecoveryCodes } from '../accounts/recovery-codes.ts';
import { checkSecondFactor, confirmTotp, pendingTotpSecret, secondFactorRequired, signIn, storePendingTotp } from '../accounts/sign-in.ts';
import { enrolmentPicture, newTotpSecret } from '../accounts/totp.ts';
import { frenchDateTime } from '../notice/french-date.ts';
import type { AppContext } from '../server/app-context.ts';
import { clearAgentCookie, setAgentCookie } from '../sessions/session-cookie.ts';
import { createSession, endAccountSessions, endSession, type Session, type SessionStage } from '../sessions/session-store.ts';
import { checkFormToken, ensureSession, issueFormToken, readSessionId } from '../web/csrf.ts';
import { retryDelayInFrench } from '../web/rate-limits.ts';
import { sendPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { field } from '../web/urlencoded-body.ts';
import { agentPage, currentSession, requireCsrf, safeReturn, sessionCsrf, signInPath } from './agent-session.ts';
import { enrolmentPage, recoveryCodesPage, secondFactorPage, signInPage } from './sign-in-pages.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { retour?: string; fin?: string } }>;

const SIGN_IN_SCOPE = 'back-office-connexion';
const INVALID = 'Adresse e-mail ou mot de passe incorrect.';
const lockedMessage = (until: Date) => `Trop d’essais infructueux : la connexion est bloquée jusqu’au ${frenchDateTime(until)}. Réessayez après cette heure, ou demandez à un administrateur.`;

export function signInRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;
  const publicUrl = ctx.config.publicUrl;
  const tenantOf = async (request: Req) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    return { loaded, t: { id: loaded.tenantId, name: loaded.register.tenant.name } };
  };

  async function startStage(reply: FastifyReply, tenantId: string, agentId: string, stage: SessionStage, previous?: Session): Promise<string> {
    if (previous) await endSession(db, previous);
    const { id } = await createSession(db, { tenantId, accountKind: 'agent', accountId: agentId, stage });
    setAgentCookie(reply, tenantId, id, publicUrl);
    return id;
  }

  const NOTICES: Record<string, string> = {
    deconnexion: 'Vous êtes déconnecté. La session est fermée sur ce poste comme partout où elle était ouverte.',
    expiree: 'Votre session a expiré : reconnectez-vous.',
  };

  app.get('/:tenant/back-office/connexion', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const browser = ensureSession(request, reply, publicUrl);
    const notice = NOTICES[request.query.fin ?? ''];
    return sendPage(
      reply,
      signInPage(t, { csrf: await issueFormToken(ctx.keys, t.id, browser, SIGN_IN_SCOPE), returnTo: safeReturn(t.id, request.query.retour), ...(notice ? { notice } : {}) }),
    );
  });

  app.post('/:tenant/back-office/connexion', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const browser = readSessionId(request);
    const email = field(request.body, 'email').slice(0, 320);
    const returnTo = safeReturn(t.id, field(request.body, 'retour'));
    const again = async (status: number, error: string) =>
      sendPage(reply, signInPage(t, { csrf: await issueFormToken(ctx.keys, t.id, ensureSession(request, reply, publicUrl), SIGN_IN_SCOPE), email, returnTo, error }), status);
    const token = await checkFormToken(ctx.keys, t.id, browser, SIGN_IN_SCOPE, field(request.body, 'csrf'));
    if (!token.ok) return again(403, 'Le formulaire de connexion a expiré : saisissez de nouveau vos identifiants.');
    // Many accounts tried from one address are slowed as one.
    const verdict = ctx.limits.hit('auth-failure', request.ip);
    if (!verdict.ok) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return again(429, `Trop de tentatives de connexion depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.`);
    }
    const password = field(request.body, 'password').slice(0, 1024);
    if (!email.trim() || !password) return again(400, 'Saisissez votre adresse e-mail et votre mot de passe.');
    const result = await signIn(db, t.id, email, password);
    if (result.kind === 'locked') return again(429, lockedMessage(result.until));
    if (result.kind === 'invalid') return again(401, INVALID);
    ctx.limits.forgive('auth-failure', request.ip);
    await startStage(reply, t.id, result.agentId, result.stage);
    const next = result.stage === 'active' ? returnTo : `/${t.id}/back-office/${result.stage === 'enrol' ? 'double-authentification' : 'verification'}`;
    return reply.redirect(next, 303);
  });

  app.get('/:tenant/back-office/verification', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const found = await currentSession(ctx, request, t.id, 'second-factor');
    if (!found) return reply.redirect(signInPath(t.id), 303);
    return sendPage(reply, secondFactorPage(t, { csrf: await sessionCsrf(ctx, t.id, found.id) }));
  });

  app.post('/:tenant/back-office/verification', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const found = await currentSession(ctx, request, t.id, 'second-factor');
    if (!found) return reply.redirect(signInPath(t.id), 303);
    await requireCsrf(ctx, request, t.id, found.id);
    const result = await checkSecondFactor(db, ctx.keys, t.id, found.session.accountId, field(request.body, 'code').slice(0, 40));
    if (result.kind !== 'ok') {
      if (result.kind === 'locked') await endSession(db, found.session);
      const error = result.kind === 'locked' ? lockedMessage(result.until) : 'Code incorrect, expiré ou déjà utilisé : saisissez le code affiché maintenant par votre application.';
      return sendPage(reply, secondFactorPage(t, { csrf: await sessionCsrf(ctx, t.id, found.id), error }), result.kind === 'locked' ? 429 : 401);
    }
    await startStage(reply, t.id, found.session.accountId, 'active', found.session);
    return reply.redirect(`/${t.id}/back-office`, 303);
  });

  /** Enrolment: during sign-in when the role requires it, or from the account page. */
  async function enrolling(request: Req, tenantId: string) {
    const pending = await currentSession(ctx, request, tenantId, 'enrol');
    if (pending) return pending;
    return currentSession(ctx, request, tenantId, 'active');
  }

  app.get('/:tenant/back-office/double-authentification', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const found = await enrolling(request, t.id);
    if (!found) return reply.redirect(signInPath(t.id), 303);
    const account = await findAgent(db, t.id, found.session.accountId);
    if (!account) return reply.redirect(signInPath(t.id), 303);
    reply.header('cache-control', 'no-store');
    const secret = newTotpSecret();
    await storePendingTotp(db, ctx.keys, t.id, account.id, secret);
    const picture = await enrolmentPicture(secret, t.name, account.email);
    return sendPage(reply, enrolmentPage(t, { csrf: await sessionCsrf(ctx, t.id, found.id), ...picture, required: secondFactorRequired(account.role) }));
  });

  app.post('/:tenant/back-office/double-authentification', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    const found = await enrolling(request, t.id);
    if (!found) return reply.redirect(signInPath(t.id), 303);
    await requireCsrf(ctx, request, t.id, found.id);
    const account = await findAgent(db, t.id, found.session.accountId);
    if (!account) return reply.redirect(signInPath(t.id), 303);
    if (!(await confirmTotp(db, ctx.keys, t.id, account.id, field(request.body, 'code').slice(0, 40)))) {
      const secret = await pendingTotpSecret(db, ctx.keys, t.id, account.id);
      if (!secret) return reply.redirect(`/${t.id}/back-office/double-authentification`, 303);
      const picture = await enrolmentPicture(secret, t.name, account.email);
      return sendPage(
        reply,
        enrolmentPage(t, { csrf: await sessionCsrf(ctx, t.id, found.id), ...picture, required: secondFactorRequired(account.role), error: 'Code incorrect : saisissez le code à 6 chiffres affiché maintenant par l’application.' }),
        400,
      );
    }
    const codes = await replaceRecoveryCodes(db, t.id, account.id);
    // A new factor: every other session of the account ends, this one continues under a new id.
    await endAccountSessions(db, t.id, 'agent', account.id);
    await startStage(reply, t.id, account.id, 'active');
    return sendPage(reply, recoveryCodesPage(t, codes));
  });

  app.post('/:tenant/back-office/deconnexion', async (request: Req, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    await endSession(db, req.session);
    clearAgentCookie(reply, req.tenantId, publicUrl);
    return reply.redirect(`${signInPath(req.tenantId)}?fin=deconnexion`, 303);
  });

  app.post('/:tenant/back-office/prolonger', async (request: Req, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    // agentPage has pushed the idle deadline back; come back where the agent was.
    const referer = request.headers.referer;
    let back: string | undefined;
    try {
      back = referer ? new URL(referer).pathname + new URL(referer).search : undefined;
    } catch {
      back = undefined;
    }
    return reply.redirect(safeReturn(req.tenantId, back), 303);
  });

  app.post('/:tenant/back-office/deconnexion-partout', async (request: Req, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    await endAccountSessions(db, req.tenantId, 'agent', req.actor.agentId);
    clearAgentCookie(reply, req.tenantId, publicUrl);
    return reply.redirect(`${signInPath(req.tenantId)}?fin=deconnexion`, 303);
  });

}
