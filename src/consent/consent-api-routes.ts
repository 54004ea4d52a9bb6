/**
 * `POST /api/v1/{tenant}/consent` (CONTRACT.md): records the proof of a
 * choice and answers the signed cookie value that consent.js stores. Browsers
 * may post from the platform's pages or from a site the register lists
 * (CORS for those alone); a post from any other site is refused, and nothing
 * is stored from it.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { retryDelayInFrench } from '../web/rate-limits.ts';
import { requireTenant } from '../web/tenant.ts';
import { readChoiceBody } from './choice-input.ts';
import { consentConfig } from './consent-config.ts';
import { CONSENT_LIFETIME_DAYS, signConsentCookie } from './consent-cookie.ts';
import { recordProof } from './consent-proofs.ts';
import { allowSite, beaconBody, preflightRoute, requestSite } from './site-origins.ts';

type TenantParams = { tenant: string };

export function consentApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  preflightRoute(app, ctx, '/api/v1/:tenant/consent');

  app.post<{ Params: TenantParams; Body: unknown }>('/api/v1/:tenant/consent', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const site = requestSite(loaded, request, ctx.config.publicUrl);
    reply.header('cache-control', 'no-store');
    if (!site.ok) return reply.code(403).send({ error: 'origin-not-allowed', message: 'Ce site n’est pas déclaré par la collectivité (tenant.origins) : le choix n’est pas enregistré.' });
    allowSite(reply, site);
    const verdict = ctx.limits.hit('consent', request.ip);
    if (!verdict.ok) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return reply.code(429).send({ errors: [{ field: 'choices', message: `Trop de choix envoyés depuis cette adresse : réessayez ${retryDelayInFrench(verdict.retryAfterSeconds)}.` }] });
    }
    const config = consentConfig(loaded);
    const read = readChoiceBody(config, beaconBody(request.body));
    if (!read.ok) return reply.code(400).send({ errors: read.errors });
    const now = new Date();
    const { input } = read;
    await recordProof(ctx.database.db, loaded.tenantId, {
      consentId: input.consentId,
      choices: input.allowed,
      registerVersion: loaded.version,
      configHash: config.configHash,
      textHash: input.textHash,
      lang: input.lang,
      source: input.source,
      site: site.site,
      at: now,
    });
    const cookie = await signConsentCookie(ctx.keys, config, input.consentId, input.allowed, now);
    return reply.code(201).send({
      consentId: input.consentId,
      choices: input.allowed,
      cookie,
      expiresAt: new Date(now.getTime() + CONSENT_LIFETIME_DAYS * 86_400_000).toISOString(),
    });
  });
}
