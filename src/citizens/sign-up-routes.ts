/** Routes: creating an account and confirming an address (a new account's, or a new one from the profile). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { sendPage } from '../web/reply.ts';
import { field } from '../web/urlencoded-body.ts';
import { accountPath } from './citizen-mail.ts';
import { accountTenant, startCitizenSession } from './citizen-session.ts';
import { confirmWithLink } from './confirm-email.ts';
import { publicCsrf, publicPostProblem } from './public-forms.ts';
import { confirmPage, linkProblemPage, linkSentPage, signUpPage } from './sign-in-pages.ts';
import { signUp } from './sign-up.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { jeton?: string } }>;

export function signUpRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  app.get('/:tenant/mon-compte/inscription', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    return sendPage(reply, signUpPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'inscription') }));
  });

  app.post('/:tenant/mon-compte/inscription', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const email = field(request.body, 'email').slice(0, 320);
    const again = async (status: number, errors: Array<{ field: string; message: string }>) =>
      sendPage(reply, signUpPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'inscription'), email, errors }), status);
    const refused = await publicPostProblem(ctx, request, reply, loaded.tenantId, 'inscription');
    if (refused) return again(refused.status, [{ field: 'email', message: refused.message }]);
    const result = await signUp(deps, loaded, { email, password: field(request.body, 'password').slice(0, 1024), confirmation: field(request.body, 'confirmation').slice(0, 1024) }, requestBaseUrl(ctx, request));
    if (!result.ok) return again(400, result.errors);
    ctx.mail.nudge();
    return sendPage(
      reply,
      linkSentPage(loaded, { title: 'Confirmez votre adresse', text: `Un message a été envoyé à ${email.trim()}. Ouvrez le lien qu’il contient dans les 24 heures pour activer votre compte.` }),
    );
  });

  const signUpAgain = (tenantId: string) => ({ href: `${accountPath(tenantId)}/connexion`, label: 'Se connecter pour recevoir un nouveau lien' });

  app.get('/:tenant/mon-compte/confirmation', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const token = String(request.query.jeton ?? '').slice(0, 100);
    return sendPage(reply, confirmPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'confirmation'), token }));
  });

  app.post('/:tenant/mon-compte/confirmation', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const token = field(request.body, 'jeton').slice(0, 100);
    const again = async (status: number, message: string) =>
      sendPage(reply, confirmPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'confirmation'), token, errors: [{ field: 'password', message }] }), status);
    const refused = await publicPostProblem(ctx, request, reply, loaded.tenantId, 'confirmation');
    if (refused) return again(refused.status, refused.message);
    const result = await confirmWithLink(deps, loaded, token, field(request.body, 'password').slice(0, 1024));
    if (!result.ok) {
      if (result.field === 'link') return sendPage(reply, linkProblemPage(loaded, result.problem, signUpAgain(loaded.tenantId)), 410);
      return again(/bloquée/.test(result.problem) ? 429 : 401, result.problem);
    }
    ctx.limits.forgive('auth-failure', request.ip);
    await startCitizenSession(ctx, reply, loaded.tenantId, result.citizenId);
    return reply.redirect(`${accountPath(loaded.tenantId)}?fait=${result.change ? 'adresse' : 'confirme'}`, 303);
  });
}
