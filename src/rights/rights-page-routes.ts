/**
 * « Exercer mes droits » without JavaScript: the form (CSRF token bound to
 * the browser's session cookie, the same per-address limit as the API), the
 * confirmation link's page and button, and the answer behind its link. A
 * refused form comes back with what was typed and the message on its field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { checkFormToken, ensureSession, issueFormToken, readSessionId } from '../web/csrf.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { sendPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { field } from '../web/urlencoded-body.ts';
import { openAnswer } from './answer-link.ts';
import { receiveRequest, type FieldError } from './intake.ts';
import { rightsProcessing } from './request-retention.ts';
import { rightsLimit } from './rights-api-routes.ts';
import { answerCsv, answerHtml, answerJson } from './answer-streams.ts';
import { answerExpiredPage, confirmedPage, confirmPage, requestSentPage, rightsPage } from './rights-pages.ts';
import { verifyByLink } from './verification.ts';

type Req = FastifyRequest<{ Params: { tenant: string }; Querystring: { jeton?: string; format?: string } }>;

const FORM_SCOPE = 'droits';
const CONFIRM_SCOPE = 'droits-confirmation';
const FIELDS = ['type', 'email', 'phone', 'processing', 'scope', 'details'] as const;

export function rightsPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };
  const csrf = (request: FastifyRequest, reply: Parameters<typeof sendPage>[0], tenantId: string, scope: string) => issueFormToken(ctx.keys, tenantId, ensureSession(request, reply, ctx.config.publicUrl), scope);
  const tokenOk = async (request: FastifyRequest, tenantId: string, scope: string) => (await checkFormToken(ctx.keys, tenantId, readSessionId(request), scope, field(request.body, 'csrf'))).ok;

  app.get('/:tenant/mes-droits', async (request: Req, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const form = rightsProcessing(loaded.register) ? { csrf: await csrf(request, reply, loaded.tenantId, FORM_SCOPE) } : undefined;
    return sendPage(reply, rightsPage(loaded, form));
  });

  app.post('/:tenant/mes-droits', async (request: Req, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    if (!rightsProcessing(loaded.register)) throw new AppError('rights-desk-not-offered');
    const values = Object.fromEntries(FIELDS.map((f) => [f, field(request.body, f).slice(0, f === 'details' ? 6000 : 400)]));
    const again = async (status: number, errors: FieldError[]) => sendPage(reply, rightsPage(loaded, { csrf: await csrf(request, reply, loaded.tenantId, FORM_SCOPE), values, errors }), status);
    if (!(await tokenOk(request, loaded.tenantId, FORM_SCOPE)))
      return again(403, [{ field: 'type', message: 'Ce formulaire a expiré ou ne vient pas de cette page : vérifiez les informations et envoyez-le de nouveau.' }]);
    const limited = rightsLimit(ctx, request, reply);
    if (limited) return again(429, [{ field: 'email', message: limited }]);
    const result = await receiveRequest(deps, loaded, { type: values['type'], email: values['email'], phone: values['phone'], details: values['details'], scope: values['scope'] || values['processing'] }, requestBaseUrl(ctx, request));
    if (!result.ok) return again(result.status, result.errors);
    ctx.mail.nudge();
    return sendPage(reply, requestSentPage(loaded, { email: values['email']!.trim(), dueAt: result.dueAt }));
  });

  app.get('/:tenant/mes-droits/confirmation', async (request: Req, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    reply.header('cache-control', 'no-store');
    return sendPage(reply, confirmPage(loaded, { csrf: await csrf(request, reply, loaded.tenantId, CONFIRM_SCOPE), token: String(request.query.jeton ?? '').slice(0, 100) }));
  });

  app.post('/:tenant/mes-droits/confirmation', async (request: Req, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const token = field(request.body, 'jeton').slice(0, 100);
    if (!(await tokenOk(request, loaded.tenantId, CONFIRM_SCOPE))) return sendPage(reply, confirmPage(loaded, { csrf: await csrf(request, reply, loaded.tenantId, CONFIRM_SCOPE), token }), 403);
    const result = await verifyByLink(deps, loaded, token);
    if (result.ok) ctx.mail.nudge();
    return sendPage(reply, confirmedPage(loaded, result.ok ? { dueAt: result.dueAt } : undefined), result.ok ? 200 : 410);
  });

  app.get('/:tenant/mes-droits/reponse', async (request: Req, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    reply.header('cache-control', 'no-store');
    const token = String(request.query.jeton ?? '').slice(0, 100);
    const answer = await openAnswer(deps, loaded.tenantId, token);
    if (!answer) return sendPage(reply, answerExpiredPage(loaded), 410);
    const base = `/${loaded.tenantId}/mes-droits/reponse?jeton=${encodeURIComponent(token)}`;
    const { head } = answer;
    const name = `donnees-${loaded.tenantId}-${head.requestId.slice(0, 8)}`;
    // Streamed a part of the records at a time: however many, the server never holds them all.
    if (request.query.format === 'json')
      return reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.json"`).send(answerJson(answer));
    if (request.query.format === 'csv' && head.kind === 'portability')
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(answerCsv(answer));
    return reply.type('text/html; charset=utf-8').send(answerHtml(loaded, answer, { json: `${base}&format=json`, ...(head.kind === 'portability' ? { csv: `${base}&format=csv` } : {}) }));
  });
}
