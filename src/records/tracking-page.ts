/** The page where a citizen follows a request with its tracking code: the form asking for it, then the request's status. */
import { frenchDateTime } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import { STATUS_LABELS, type TrackedRequest } from './tracking-lookup.ts';

export interface TrackingView {
  code: string;
  error?: string | undefined;
  found?: { formTitle: string; request: TrackedRequest } | undefined;
}

export function trackingPage(loaded: LoadedRegister, view: TrackingView): string {
  const path = `/${loaded.tenantId}/suivi`;
  const described = view.error ? 'code-hint code-error' : 'code-hint';
  const body = html`<h1>Suivre une demande</h1>
${
  view.error
    ? html`<section class="error-summary" id="erreurs" tabindex="-1" autofocus aria-labelledby="erreurs-titre">
<h2 id="erreurs-titre">Le numéro de suivi n’a pas permis de trouver votre demande</h2>
<ul><li><a href="#code">${view.error}</a></li></ul>
</section>`
    : ''
}
<p>Le numéro de suivi est affiché à la fin de votre démarche et rappelé dans l’accusé de réception envoyé par courriel. Aucun compte n’est nécessaire.</p>
<form class="tracking-form" method="get" action="${path}" novalidate>
<div class="field${view.error ? ' field-invalid' : ''}">
<label for="code">Numéro de suivi <span class="mention">(obligatoire)</span></label>
<p class="hint" id="code-hint">12 lettres et chiffres, par exemple 7K3M-Q9XA-2BPD.</p>
${view.error ? html`<p class="error-message" id="code-error"><span class="visually-hidden">Erreur : </span>${view.error}</p>` : ''}
<input type="text" id="code" name="code" value="${view.code}" required autocomplete="off" spellcheck="false" aria-describedby="${described}"${view.error ? html` aria-invalid="true"` : ''}>
</div>
<button type="submit" class="button-primary">Consulter ma demande</button>
</form>
${
  view.found
    ? html`<section class="tracked" aria-labelledby="demande-titre">
<h2 id="demande-titre">Votre demande ${view.code}</h2>
<dl class="items">
<dt>Démarche</dt><dd>${view.found.formTitle}</dd>
<dt>État</dt><dd><strong class="status">${STATUS_LABELS[view.found.request.status]}</strong></dd>
<dt>Envoyée le</dt><dd>${frenchDateTime(view.found.request.submittedAt)}</dd>
<dt>Dernière mise à jour</dt><dd>${frenchDateTime(view.found.request.updatedAt)}</dd>
</dl>
<p>Pour toute question sur votre demande, contactez ${loaded.register.controller.name} en rappelant ce numéro.</p>
</section>`
    : ''
}`;
  const title = view.found ? `Suivi de la demande ${view.code}` : 'Suivre une demande';
  return page(pageContext(loaded), { title, hasErrors: Boolean(view.error) }, body).toString();
}
