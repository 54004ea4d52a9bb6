/**
 * The page every citizen-facing screen shares: the authority's name, a skip
 * link, landmarks, and a footer that always links the privacy notice.
 */
import { html, type Html } from './html.ts';
import { ASSET_PATHS } from './assets.ts';

export interface PageContext {
  tenant: { id: string; name: string; website?: string | undefined } | null;
}

export interface PageOptions {
  title: string;
  /** Set when the page reports errors: RGAA 11.10 wants the title to say so first. */
  hasErrors?: boolean;
  /** Current path, so the navigation can mark the page with aria-current. */
  path?: string;
}

function nav(tenantId: string, path: string | undefined): Html {
  const links: Array<[string, string]> = [
    [`/${tenantId}/demarches`, 'Démarches en ligne'],
    [`/${tenantId}/mes-droits`, 'Mes droits'],
    [`/${tenantId}/donnees-personnelles`, 'Données personnelles'],
  ];
  return html`<nav class="site-nav" aria-label="Menu principal"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${path === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`;
}

function footer(tenantId: string | null): Html {
  if (!tenantId) return html`<footer class="site-footer"><p>Bastide</p></footer>`;
  return html`<footer class="site-footer">
<ul class="footer-links">
<li><a href="/${tenantId}/donnees-personnelles">Données personnelles</a></li>
<li><a href="/${tenantId}/donnees-personnelles#cookies">Gestion des cookies</a></li>
<li><a href="/${tenantId}/mes-droits">Exercer mes droits</a></li>
</ul>
<p>Service en ligne propulsé par Bastide.</p>
</footer>`;
}

/** What a page puts inside the shell every page shares, citizens' and agents' alike. */
export interface DocumentParts {
  /** The whole `<title>`, "Erreur : " first when the page reports errors. */
  title: string;
  /** The authority's name at the top: a link, or plain text. */
  siteName: Html | string;
  /** Under the name: the navigation, the agent's session bar. */
  header: Html | string;
  content: Html;
  footer: Html;
}

/** The document around every page: French, the stylesheet, a skip link to the main content, header, main, footer. */
export function documentShell(parts: DocumentParts): Html {
  return html`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title}</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
</head>
<body>
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header class="site-header">
<div class="wrap">
<p class="site-name">${parts.siteName}</p>
${parts.header}
</div>
</header>
<main id="contenu" class="wrap" tabindex="-1">
${parts.content}
</main>
${parts.footer}
</body>
</html>`;
}

export function page(ctx: PageContext, options: PageOptions, content: Html): Html {
  const tenant = ctx.tenant;
  return documentShell({
    title: `${options.hasErrors ? 'Erreur : ' : ''}${options.title}${tenant ? ` – ${tenant.name}` : ''}`,
    siteName: tenant ? html`<a href="/${tenant.id}/demarches">${tenant.name}</a>` : 'Bastide',
    header: tenant ? nav(tenant.id, options.path) : '',
    content,
    footer: footer(tenant?.id ?? null),
  });
}
