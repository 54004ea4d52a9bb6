/** Routes: forgotten password (same answer whatever the address), new password from the link, password change. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { sendPage } from '../web/reply.ts';
import { field } from '../web/urlencoded-body.ts';
import { changePassword, requestCitizenReset, resetLinkProblem, resetWithLink } from './citizen-passwords.ts';
import { accountPath } from './citizen-mail.ts';
import { accountTenant, citizenPage, signInPath, startCitizenSession } from './citizen-session.ts';
import { publicCsrf, publicPostProblem } from './public-forms.ts';
import { passwordPage } from './settings-pages.ts';
import { forgotPage, linkProblemPage, linkSentPage, resetPage } from './sign-in-pages.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { jeton?: string; fait?: string } }>;

export function passwordRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };
  const body = (request: Req, name: string) => field(request.body, name).slice(0, 1024);

  app.get('/:tenant/mon-compte/mot-de-passe-oublie', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    return sendPage(reply, forgotPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'oubli') }));
  });

  app.post('/:tenant/mon-compte/mot-de-passe-oublie', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const email = field(request.body, 'email').slice(0, 320);
    const refused = await publicPostProblem(ctx, request, reply, loaded.tenantId, 'oubli');
    if (refused) return sendPage(reply, forgotPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'oubli'), email, error: refused.message }), refused.status);
    if (!email.trim()) return sendPage(reply, forgotPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'oubli'), error: 'Saisissez l’adresse électronique de votre compte.' }), 400);
    if (await requestCitizenReset(deps, loaded, email, requestBaseUrl(ctx, request))) ctx.mail.nudge();
    return sendPage(
      reply,
      linkSentPage(loaded, { title: 'Lien envoyé', text: `Si un compte existe pour ${email.trim()}, un lien pour choisir un nouveau mot de passe vient d’y être envoyé ; il est valable une heure.` }),
    );
  });

  const forgotAgain = (tenantId: string) => ({ href: `${accountPath(tenantId)}/mot-de-passe-oublie`, label: 'Demander un nouveau lien' });

  app.get('/:tenant/mon-compte/nouveau-mot-de-passe', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const token = String(request.query.jeton ?? '').slice(0, 100);
    const problem = await resetLinkProblem(deps, loaded.tenantId, token);
    if (problem) return sendPage(reply, linkProblemPage(loaded, problem, forgotAgain(loaded.tenantId)), 410);
    return sendPage(reply, resetPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'nouveau'), token }));
  });

  app.post('/:tenant/mon-compte/nouveau-mot-de-passe', async (request: Req, reply) => {
    const loaded = await accountTenant(ctx, request.params.tenant);
    const token = field(request.body, 'jeton').slice(0, 100);
    const again = async (status: number, errors: Array<{ field: string; message: string }>) =>
      sendPage(reply, resetPage(loaded, { csrf: await publicCsrf(ctx, request, reply, loaded.tenantId, 'nouveau'), token, errors }), status);
    const refused = await publicPostProblem(ctx, request, reply, loaded.tenantId, 'nouveau');
    if (refused) return again(refused.status, [{ field: 'password', message: refused.message }]);
    const result = await resetWithLink(deps, loaded, { token, password: body(request, 'password'), confirmation: body(request, 'confirmation') });
    if (!result.ok) {
      const link = result.errors.find((e) => e.field === 'link');
      if (link) return sendPage(reply, linkProblemPage(loaded, link.message, forgotAgain(loaded.tenantId)), 410);
      return again(400, result.errors);
    }
    return reply.redirect(`${signInPath(loaded.tenantId)}?fin=mot-de-passe`, 303);
  });

  app.get('/:tenant/mon-compte/mot-de-passe', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    return sendPage(reply, passwordPage(req, request.query.fait ? { notice: 'Votre mot de passe a été changé ; vos autres sessions sont fermées.' } : {}));
  });

  app.post('/:tenant/mon-compte/mot-de-passe', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    const result = await changePassword(deps, req.account, { current: body(request, 'current'), password: body(request, 'password'), confirmation: body(request, 'confirmation') });
    if (!result.ok) return sendPage(reply, passwordPage(req, { errors: result.errors }), 400);
    // Every session ended with the change; this one goes on under a new id.
    await startCitizenSession(ctx, reply, req.tenantId, req.account.id);
    return reply.redirect(`${accountPath(req.tenantId)}/mot-de-passe?fait=1`, 303);
  });
}
