/**
 * `/{tenant}/consent.js`: the consent manager of the register in force, for
 * the platform's pages (`?v=<the script's hash>`, kept a year) and for the authority's
 * other sites (without `v`, revalidated every five minutes, so that a new
 * register reaches them within minutes). `?lang=en` for English.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { sendCachedPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { consentScript, scriptTag } from './consent-script.ts';
import { isLang } from './consent-texts.ts';

export function consentScriptRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { tenant: string }; Querystring: { lang?: string; v?: string } }>('/:tenant/consent.js', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const lang = isLang(request.query.lang) ? request.query.lang : 'fr';
    const script = consentScript(loaded, lang);
    const pinned = request.query.v === scriptTag(script);
    // Loaded by <script src> from the authority's other sites: no CORS needed, but not the default same-origin resource policy.
    reply.header('cross-origin-resource-policy', 'cross-origin');
    return sendCachedPage(request, reply, script.body, script.etag, 'text/javascript; charset=utf-8', pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  });
}
