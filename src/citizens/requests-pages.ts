/** "Mes demandes", one request with its replies, and "Qui a consulté ma demande". */
import { frenchDuration } from '../register/duration.ts';
import type { Field, Form } from '../register/schema.ts';
import { findForm } from '../forms/find-form.ts';
import { frenchDate, frenchDateTime } from '../notice/french-date.ts';
import { html, type Html } from '../web/html.ts';
import { accountPage } from './account-layout.ts';
import { accountPath } from './citizen-mail.ts';
import type { CitizenRequest } from './citizen-session.ts';
import type { Consultation, MyRequest, MyRequestDetail } from './my-requests.ts';
import { formTitle, retentionEnd, serviceName, statusLabel } from './request-facts.ts';
import { purposeForCitizen } from '../journal/journal-records.ts';

export function requestsPage(req: CitizenRequest, requests: readonly MyRequest[], notice?: string): string {
  const reg = req.loaded.register;
  const base = accountPath(req.tenantId);
  const rows = requests.map(
    (r) => html`<tr><th scope="row">${r.archivedAt ? formTitle(reg, r) : html`<a href="${base}/demandes/${r.id}">${formTitle(reg, r)}</a>`}</th><td>${frenchDate(r.createdAt)}</td><td>${statusLabel(r)}</td><td>${r.trackingCode ?? '—'}</td><td>${retentionEnd(reg, r)}</td></tr>`,
  );
  return accountPage(
    req,
    { title: 'Mes demandes', path: base },
    html`<h1>Mes demandes</h1>
${notice ? html`<p class="status-message" role="status">${notice}</p>` : ''}
<p>Les demandes envoyées en étant connecté, et celles envoyées auparavant avec votre adresse électronique confirmée.</p>
${
  requests.length === 0
    ? html`<p>Aucune demande pour l’instant. <a href="/${req.tenantId}/demarches">Voir les démarches en ligne</a>.</p>`
    : html`<div class="table-wrap"><table><caption>Mes demandes (${requests.length})</caption>
<thead><tr><th scope="col">Démarche</th><th scope="col">Envoyée le</th><th scope="col">État</th><th scope="col">Code de suivi</th><th scope="col">Conservation</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
${
  requests.length > 0
    ? html`<h2>Mes données</h2><p><a href="${base}/mes-donnees.json" download>Télécharger toutes mes données</a> (au format JSON) : le contenu de vos demandes, les réponses des services, qui les a consultées et quand elles seront supprimées. Ce téléchargement est inscrit au journal des accès.</p>`
    : ''
}`,
  );
}

function shown(field: Field, v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (field.type === 'file') return 'Fichier transmis';
  if (field.type === 'checkbox') return v === true ? 'Oui' : 'Non';
  const option = field.options?.find((o) => o.value === v);
  if (option) return option.label;
  if (field.type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return frenchDate(`${v}T12:00:00Z`);
  return String(v);
}

/** What was sent, labelled as the form asked it; groups as tables. */
export function submitted(form: Form | undefined, data: Record<string, unknown>): Html {
  if (!form) return html`<p>Cette démarche n’existe plus ; voici les informations telles qu’enregistrées :</p><pre>${JSON.stringify(data, null, 2)}</pre>`;
  const groups = form.fields.filter((f) => f.type === 'group');
  return html`<dl class="items">${form.fields.filter((f) => f.type !== 'group').map((f) => html`<dt>${f.label}</dt><dd>${shown(f, data[f.name])}</dd>`)}</dl>
${groups.map((g) => {
  const list = Array.isArray(data[g.name]) ? (data[g.name] as Array<Record<string, unknown>>) : [];
  const cols = g.fields ?? [];
  return html`<div class="table-wrap"><table><caption>${g.label}</caption>
<thead><tr><th scope="col">${g.itemLabel ?? 'Ligne'}</th>${cols.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
<tbody>${list.map((row, i) => html`<tr><th scope="row">${i + 1}</th>${cols.map((c) => html`<td>${shown(c, row[c.name])}</td>`)}</tr>`)}</tbody></table></div>`;
})}`;
}

const ACTIONS: Record<string, string> = { read: 'Consultation', download: 'Téléchargement d’un fichier joint', export: 'Export dans une liste', list: 'Consultation' };

/** When, which service, why: never the agent's name or address. */
function consultations(req: CitizenRequest, r: MyRequestDetail, entries: readonly Consultation[]): Html {
  const reg = req.loaded.register;
  const archive = (c: Consultation) => c.purpose.startsWith('consultation d’une archive');
  const who = (c: Consultation) =>
    c.actorId === req.account.id ? 'Vous, depuis votre compte' : c.actorId === null ? 'La collectivité (traitement automatique)' : archive(c) ? 'Le délégué à la protection des données' : serviceName(reg, r.serviceId);
  const logs = reg.processings.find((p) => p.id === reg.securityLogProcessing);
  const why = (c: Consultation) => purposeForCitizen(c.purpose);
  return html`<section aria-labelledby="consultations-titre"><h2 id="consultations-titre">Qui a consulté ma demande</h2>
<p>Chaque consultation de votre demande est inscrite au journal des accès de la collectivité. Les agents sont désignés par leur service.${logs ? ` Ce journal est conservé ${frenchDuration(logs.retention.duration)} : les consultations plus anciennes n’y figurent plus.` : ''}</p>
<div class="table-wrap"><table><caption>Consultations de la demande (${entries.length})</caption>
<thead><tr><th scope="col">Date et heure</th><th scope="col">Par</th><th scope="col">Action</th><th scope="col">Motif</th></tr></thead>
<tbody>${entries.map((c) => html`<tr><td>${frenchDateTime(c.at)}</td><td>${who(c)}</td><td>${ACTIONS[c.action] ?? c.action}</td><td>${why(c)}</td></tr>`)}</tbody></table></div>
</section>`;
}

export function requestPage(req: CitizenRequest, r: MyRequestDetail): string {
  const reg = req.loaded.register;
  const base = accountPath(req.tenantId);
  const title = formTitle(reg, r);
  return accountPage(
    req,
    { title: `Ma demande : ${title}` },
    html`<p><a href="${base}">Retour à mes demandes</a></p>
<h1>${title}</h1>
<dl class="items">
<dt>Envoyée le</dt><dd>${frenchDateTime(r.createdAt)}</dd>
<dt>Service</dt><dd>${serviceName(reg, r.serviceId)}</dd>
<dt>État</dt><dd>${statusLabel(r)}${r.closedAt ? html` (clôturée le ${frenchDate(r.closedAt)})` : ''}</dd>
<dt>Code de suivi</dt><dd>${r.trackingCode ?? 'Indiqué dans l’accusé de réception reçu par courriel'}</dd>
<dt>Conservation</dt><dd>${retentionEnd(reg, r)}</dd>
</dl>
<section aria-labelledby="reponses-titre"><h2 id="reponses-titre">Réponses du service</h2>
${r.replies.length === 0 ? html`<p>Aucune réponse pour l’instant.</p>` : html`<ol class="notes">${r.replies.map((m) => html`<li><p class="meta">Le ${frenchDateTime(m.createdAt)}</p><p>${m.text}</p></li>`)}</ol>`}
</section>
<section aria-labelledby="contenu-titre"><h2 id="contenu-titre">Ce que vous avez envoyé</h2>
${submitted(findForm(reg, r.formId)?.form, r.data)}
</section>
${consultations(req, r, r.consultations)}
${
  req.loaded.register.rightsRequestProcessing
    ? html`<section aria-labelledby="effacement-titre"><h2 id="effacement-titre">Effacer cette demande</h2>
<p>Si la loi permet de l’effacer, elle l’est aussitôt ; si la collectivité doit la conserver, votre demande d’effacement est transmise au délégué à la protection des données, qui vous répond dans le mois.</p>
<form method="post" action="${base}/demandes/${r.id}/effacement"><input type="hidden" name="csrf" value="${req.csrf}"><div class="form-actions"><button type="submit" class="button-secondary">Demander l’effacement de cette demande</button></div></form></section>`
    : ''
}`,
  );
}
