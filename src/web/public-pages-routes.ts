/**
 * The pages around the notice that a citizen reaches from it: the list of
 * authorities, each authority's online procedures, and how to exercise rights.
 */
import type { FastifyInstance } from 'fastify';
import { listTenants } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { sendPage } from './reply.ts';
import { pageContext, requireTenant } from './tenant.ts';

export function publicPagesRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', async (_request, reply) => {
    const tenants = (await listTenants(ctx.database.db)).filter((t) => t.currentVersion !== null);
    const body = html`<h1>Collectivités</h1>
${tenants.length === 0 ? html`<p>Aucune collectivité n’est encore chargée sur cette plateforme.</p>` : html`<ul>${tenants.map((t) => html`<li><a href="/${t.id}/demarches">${t.name}</a></li>`)}</ul>`}`;
    return sendPage(reply, page({ tenant: null }, { title: 'Collectivités' }, body).toString());
  });

  app.get<{ Params: { tenant: string } }>('/:tenant', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    return reply.redirect(`/${loaded.tenantId}/demarches`);
  });

  app.get<{ Params: { tenant: string } }>('/:tenant/demarches', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const forms = loaded.register.processings.flatMap((p) => p.forms.map((f) => ({ form: f, processing: p })));
    const path = `/${loaded.tenantId}/demarches`;
    const body = html`<h1>Démarches en ligne</h1>
<p>Chaque démarche dit, avant que vous ne la remplissiez, à quoi servent vos données, qui les traite et combien de temps elles sont conservées.</p>
<ul class="procedures">${forms.map(
      ({ form, processing }) =>
        html`<li><a href="/${loaded.tenantId}/demarches/${form.id}"><strong>${form.title}</strong></a> – ${processing.purposes[0]}. <a href="/${loaded.tenantId}/donnees-personnelles#traitement-${processing.id}">Données collectées<span class="visually-hidden"> pour « ${form.title} »</span></a></li>`,
    )}</ul>
<h2>Suivre une demande</h2>
<p>Vous avez déjà fait une démarche ? <a href="/${loaded.tenantId}/suivi">Suivez-la avec son numéro de suivi</a>, sans compte.</p>`;
    return sendPage(reply, page(pageContext(loaded), { title: 'Démarches en ligne', path }, body).toString());
  });
}
