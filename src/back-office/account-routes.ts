/** The agent's own account: role, services, second factor, and signing out of every session. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recoveryCodesLeft } from '../accounts/recovery-codes.ts';
import { secondFactorRequired } from '../accounts/sign-in.ts';
import type { AppContext } from '../server/app-context.ts';
import { html } from '../web/html.ts';
import { sendPage } from '../web/reply.ts';
import { agentPage } from './agent-session.ts';
import { backOfficePage } from './back-office-layout.ts';
import { tokensSection } from './admin/tokens-section.ts';

const ROLE_LABELS = { agent: 'Agent', dpo: 'Délégué à la protection des données', admin: 'Administrateur' } as const;

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/:tenant/back-office/compte', async (request: FastifyRequest<{ Params: { tenant: string } }>, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    const base = `/${req.tenantId}/back-office`;
    const row = await ctx.database.db.selectFrom('agents').select('totp_enabled_at').where('tenant_id', '=', req.tenantId).where('id', '=', req.actor.agentId).executeTakeFirst();
    const enabled = Boolean(row?.totp_enabled_at);
    const services = new Map(req.loaded.register.services.map((s) => [s.id, s.name]));
    return sendPage(
      reply,
      backOfficePage(
        req,
        { title: 'Mon compte', path: `${base}/compte` },
        html`<h1>Mon compte</h1>
<dl class="items">
<dt>Adresse e-mail</dt><dd>${req.actor.email}</dd>
<dt>Rôle</dt><dd>${ROLE_LABELS[req.actor.role]}</dd>
<dt>Services</dt><dd>${req.actor.services.length === 0 ? 'Aucun : vous ne voyez aucune demande.' : req.actor.services.map((s) => services.get(s) ?? s).join(', ')}</dd>
<dt>Double authentification</dt><dd>${enabled ? `Active (${await recoveryCodesLeft(ctx.database.db, req.tenantId, req.actor.agentId)} codes de secours restants).` : secondFactorRequired(req.actor.role) ? 'Obligatoire pour votre rôle.' : 'Non activée (facultative pour les agents).'}</dd>
</dl>
<p><a href="${base}/double-authentification">${enabled ? 'Changer d’appareil d’authentification (nouveaux codes de secours)' : 'Activer la double authentification'}</a></p>
${await tokensSection(ctx, req)}
<form method="post" action="${base}/deconnexion-partout"><input type="hidden" name="csrf" value="${req.csrf}"><button type="submit" class="button-secondary">Fermer toutes mes sessions</button></form>`,
      ),
    );
  });
}
