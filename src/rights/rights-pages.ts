/**
 * The citizen's pages of the rights desk, without JavaScript: the request
 * form on « Exercer mes droits », the page the e-mailed link opens (a
 * button, so that a mail scanner following links confirms nothing); the
 * answer itself is in answer-page.ts.
 */
import { frenchDate } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { errorSummary } from '../back-office/back-office-layout.ts';
import { html, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import type { FieldError } from './intake.ts';
import { MAX_DETAILS, VERIFY_LINK_HOURS } from './intake.ts';
import { REQUEST_TYPES, TYPE_LABELS } from './request-kinds.ts';

export interface RequestFormView {
  csrf: string;
  values?: Record<string, string>;
  errors?: FieldError[];
}

const rightsPath = (tenantId: string) => `/${tenantId}/mes-droits`;

function described(id: string, hint: string | undefined, error: string | undefined): { attrs: Html; before: Html } {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    attrs: html`${ids ? html` aria-describedby="${ids}"` : ''}${error ? html` aria-invalid="true"` : ''}`,
    before: html`${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${error ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>${error}</p>` : ''}`,
  };
}

function control(id: string, label: string, errors: readonly FieldError[], hint: string | undefined, input: (attrs: Html) => Html, required = false): Html {
  const error = errors.find((e) => e.field === id)?.message;
  const d = described(id, hint, error);
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${id}">${label}${required ? '' : ' (facultatif)'}</label>${d.before}${input(d.attrs)}</div>`;
}

export function rightsPage(loaded: LoadedRegister, form: RequestFormView | undefined): string {
  const t = loaded.tenantId;
  const dpo = loaded.register.dpo;
  const v = form?.values ?? {};
  const errors = form?.errors ?? [];
  const processings = loaded.register.processings.filter((p) => p.forms.length > 0);
  const body = html`${errorSummary(errors)}<h1>Exercer mes droits sur mes données</h1>
<p>Vous pouvez demander l’accès à vos données, leur rectification, leur effacement, la limitation de leur traitement, vous opposer à leur traitement ou en demander la portabilité, selon la base légale de chaque traitement (voir la <a href="/${t}/donnees-personnelles#traitements">politique de données personnelles</a>).</p>
${
  form
    ? html`<h2>Faire une demande en ligne</h2>
<p>Nous retrouvons vos demandes grâce à l’adresse électronique (ou au téléphone) que vous y aviez indiqué. Un lien vous est envoyé à cette adresse : votre demande est traitée une fois ce lien ouvert, ce qui prouve qu’elle vient bien de vous. Aucune pièce d’identité n’est demandée, sauf doute raisonnable sur votre identité.</p>
<form method="post" action="${rightsPath(t)}" novalidate>
<input type="hidden" name="csrf" value="${form.csrf}">
${control('type', 'Ce que vous demandez', errors, undefined, (a) => html`<select id="type" name="type" required${a}><option value="">Choisissez</option>${REQUEST_TYPES.map((k) => html`<option value="${k}"${v['type'] === k ? html` selected` : ''}>${TYPE_LABELS[k]}</option>`)}</select>`, true)}
${control('email', 'Adresse électronique', errors, 'Celle que vous avez indiquée dans vos démarches. Format attendu : nom@domaine.fr', (a) => html`<input type="email" id="email" name="email" autocomplete="email" required value="${v['email'] ?? ''}"${a}>`, true)}
${control('phone', 'Téléphone', errors, 'Pour vous joindre si besoin, par exemple 06 12 34 56 78.', (a) => html`<input type="tel" id="phone" name="phone" autocomplete="tel" value="${v['phone'] ?? ''}"${a}>`)}
${control('processing', 'Démarche concernée', errors, 'Par défaut, toutes les démarches.', (a) => html`<select id="processing" name="processing"${a}><option value="">Toutes les démarches</option>${processings.map((p) => html`<option value="${p.id}"${v['processing'] === p.id ? html` selected` : ''}>${p.title}</option>`)}</select>`)}
${control('scope', 'Numéro de suivi d’une demande précise', errors, 'Indiqué dans l’accusé de réception, par exemple ABCD-EFGH-JKMN.', (a) => html`<input type="text" id="scope" name="scope" autocomplete="off" value="${v['scope'] ?? ''}"${a}>`)}
${control('details', 'Précisions', errors, `Obligatoire pour une rectification : quelles données sont inexactes et ce qu’elles doivent devenir. Pour une opposition, les raisons tenant à votre situation. ${MAX_DETAILS} caractères au plus.`, (a) => html`<textarea id="details" name="details" rows="5"${a}>${v['details'] ?? ''}</textarea>`)}
<div class="form-actions"><button type="submit" class="button-primary">Envoyer ma demande</button></div>
</form>
<h2>Autres moyens</h2>`
    : html`<h2>Comment faire</h2>`
}
<ul>
<li>Par courriel au délégué à la protection des données : <a href="mailto:${dpo.email}">${dpo.email}</a></li>
${dpo.postal ? html`<li>Par courrier : ${dpo.name}, ${dpo.postal}</li>` : ''}
</ul>
<p>Nous répondons dans un délai d’un mois à compter de la confirmation de votre demande, prolongeable de deux mois pour une demande complexe : vous en êtes alors informé avant la fin du premier mois.</p>
<p>Vous pouvez aussi adresser une réclamation à la CNIL : <a href="https://www.cnil.fr/fr/plaintes">www.cnil.fr/fr/plaintes</a>.</p>`;
  return page(pageContext(loaded), { title: 'Exercer mes droits', path: rightsPath(t), hasErrors: errors.length > 0 }, body).value;
}

