/**
 * `/{tenant}/cookies`: the same choices as the panel, on a page the server
 * renders, for visitors without JavaScript (and the "Gestion des cookies"
 * link's target when consent.js has not loaded). Each service and the
 * audience measurement is a pair of radio buttons; "Tout accepter",
 * "Tout refuser" and "Enregistrer mes choix" weigh the same.
 */
import type { LoadedRegister } from '../register/register-repository.ts';
import { html, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import { AUDIENCE, consentConfig, type ConsentConfig, type ConsentService } from './consent-config.ts';
import type { Choices } from './consent-cookie.ts';
import { TEXTS, fill } from './consent-texts.ts';

export interface CookiesPageInput {
  loaded: LoadedRegister;
  choices: Choices | null;
  token: string;
  /** A page of this authority to go back to after saving. */
  returnTo: string | undefined;
  saved: boolean;
  /** Asked from a placeholder's link: allow this one provider, in one step. */
  allowOne?: ConsentService | undefined;
}

/** The one-step confirmation a placeholder's link leads to, without JavaScript. */
function allowOneSection(config: ConsentConfig, input: CookiesPageInput, s: ConsentService): Html {
  const t = TEXTS.fr;
  const o = { name: s.name, provider: s.provider };
  return html`<section class="consent-confirm" aria-labelledby="autoriser-titre">
<h2 id="autoriser-titre">${fill(t.confirmTitle, o)}</h2>
<p>${fill(t.placeholderText, o)}</p>
<form method="post" action="/${config.tenantId}/cookies">
<input type="hidden" name="_csrf" value="${input.token}">
<input type="hidden" name="autoriser" value="${s.id}">
${input.returnTo ? html`<input type="hidden" name="retour" value="${input.returnTo}">` : ''}
<button type="submit" class="button-primary">${fill(t.placeholderAllow, o)}</button>
</form>
${input.returnTo ? html`<p><a href="${input.returnTo}">${fill(t.confirmBack, o)}</a></p>` : ''}
</section>`;
}

function pair(id: string, legend: Html | string, allowedNow: boolean, labels: [string, string]): Html {
  return html`<fieldset class="consent-choice">
<legend>${legend}</legend>
<div class="field-checkbox"><input type="radio" id="choix-${id}-oui" name="${id}" value="oui"${allowedNow ? html` checked` : ''}><label for="choix-${id}-oui">${labels[0]}</label></div>
<div class="field-checkbox"><input type="radio" id="choix-${id}-non" name="${id}" value="non"${allowedNow ? '' : html` checked`}><label for="choix-${id}-non">${labels[1]}</label></div>
</fieldset>`;
}

function choicesForm(config: ConsentConfig, input: CookiesPageInput): Html {
  const t = TEXTS.fr;
  const now = input.choices?.allowed ?? {};
  return html`<form method="post" action="/${config.tenantId}/cookies" class="consent-form">
<input type="hidden" name="_csrf" value="${input.token}">
${input.returnTo ? html`<input type="hidden" name="retour" value="${input.returnTo}">` : ''}
${config.categories.map(
  (cat) => html`<fieldset class="consent-category"><legend>${t.categories[cat.id] ?? cat.id}</legend>
${cat.services.map((id) => {
  const s = config.services.find((x) => x.id === id)!;
  return pair(id, html`${s.name} <span class="meta">(${s.provider})</span>`, now[id] === true, [t.allow, t.refuse]);
})}
</fieldset>`,
)}
${config.audience ? pair(AUDIENCE, t.audienceLegend, input.choices ? now[AUDIENCE] === true : true, [t.audienceAccept, t.audienceOppose]) : ''}
<div class="form-actions consent-actions">
<button type="submit" class="button-primary" name="action" value="enregistrer">${t.save}</button>
${config.services.length > 0 ? html`<button type="submit" class="button-primary" name="action" value="accepter">${t.acceptAll}</button>
<button type="submit" class="button-primary" name="action" value="refuser">${t.refuseAll}</button>` : ''}
</div>
</form>`;
}

export function cookiesPage(input: CookiesPageInput): string {
  const { loaded } = input;
  const config = consentConfig(loaded);
  const t = TEXTS.fr;
  const body = html`<h1>${t.pageTitle}</h1>
${input.saved ? html`<p class="status-message" role="status">${t.saved}${input.returnTo ? html` <a href="${input.returnTo}">Revenir à la page précédente</a>` : ''}</p>` : ''}
${input.allowOne ? allowOneSection(config, input, input.allowOne) : ''}
${input.allowOne ? html`<h2>${t.allChoices}</h2>` : ''}
<p>${t.panelIntro}</p>
<p>${config.services.length > 0 ? t.bannerText : t.pageNoEmbeds}</p>
${config.audience ? html`<p>${t.pageAudience}</p>` : ''}
${config.services.length > 0 || config.audience ? choicesForm(config, input) : ''}
${input.choices ? html`<p class="meta">Identifiant de vos choix : <code>${input.choices.consentId}</code>, enregistrés le ${input.choices.issuedAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}. Il permet au délégué à la protection des données de retrouver la preuve de vos choix ; il ne dit rien de vous.</p>` : ''}
<p>La liste des cookies déposés, leur finalité et leur durée figurent dans la page <a href="/${loaded.tenantId}/donnees-personnelles#cookies">Données personnelles</a>.</p>`;
  return page(pageContext(loaded), { title: t.pageTitle, path: `/${loaded.tenantId}/cookies` }, body).toString();
}
