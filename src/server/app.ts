/**
 * The HTTP server: security headers, error pages, and the routes of each
 * capability. It wires modules together and holds no logic of its own.
 */
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { verifyTenantKeys, tenantKeyFailuresSummary } from '../crypto/verify-tenant-keys.ts';
import { AppError, ERRORS } from '../errors/app-error.ts';
import { noticeRoutes } from '../notice/notice-routes.ts';
import { submissionApiRoutes } from '../records/submission-api-routes.ts';
import { formRoutes } from '../forms/form-routes.ts';
import { trackingRoutes } from '../records/tracking-routes.ts';
import { recordApiRoutes } from '../records/record-api-routes.ts';
import { rightsApiRoutes } from '../rights/rights-api-routes.ts';
import { rightsPageRoutes } from '../rights/rights-page-routes.ts';
import { selfServiceRoutes } from '../rights/self-service-routes.ts';
import { journalRoutes } from '../journal/journal-routes.ts';
import { openapiRoutes } from '../api/openapi-routes.ts';
import { publicPagesRoutes } from '../web/public-pages-routes.ts';
import { assetRoutes } from '../web/asset-routes.ts';
import { errorPage } from '../web/error-page.ts';
import { registerJsonBodyParser } from '../web/json-body-parser.ts';
import { registerUrlencodedBodyParser } from '../web/urlencoded-body.ts';
import { signInRoutes } from '../back-office/sign-in-routes.ts';
import { exportRoutes } from '../back-office/export/export-routes.ts';
import { recordsRoutes } from '../back-office/records-routes.ts';
import { accountRoutes } from '../back-office/account-routes.ts';
import { citizenRoutes } from '../citizens/citizen-routes.ts';
import { adminRoutes } from '../back-office/admin/admin-routes.ts';
import { passwordRoutes } from '../back-office/admin/password-routes.ts';
import { tokenRoutes } from '../back-office/admin/tokens-section.ts';
import { archiveRoutes } from '../back-office/dpo/archive-routes.ts';
import { rightsQueueRoutes } from '../back-office/rights/rights-queue-routes.ts';
import { audienceDashboardRoutes } from '../back-office/audience/audience-routes.ts';
import { dpoRoutes } from '../back-office/dpo/dpo-routes.ts';
import { consentProofRoutes } from '../back-office/dpo/consent-proofs-routes.ts';
import { consentApiRoutes } from '../consent/consent-api-routes.ts';
import { consentScriptRoutes } from '../consent/consent-script-routes.ts';
import { cookiesPageRoutes } from '../consent/cookies-page-routes.ts';
import { hitRoutes } from '../audience/hit-routes.ts';
import { requireTenant, pageContext } from '../web/tenant.ts';
import { refuseOtherHosts } from '../web/host-check.ts';
import { JOBS } from '../jobs/jobs.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import type { AppContext } from './app-context.ts';
import { answerClientError, errorAnswer, isApi } from './error-replies.ts';
import { LOG_REDACTIONS } from './log-redaction.ts';
import { fixedSecurityHeaders } from './security-headers.ts';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
}

