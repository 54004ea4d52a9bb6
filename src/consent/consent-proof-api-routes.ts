/**
 * `GET /api/v1/{tenant}/consent/{consentId}`: every proof of one consent id,
 * oldest first, for a DPO bearer token. Any other role gets 403; an unknown
 * or malformed id (or another authority's: row-level security and the tenant
 * keep them apart) a 404 in French.
 */
import type { FastifyInstance } from 'fastify';
import { requireActor } from '../accounts/bearer-auth.ts';
import { isUuid } from '../db/uuid.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { checkProofs } from './consent-proof-check.ts';
import { proofsOf } from './consent-proofs.ts';

type Params = { tenant: string; consentId: string };

export function consentProofApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: Params }>('/api/v1/:tenant/consent/:consentId', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const actor = await requireActor(ctx.database.db, ctx.limits, request, reply, loaded.tenantId);
    if (actor.role !== 'dpo') throw new AppError('forbidden-role', 'Les preuves de consentement sont consultées par le délégué à la protection des données.');
    reply.header('cache-control', 'no-store');
    const consentId = request.params.consentId.toLowerCase();
    // Not journaled: a proof holds no personal data (no address, no browser, nothing about the person), only choices.
    const proofs = isUuid(consentId) ? await proofsOf(ctx.database.db, loaded.tenantId, actor.agentId, consentId) : [];
    if (proofs.length === 0) return reply.code(404).send({ error: 'consent-not-found', message: 'Aucune preuve de consentement pour cet identifiant.' });
    const checked = await checkProofs(ctx.registers, loaded.tenantId, proofs);
    return {
      consentId,
      proofs: checked.map(({ proof, textMatches }) => ({
        at: proof.at.toISOString(),
        choices: proof.choices,
        registerVersion: proof.registerVersion,
        configHash: proof.configHash,
        textHash: proof.textHash,
        textMatches,
        lang: proof.lang,
        source: proof.source,
        site: proof.site,
      })),
    };
  });
}
