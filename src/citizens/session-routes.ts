/** Routes: signing in and out, and extending the session. Each sign-in issues a new session id. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { endSession } from '../sessions/session-store.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { sendPage } from '../web/reply.ts';
import { field } from '../web/urlencoded-body.ts';
import { signInCitizen } from './citizen-sign-in.ts';
import { accountPath } from './citizen-mail.ts';
import { accountTenant, citizenPage, clearCitizenCookie, signInPath, startCitizenSession } from './citizen-session.ts';
import { lockedMessage } from './confirm-email.ts';
import { publicCsrf, publicPostProblem } from './public-forms.ts';
import { signInPage } from './sign-in-pages.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { fin?: string } }>;

const NOTICES: Record<string, string> = {
  deconnexion: 'Vous êtes déconnecté. La session est fermée sur ce poste comme partout où elle était ouverte.',
  expiree: 'Votre session a expiré : reconnectez-vous.',
  'mot-de-passe': 'Votre mot de passe a été changé et vos sessions fermées : connectez-vous avec le nouveau mot de passe.',
};

export function sessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  app.get('/:tenant/mon-compte/connexion', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const notice = NOTICES[request.query.fin ?? ''];
    return sendPage(reply, signInPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'connexion'), ...(notice ? { notice } : {}) }));
  });

  app.post('/:tenant/mon-compte/connexion', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const email = field(request.body, 'email').slice(0, 320);
    const again = async (status: number, error: string) => sendPage(reply, signInPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'connexion'), email, error }), status);
    const refused = await publicPostProblem(ctx, request, reply, loaded.tenantId, 'connexion');
    if (refused) return again(refused.status, refused.message);
    const password = field(request.body, 'password').slice(0, 1024);
    if (!email.trim() || !password) return again(400, 'Saisissez votre adresse électronique et votre mot de passe.');
    const result = await signInCitizen(deps, loaded, email, password, requestBaseUrl(ctx, request));
    if (result.kind === 'locked') return again(429, lockedMessage(result.until));
    if (result.kind === 'invalid') return again(401, 'Adresse électronique ou mot de passe incorrect.');
    if (result.kind === 'unconfirmed') {
      ctx.mail.nudge();
      return again(403, 'Votre adresse n’est pas encore confirmée : un nouveau lien de confirmation vient de vous être envoyé.');
    }
    ctx.limits.forgive('auth-failure', request.ip);
    await startCitizenSession(ctx, reply, loaded.tenantId, result.citizenId);
    return reply.redirect(accountPath(loaded.tenantId), 303);
  });

  app.post('/:tenant/mon-compte/deconnexion', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    await endSession(ctx.database.db, req.session);
    clearCitizenCookie(ctx, reply, req.tenantId);
    return reply.redirect(`${signInPath(req.tenantId)}?fin=deconnexion`, 303);
  });

  app.post('/:tenant/mon-compte/prolonger', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    // citizenPage has pushed the idle deadline back.
    return reply.redirect(accountPath(req.tenantId), 303);
  });
}