/** The tenant of the URL, if it exists, so that an error page keeps the authority's layout. */
async function errorContext(ctx: AppContext, url: string) {
  const first = url.split(/[/?#]/)[1] ?? '';
  try {
    return pageContext(await requireTenant(ctx.registers, first));
  } catch {
    return { tenant: null };
  }
}

/** An error in French from the catalogue: JSON under /api/, the error page otherwise; never the request's own text. */
async function sendError(ctx: AppContext, error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { id, status, message } = errorAnswer(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  reply.code(status).header('cache-control', 'no-store');
  if (isApi(request.url)) return reply.send({ error: id, message });
  return reply.type('text/html; charset=utf-8').send(errorPage(await errorContext(ctx, request.url), ERRORS[id].title, message));
}

/** Nobody without a public URL; else the configured proxies (a hop count trusts that many nearest ones). */
function trustedProxies(config: AppContext['config']): string | boolean | ((address: string, hop: number) => boolean) {
  if (!config.publicUrl) return false;
  const trust = config.trustProxy ?? 'loopback';
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  // Computed once; set on every answer, including those written outside Fastify's hooks.
  const securityHeaders = fixedSecurityHeaders(ctx.config.publicUrl);
  const app = Fastify({
    logger: options.logger ?? false,
    // Behind a reverse proxy the client address comes from X-Forwarded-For, set by a trusted proxy only.
    trustProxy: trustedProxies(ctx.config),
    bodyLimit: 1_048_576,
    // A URL that does not decode, or a route parameter over maxParamLength (100 characters: 414), refused before routing.
    frameworkErrors: (error, request, reply) => {
      reply.headers(securityHeaders);
      sendError(ctx, error, request, reply).catch((e: unknown) => request.log.error({ err: e }, 'error reply failed'));
    },
    // Refused by Node's parser (headers or URL over 16 KiB, not HTTP): there is no Fastify request, only the socket.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, securityHeaders),
    // Requests arriving while the server drains get the French 503 of the hook below, not Fastify's bare one.
    return503OnClosing: false,
    ...(options.logger ? { logger: options.logger } : {}),
  });

  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new AppError('service-unavailable');
  });
  registerJsonBodyParser(app);
  registerUrlencodedBodyParser(app);
  refuseOtherHosts(app, ctx.config.publicUrl);

  app.setErrorHandler(async (error, request, reply) => sendError(ctx, error, request, reply));

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404).header('cache-control', 'no-store');
    if (isApi(request.url)) return reply.send({ error: 'page-not-found', message: ERRORS['page-not-found'].message });
    const context = await errorContext(ctx, request.url);
    const error = ERRORS[context.tenant ? 'page-not-found' : 'tenant-not-found'];
    return reply.type('text/html; charset=utf-8').send(errorPage(context, error.title, error.message));
  });

  // Citizen forms: the CSRF session cookie, and multipart bodies (limits are set per form when read).
  await app.register(cookie);
  // A file over its limit is reported for its field (form-body.ts), never as a bare 413.
  await app.register(multipart, { throwFileSizeLimit: false });

  const scheduler = startScheduler(JOBS, { db: ctx.database.db, keys: ctx.keys, publicUrl: ctx.config.publicUrl }, app.log);
  app.addHook('onClose', async () => {
    await scheduler.stop();
    await ctx.close();
  });

  // Checked once at start, not per request: a master key that cannot open the data keys fails every form.
  let keysProblem: string | undefined;
  app.addHook('onReady', async () => {
    const failures = await verifyTenantKeys(ctx.database.db, ctx.keyring);
    keysProblem = failures.length > 0 ? tenantKeyFailuresSummary(failures) : undefined;
  });
  app.get('/healthz', async (_request, reply) => {
    await ctx.database.ping();
    reply.header('cache-control', 'no-store');
    if (keysProblem) return reply.code(503).send({ status: 'degraded', database: ctx.database.kind, keys: keysProblem });
    return reply.send({ status: 'ok', database: ctx.database.kind });
  });

  assetRoutes(app);
  noticeRoutes(app, ctx);
  submissionApiRoutes(app, ctx);
  formRoutes(app, ctx);
  trackingRoutes(app, ctx);
  recordApiRoutes(app, ctx);
  rightsApiRoutes(app, ctx);
  rightsPageRoutes(app, ctx);
  selfServiceRoutes(app, ctx);
  journalRoutes(app, ctx);
  signInRoutes(app, ctx);
  recordsRoutes(app, ctx);
  exportRoutes(app, ctx);
  accountRoutes(app, ctx);
  citizenRoutes(app, ctx);
  adminRoutes(app, ctx);
  passwordRoutes(app, ctx);
  tokenRoutes(app, ctx);
  dpoRoutes(app, ctx);
  consentProofRoutes(app, ctx);
  archiveRoutes(app, ctx);
  rightsQueueRoutes(app, ctx);
  audienceDashboardRoutes(app, ctx);
  consentScriptRoutes(app, ctx);
  consentApiRoutes(app, ctx);
  cookiesPageRoutes(app, ctx);
  hitRoutes(app, ctx);
  openapiRoutes(app, ctx);
  publicPagesRoutes(app, ctx);
  return app;
}

export { LOG_REDACTIONS };
