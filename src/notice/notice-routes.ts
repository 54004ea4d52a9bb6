/** The published notice: HTML for citizens, JSON for machines, and every earlier version. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { listVersions } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { sendCachedPage, sendPage } from '../web/reply.ts';
import { pageContext, requireTenant } from '../web/tenant.ts';
import { frenchDateTime } from './french-date.ts';
import { renderedNotice } from './notice-cache.ts';

type TenantParams = { tenant: string };
type VersionParams = { tenant: string; version: string };

function parseVersion(text: string): number {
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || n < 1) throw new AppError('version-not-found');
  return n;
}

export function noticeRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: TenantParams }>('/:tenant/donnees-personnelles', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const rendered = renderedNotice(loaded);
    return sendCachedPage(request, reply, rendered.html, rendered.etags.html);
  });

  app.get<{ Params: TenantParams; Querystring: { version?: string } }>('/api/v1/:tenant/notice', async (request, reply) => {
    let loaded = await requireTenant(ctx.registers, request.params.tenant);
    if (request.query.version !== undefined) {
      const old = await ctx.registers.version(loaded.tenantId, parseVersion(request.query.version));
      if (!old) throw new AppError('version-not-found');
      loaded = old;
    }
    const rendered = renderedNotice(loaded);
    return sendCachedPage(request, reply, rendered.json, rendered.etags.json, 'application/json; charset=utf-8');
  });

  app.get<{ Params: TenantParams }>('/:tenant/donnees-personnelles/versions', async (request, reply) => {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const versions = await listVersions(ctx.database.db, loaded.tenantId);
    const base = `/${loaded.tenantId}/donnees-personnelles`;
    const body = html`<h1>Versions de la politique de données personnelles</h1>
<p>Chaque modification du registre des traitements publie une nouvelle version. Les versions précédentes restent consultables.</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="versions-tableau"><table>
<caption id="versions-tableau">Versions publiées, de la plus récente à la plus ancienne</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Publiée le</th><th scope="col">Statut</th></tr></thead>
<tbody>${versions.map(
      (v) =>
        html`<tr><th scope="row"><a href="${v.version === loaded.version ? base : `${base}/versions/${v.version}`}">Version ${v.version}</a></th><td>${frenchDateTime(v.loadedAt)}</td><td>${
          v.version === loaded.version ? 'En vigueur' : 'Remplacée'
        }</td></tr>`,
    )}</tbody>
</table></div>`;
    return sendPage(reply, page(pageContext(loaded), { title: 'Versions de la politique de données personnelles' }, body).toString());
  });

  app.get<{ Params: VersionParams }>('/:tenant/donnees-personnelles/versions/:version', async (request, reply) => {
    const current = await requireTenant(ctx.registers, request.params.tenant);
    const loaded = await ctx.registers.version(current.tenantId, parseVersion(request.params.version));
    if (!loaded) throw new AppError('version-not-found');
    const rendered = renderedNotice(loaded);
    if (loaded.version === current.version) return reply.redirect(`/${current.tenantId}/donnees-personnelles`);
    return sendCachedPage(request, reply, rendered.archivedHtml(), rendered.etags.archivedHtml);
  });
}