/** The same page whoever the address belongs to. */
export function requestSentPage(loaded: LoadedRegister, input: { email: string; dueAt: Date }): string {
  return page(
    pageContext(loaded),
    { title: 'Demande envoyée' },
    html`<h1>Confirmez votre demande</h1>
<p class="status-message" role="status">Votre demande est enregistrée. Un message a été envoyé à ${input.email} : ouvrez le lien qu’il contient dans les ${VERIFY_LINK_HOURS} heures pour confirmer que la demande vient de vous.</p>
<p>Nous vous répondrons au plus tard un mois après cette confirmation, soit le ${frenchDate(input.dueAt)} si vous confirmez aujourd’hui.</p>
<p>Rien reçu ? Vérifiez le dossier des indésirables.</p>`,
  ).value;
}

export function confirmPage(loaded: LoadedRegister, input: { csrf: string; token: string }): string {
  return page(
    pageContext(loaded),
    { title: 'Confirmer ma demande' },
    html`<h1>Confirmer ma demande d’exercice des droits</h1>
<p>En confirmant, vous attestez que la demande a été faite par vous, titulaire de cette adresse électronique.</p>
<form method="post" action="${rightsPath(loaded.tenantId)}/confirmation">
<input type="hidden" name="csrf" value="${input.csrf}"><input type="hidden" name="jeton" value="${input.token}">
<div class="form-actions"><button type="submit" class="button-primary">Je confirme ma demande</button></div>
</form>`,
  ).value;
}

export function confirmedPage(loaded: LoadedRegister, input: { dueAt: Date } | undefined): string {
  return page(
    pageContext(loaded),
    { title: input ? 'Demande confirmée' : 'Lien expiré ou déjà utilisé' },
    input
      ? html`<h1>Demande confirmée</h1><p class="status-message" role="status">Merci. Nous vous répondrons au plus tard le ${frenchDate(input.dueAt)}, à l’adresse confirmée.</p>`
      : html`<h1>Lien expiré ou déjà utilisé</h1><p>Ce lien de confirmation ne fonctionne qu’une fois, pendant ${VERIFY_LINK_HOURS} heures. Si votre demande n’est pas encore confirmée, <a href="${rightsPath(loaded.tenantId)}">faites-la de nouveau</a>.</p>`,
  ).value;
}

export function answerExpiredPage(loaded: LoadedRegister): string {
  return page(
    pageContext(loaded),
    { title: 'Lien expiré' },
    html`<h1>Lien expiré</h1><p>Le lien vers la réponse à votre demande ne fonctionne que pendant un temps limité. Pour recevoir de nouveau vos données, <a href="${rightsPath(loaded.tenantId)}">faites une nouvelle demande</a> ou écrivez au délégué à la protection des données : <a href="mailto:${loaded.register.dpo.email}">${loaded.register.dpo.email}</a>.</p>`,
  ).value;
}
