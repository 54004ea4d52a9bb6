/**
 * Routes: following a request with its tracking code, without an account.
 * GET /{tenant}/suivi (the page) and GET /api/v1/{tenant}/tracking/{code}.
 * Both are rate-limited per address, so codes cannot be found by trying.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { findForm } from '../forms/find-form.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { retryDelayInFrench } from '../web/rate-limits.ts';
import { sendPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { normaliseTrackingCode } from './tracking-code.ts';
import { findTrackedRequest } from './tracking-lookup.ts';
import { trackingPage } from './tracking-page.ts';


function formTitle(loaded: LoadedRegister, formId: string): string {
  return findForm(loaded.register, formId)?.form.title ?? 'Démarche en ligne';
}

export function trackingRoutes(app: FastifyInstance, ctx: AppContext): void {
  // One counter for the page and the API: a code cannot be guessed by trying through both.
  const count = (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = ctx.limits.hit('tracking', request.ip);
    if (verdict.ok) return;
    reply.header('retry-after', String(verdict.retryAfterSeconds));
    throw new AppError('too-many-requests', `Trop de numéros de suivi essayés depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.`);
  };

  app.get<{ Params: { tenant: string }; Querystring: { code?: unknown } }>('/:tenant/suivi', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const raw = request.query.code;
    if (raw === undefined) return sendPage(reply, trackingPage(loaded, { code: '' }));
    count(request, reply);
    const typed = (typeof raw === 'string' ? raw : '').slice(0, 40);
    if (typed.trim() === '') return sendPage(reply, trackingPage(loaded, { code: '', error: 'Saisissez votre numéro de suivi.' }));
    const code = normaliseTrackingCode(typed);
    if (!code)
      return sendPage(reply, trackingPage(loaded, { code: typed, error: 'Le numéro de suivi compte 12 lettres et chiffres, par exemple 7K3M-Q9XA-2BPD : vérifiez votre saisie.' }));
    const request_ = await findTrackedRequest(ctx.database.db, loaded.tenantId, code);
    if (!request_)
      return sendPage(
        reply,
        trackingPage(loaded, { code, error: `Aucune demande ne correspond au numéro ${code} : vérifiez-le sur la page de confirmation ou dans l’accusé de réception.` }),
      );
    return sendPage(reply, trackingPage(loaded, { code, found: { formTitle: formTitle(loaded, request_.formId), request: request_ } }));
  });

  app.get<{ Params: { tenant: string; code: string } }>('/api/v1/:tenant/tracking/:code', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    count(request, reply);
    const code = normaliseTrackingCode(request.params.code.slice(0, 40));
    const found = code ? await findTrackedRequest(ctx.database.db, loaded.tenantId, code) : undefined;
    if (!found) throw new AppError('record-not-found', 'Aucune demande ne correspond à ce numéro de suivi.');
    return reply.header('cache-control', 'no-store').send({
      form: formTitle(loaded, found.formId),
      status: found.status,
      submittedAt: found.submittedAt.toISOString(),
      updatedAt: found.updatedAt.toISOString(),
    });
  });
}
