/**
 * The page every back-office screen shares: the authority's name, the
 * agent's navigation, sign-out, and when the session ends without activity
 * with a button to extend it (RGAA 13.1: a time limit the user can extend).
 */
import { frenchDateTime } from '../notice/french-date.ts';
import { html, type Html } from '../web/html.ts';
import { documentShell } from '../web/layout.ts';
import type { AgentRequest } from './agent-session.ts';
import { audiencePath, readsAudience } from './audience/audience-access.ts';

export interface BackOfficePage {
  title: string;
  hasErrors?: boolean;
  /** For aria-current in the navigation. */
  path?: string;
}

const time = (d: Date) => frenchDateTime(d).replace(/^.* à /, '');

function shell(tenant: { id: string; name: string }, options: BackOfficePage, header: Html, content: Html): string {
  const title = `${options.hasErrors ? 'Erreur : ' : ''}${options.title} – Espace agents – ${tenant.name}`;
  const footer = html`<footer class="site-footer"><ul class="footer-links"><li><a href="/${tenant.id}/donnees-personnelles">Données personnelles</a></li></ul><p>Bastide, espace des agents.</p></footer>`;
  return documentShell({ title, siteName: `${tenant.name} – Espace agents`, header, content, footer }).value;
}

/** Pages before sign-in is complete: no navigation. */
export function signInShell(tenant: { id: string; name: string }, options: BackOfficePage, content: Html): string {
  return shell(tenant, options, html``, content);
}

export function backOfficePage(req: AgentRequest, options: BackOfficePage, content: Html): string {
  const t = req.loaded.register.tenant;
  const base = `/${t.id}/back-office`;
  const links: Array<[string, string]> = [
    [base, 'Demandes'],
    // The statistics are for the agents of the audience processing's service, whatever their role.
    ...(readsAudience(req) ? ([[audiencePath(t.id), 'Mesure d’audience']] as Array<[string, string]>) : []),
    // Only the pages the role may open (src/back-office/admin/, src/back-office/dpo/).
    ...(req.actor.role === 'admin' ? ([[`${base}/administration`, 'Administration']] as Array<[string, string]>) : []),
    ...(req.actor.role === 'dpo'
      ? ([
          [`${base}/journal`, 'Journal des accès'],
          [`${base}/conservation`, 'Conservation'],
          [`${base}/consentements`, 'Preuves de consentement'],
          ...(req.loaded.register.rightsRequestProcessing ? ([[`${base}/droits`, 'Droits des personnes']] as Array<[string, string]>) : []),
        ] as Array<[string, string]>)
      : []),
    [`${base}/compte`, 'Mon compte'],
  ];
  const header = html`<nav class="site-nav" aria-label="Menu de l’espace agents"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${options.path === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>
<div class="session-bar">
<p>Connecté : ${req.actor.email}. Sans activité, la session se ferme à ${time(req.session.idleExpiresAt)} (au plus tard à ${time(req.session.absoluteExpiresAt)}).</p>
<form method="post" action="${base}/prolonger"><input type="hidden" name="csrf" value="${req.csrf}"><button type="submit" class="button-secondary">Prolonger la session</button></form>
<form method="post" action="${base}/deconnexion"><input type="hidden" name="csrf" value="${req.csrf}"><button type="submit" class="button-secondary">Se déconnecter</button></form>
</div>`;
  return shell(t, options, header, content);
}

/** An error summary at the top of a form, its items linked to their fields. */
export function errorSummary(errors: Array<{ field?: string; message: string }>): Html {
  if (errors.length === 0) return html``;
  return html`<section class="error-summary" id="erreurs" tabindex="-1" autofocus aria-labelledby="erreurs-titre">
<h2 id="erreurs-titre">${errors.length === 1 ? 'Une erreur empêche de continuer' : `${errors.length} erreurs empêchent de continuer`}</h2>
<ul>${errors.map((e) => (e.field ? html`<li><a href="#${e.field}">${e.message}</a></li>` : html`<li>${e.message}</li>`))}</ul>
</section>`;
}

/** A labelled input, its error tied to it with aria-describedby. */
export function inputField(input: { id: string; label: string; type: string; value?: string; autocomplete?: string; error?: string | undefined; hint?: string }): Html {
  const described = [input.hint ? `${input.id}-hint` : '', input.error ? `${input.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${input.error ? ' field-invalid' : ''}">
<label for="${input.id}">${input.label}</label>
${input.hint ? html`<p class="hint" id="${input.id}-hint">${input.hint}</p>` : ''}
${input.error ? html`<p class="error-message" id="${input.id}-error"><span class="visually-hidden">Erreur : </span>${input.error}</p>` : ''}
<input type="${input.type}" id="${input.id}" name="${input.id}"${input.value !== undefined ? html` value="${input.value}"` : ''}${input.autocomplete ? html` autocomplete="${input.autocomplete}"` : ''}${described ? html` aria-describedby="${described}"` : ''}${input.error ? html` aria-invalid="true"` : ''} required>
</div>`;
}
