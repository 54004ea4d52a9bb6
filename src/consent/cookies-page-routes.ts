/**
 * The cookies page and its form: the choices a visitor makes without
 * JavaScript (the page, or the confirmation a placeholder's link leads to) are
 * recorded as proofs and stored in the same signed cookie as the panel's.
 * CSRF-protected like every citizen form; after saving, the visitor goes
 * back to the page they came from when it is one of this authority's.
 * A placeholder's link leads here with `?autoriser=<provider>`: a one-step
 * confirmation above the rest of the choices.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { checkFormToken, ensureSession, issueFormToken, readSessionId } from '../web/csrf.ts';
import { sendPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { field } from '../web/urlencoded-body.ts';
import { resolveChoices } from './choice-input.ts';
import { AUDIENCE, consentConfig, type ConsentConfig } from './consent-config.ts';
import { CONSENT_COOKIE, VISITOR_COOKIE, consentCookieOptions, readConsentCookie, signConsentCookie } from './consent-cookie.ts';
import { recordProof } from './consent-proofs.ts';
import { cookiesPage } from './cookies-page.ts';
import { ownOrigin } from './site-origins.ts';

type Params = { tenant: string };

/** The CSRF form id of the cookies page's forms (its choices, and a placeholder's one-step confirmation). */
const COOKIES_FORM = 'cookies';

/** A path of this authority's own pages, nothing else (no other host, no scheme, no protocol-relative //). */
export function safeReturn(tenantId: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined;
  if (!value.startsWith(`/${tenantId}/`) || value.startsWith('//') || /[\\\s\u0000-\u001f]/.test(value)) return undefined;
  return value;
}

/** The choices a posted form makes, over what the visitor had chosen before. */
function postedChoices(config: ConsentConfig, body: unknown, before: Record<string, boolean> | undefined): { allowed: Record<string, boolean>; source: 'page' | 'embed' } {
  const start = before ?? resolveChoices(config, {});
  const one = field(body, 'autoriser');
  if (one) {
    if (!config.services.some((s) => s.id === one)) throw new AppError('bad-request', `Le contenu « ${one.slice(0, 64)} » n’est pas proposé sur ce site.`);
    return { allowed: { ...start, [one]: true }, source: 'embed' };
  }
  const action = field(body, 'action');
  if (action === 'accepter' || action === 'refuser') {
    const value = action === 'accepter';
    const allowed = { ...start, ...Object.fromEntries(config.services.map((s) => [s.id, value])) };
    if (value && config.audience) allowed[AUDIENCE] = true;
    return { allowed, source: 'page' };
  }
  const allowed = { ...start };
  for (const id of config.choiceIds) {
    const v = field(body, id);
    if (v === 'oui') allowed[id] = true;
    else if (v === 'non') allowed[id] = false;
  }
  return { allowed, source: 'page' };
}

export function cookiesPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function render(request: FastifyRequest, reply: FastifyReply, loaded: LoadedRegister, returnTo: string | undefined, saved: boolean, allowOne?: string) {
    const session = ensureSession(request, reply, ctx.config.publicUrl);
    const token = await issueFormToken(ctx.keys, loaded.tenantId, session, COOKIES_FORM);
    const config = consentConfig(loaded);
    const choices = await readConsentCookie(ctx.keys, config, request.cookies[CONSENT_COOKIE], new Date());
    return sendPage(reply, cookiesPage({ loaded, choices, token, returnTo, saved, allowOne: config.services.find((s) => s.id === allowOne) }));
  }

  app.get<{ Params: Params; Querystring: { retour?: string; enregistre?: string; autoriser?: string } }>('/:tenant/cookies', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    return render(request, reply, loaded, safeReturn(loaded.tenantId, request.query.retour), request.query.enregistre === '1', request.query.autoriser);
  });

  app.post<{ Params: Params; Body: unknown }>('/:tenant/cookies', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const check = await checkFormToken(ctx.keys, loaded.tenantId, readSessionId(request), COOKIES_FORM, field(request.body, '_csrf'));
    if (!check.ok) throw new AppError('csrf-refused');
    const verdict = ctx.limits.hit('consent', request.ip);
    if (!verdict.ok) throw new AppError('too-many-requests');
    const config = consentConfig(loaded);
    const now = new Date();
    const before = await readConsentCookie(ctx.keys, config, request.cookies[CONSENT_COOKIE], now);
    const { allowed, source } = postedChoices(config, request.body, before?.allowed);
    const consentId = before?.consentId ?? randomUUID();
    await recordProof(ctx.database.db, loaded.tenantId, {
      consentId,
      choices: allowed,
      registerVersion: loaded.version,
      configHash: config.configHash,
      // What this page (or its one-step confirmation) showed: not the banner's texts.
      textHash: config.pageTextHash,
      lang: 'fr',
      source,
      site: ownOrigin(request, ctx.config.publicUrl),
      at: now,
    });
    const secure = ownOrigin(request, ctx.config.publicUrl).startsWith('https://');
    reply.setCookie(CONSENT_COOKIE, await signConsentCookie(ctx.keys, config, consentId, allowed, now), consentCookieOptions(loaded.tenantId, secure));
    // An objection removes the identifier at once: nothing is read or written for the measurement any more.
    if (config.audience && !allowed[AUDIENCE]) reply.clearCookie(VISITOR_COOKIE, { path: `/${loaded.tenantId}` });
    const returnTo = safeReturn(loaded.tenantId, field(request.body, 'retour'));
    // Back to the page with the content just allowed; the cookies page itself says it saved.
    if (returnTo && source === 'embed') return reply.code(303).redirect(returnTo);
    return reply.code(303).redirect(`/${loaded.tenantId}/cookies?enregistre=1${returnTo ? `&retour=${encodeURIComponent(returnTo)}` : ''}`);
  });
}
