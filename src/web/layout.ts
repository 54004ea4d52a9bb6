/**
 * The page every citizen-facing screen shares: the authority's name, a skip
 * link, landmarks, and a footer that always links the privacy notice.
 */
import { html, type Html } from './html.ts';
import { ASSET_PATHS } from './assets.ts';

export interface PageContext {
  tenant: { id: string; name: string; website?: string | undefined } | null;
  /** The authority's consent manager (consent.js with its version's hash); absent on error pages of unknown authorities. */
  consentScript?: string | undefined;
  /** A page event for the audience measurement (`form-viewed demande-urbanisme`), read by consent.js. */
  audienceEvent?: string | undefined;
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
<li><a href="/${tenantId}/cookies" data-bastide-consent>Gestion des cookies</a></li>
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
  /** Added to the head: the consent manager's script and stylesheet, a page's meta. */
  head?: Html | undefined;
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
${parts.head ?? ''}</head>
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
    head: consentHead(ctx),
  });
}

/** consent.js runs after parsing (the platform's pages hold no third-party frame it would have to stop first). */
function consentHead(ctx: PageContext): Html | undefined {
  if (!ctx.consentScript) return undefined;
  return html`<link rel="stylesheet" href="${ASSET_PATHS.consentCss}">
<script src="${ctx.consentScript}" defer></script>
${ctx.audienceEvent ? html`<meta name="bastide-audience" content="${ctx.audienceEvent}">
` : ''}`;
}
