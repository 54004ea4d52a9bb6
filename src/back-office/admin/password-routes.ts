/**
 * Before sign-in: "Mot de passe oublié ?" and the pages an e-mailed link
 * opens (a reset, an invitation) to choose a password. The link's token
 * travels in the query string, which the logs never keep, then in the form.
 * Forms carry a CSRF token bound to the browser's session cookie, as the
 * sign-in form does.
 *
 * A reset request answers the same page whether or not the address has an
 * account; requests count towards the address's sign-in failures, and one
 * account gets at most a few messages an hour (password-reset.ts), so nobody can flood a
 * colleague's mailbox.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestPasswordReset, resetPagePath } from '../../accounts/password-reset.ts';
import { invitationPagePath } from '../../accounts/invite-agent.ts';
import { passwordLinkTarget, setPasswordWithLink, type PasswordLinkPurpose } from '../../accounts/set-password.ts';
import type { AppContext } from '../../server/app-context.ts';
import { checkFormToken, ensureSession, issueFormToken, readSessionId } from '../../web/csrf.ts';
import { requestBaseUrl } from '../../web/public-url.ts';
import { retryDelayInFrench } from '../../web/rate-limits.ts';
import { sendPage } from '../../web/reply.ts';
import { requireTenant } from '../../web/tenant.ts';
import { field } from '../../web/urlencoded-body.ts';
import { choosePasswordPage, forgotPage, linkProblemPage, passwordSetPage } from './password-pages.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { jeton?: string } }>;

const SCOPE = 'back-office-mot-de-passe';
const EXPIRED_FORM = 'Le formulaire a expiré : saisissez de nouveau les informations.';

export function passwordRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;
  const tenantOf = async (request: Req) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    return { loaded, t: { id: loaded.tenantId, name: loaded.register.tenant.name } };
  };
  const csrfFor = (request: Req, reply: FastifyReply, tenantId: string) => issueFormToken(ctx.keys, tenantId, ensureSession(request, reply, ctx.config.publicUrl), SCOPE);
  const csrfOk = async (request: Req, tenantId: string) => (await checkFormToken(ctx.keys, tenantId, readSessionId(request), SCOPE, field(request.body, 'csrf'))).ok;

  app.get('/:tenant/back-office/mot-de-passe-oublie', async (request: Req, reply) => {
    const { t } = await tenantOf(request);
    return sendPage(reply, forgotPage(t, { csrf: await csrfFor(request, reply, t.id) }));
  });

  app.post('/:tenant/back-office/mot-de-passe-oublie', async (request: Req, reply) => {
    const { loaded, t } = await tenantOf(request);
    const email = field(request.body, 'email').trim().slice(0, 320);
    const again = async (status: number, error: string) => sendPage(reply, forgotPage(t, { csrf: await csrfFor(request, reply, t.id), email, error }), status);
    if (!(await csrfOk(request, t.id))) return again(403, EXPIRED_FORM);
    const verdict = ctx.limits.hit('auth-failure', request.ip);
    if (!verdict.ok) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return again(429, `Trop de demandes depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.`);
    }
    if (!email || !email.includes('@')) return again(400, 'Saisissez l’adresse e-mail de votre compte, par exemple prenom.nom@mairie.fr.');
    // Not awaited: how long the answer takes must not tell whether the account exists.
    void requestPasswordReset(db, ctx.keys, loaded, email, requestBaseUrl(ctx, request)).then(
      (queued) => queued && ctx.mail.nudge(),
      (err: unknown) => request.log.error({ err }, 'password reset not queued'),
    );
    return sendPage(reply, forgotPage(t, { csrf: await csrfFor(request, reply, t.id), sent: true }));
  });

  /** `path(':tenant')` is the route itself: the e-mails and the routes share one definition. */
  function linkPages(purpose: PasswordLinkPurpose, path: (tenantId: string) => string): void {
    app.get(path(':tenant'), async (request: Req, reply) => {
      const { t } = await tenantOf(request);
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      const token = (request.query.jeton ?? '').slice(0, 100);
      const target = await passwordLinkTarget(db, t.id, purpose, token);
      if (!target.ok) return sendPage(reply, linkProblemPage(t, purpose, target.problem), 410);
      return sendPage(reply, choosePasswordPage(t, { purpose, action: path(t.id), csrf: await csrfFor(request, reply, t.id), token, email: target.email }));
    });

    app.post(path(':tenant'), async (request: Req, reply) => {
      const { t } = await tenantOf(request);
      const token = field(request.body, 'jeton').slice(0, 100);
      const show = async (status: number, email: string, errors: Array<{ field: string; message: string }>) =>
        sendPage(reply, choosePasswordPage(t, { purpose, action: path(t.id), csrf: await csrfFor(request, reply, t.id), token, email, errors }), status);
      const target = await passwordLinkTarget(db, t.id, purpose, token);
      if (!target.ok) return sendPage(reply, linkProblemPage(t, purpose, target.problem), 410);
      if (!(await csrfOk(request, t.id))) return show(403, target.email, [{ field: 'password', message: EXPIRED_FORM }]);
      const password = field(request.body, 'password').slice(0, 1024);
      const result = await setPasswordWithLink(db, { tenantId: t.id, purpose, token, password, confirmation: field(request.body, 'confirmation').slice(0, 1024) });
      if (result.ok) return sendPage(reply, passwordSetPage(t, purpose));
      if (result.field === 'link') return sendPage(reply, linkProblemPage(t, purpose, result.problem), 410);
      return show(400, target.email, [{ field: result.field, message: result.problem }]);
    });
  }

  linkPages('reset', resetPagePath);
  linkPages('invitation', invitationPagePath);
}
