/** Error pages in French, with the site's layout when the tenant is known. */
import { html } from './html.ts';
import { page, type PageContext } from './layout.ts';

export function errorPage(ctx: PageContext, title: string, message: string): string {
  return page(
    ctx,
    { title },
    html`<div class="notice-404">
<h1>${title}</h1>
<p>${message}</p>
<p>${ctx.tenant ? html`<a href="/${ctx.tenant.id}/demarches">Retour aux démarches en ligne</a>` : html`<a href="/">Retour à l’accueil</a>`}</p>
</div>`,
  ).toString();
}
