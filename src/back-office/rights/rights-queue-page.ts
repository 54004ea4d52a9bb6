/**
 * The DPO's queue of rights requests: counts per state, open ones by due
 * date with the overdue first and marked in words (not colour alone), then
 * those awaiting verification, then the answered. One request's page holds
 * each step the DPO can take, as plain forms.
 */
import { frenchDate, frenchDateTime } from '../../notice/french-date.ts';
import type { RequestSummary } from '../../rights/request-repository.ts';
import type { RecipientNotice } from '../../rights/outcome.ts';
import type { RequestSecrets } from '../../rights/request-secrets.ts';
import { pendingNotices } from '../../rights/recipient-notifications.ts';
import { STATE_LABELS, TYPE_LABELS } from '../../rights/request-kinds.ts';
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';

export const rightsQueuePath = (tenantId: string) => `/${tenantId}/back-office/droits`;

const due = (r: RequestSummary) =>
  r.dueAt ? html`${frenchDate(r.dueAt)}${r.overdue ? html` <strong class="overdue">en retard</strong>` : ''}${r.extendedAt ? ' (prolongée)' : ''}` : html`dès la vérification`;

export function rightsQueuePage(req: AgentRequest, counts: Record<string, number>, items: readonly RequestSummary[], notice?: string): string {
  const base = rightsQueuePath(req.tenantId);
  return backOfficePage(
    req,
    { title: 'Droits des personnes', path: base },
    html`<h1>Demandes d’exercice des droits</h1>
${notice ? html`<p class="status-message" role="status">${notice}</p>` : ''}
<p>Une demande est due un mois après la vérification de l’identité du demandeur ; ce délai peut être prolongé une fois de deux mois au plus, en informant la personne avant la fin du premier mois (article 12.3 du RGPD).</p>
<div class="table-wrap"><table><caption>Demandes par état</caption>
<thead><tr><th scope="col">État</th><th scope="col">Nombre</th></tr></thead>
<tbody>
<tr><th scope="row">Identité vérifiée, à traiter</th><td>${counts['open'] ?? 0}</td></tr>
<tr><th scope="row">dont en retard</th><td>${counts['overdue'] ?? 0}</td></tr>
<tr><th scope="row">En attente de vérification de l’identité</th><td>${counts['awaiting-verification'] ?? 0}</td></tr>
<tr><th scope="row">Traitées</th><td>${counts['done'] ?? 0}</td></tr>
</tbody></table></div>
${
  items.length === 0
    ? html`<p>Aucune demande pour l’instant.</p>`
    : html`<div class="table-wrap"><table><caption>Demandes, les plus urgentes d’abord</caption>
<thead><tr><th scope="col">Référence</th><th scope="col">Demande</th><th scope="col">Reçue le</th><th scope="col">État</th><th scope="col">Échéance</th></tr></thead>
<tbody>${items.map(
        (r) => html`<tr${r.overdue ? html` class="row-overdue"` : ''}><th scope="row"><a href="${base}/${r.id}">${r.id.slice(0, 8)}</a></th><td>${TYPE_LABELS[r.type]}</td><td>${frenchDate(r.receivedAt)}</td><td>${STATE_LABELS[r.state]}${r.lastError ? html` <strong>(étape à relancer)</strong>` : ''}${pendingNotices(r.outcome).length > 0 ? html` <strong>(destinataires à informer)</strong>` : ''}</td><td>${due(r)}</td></tr>`,
      )}</tbody></table></div>`
}`,
  );
}

function reasonField(id: string, label: string, hint: string, error: string | undefined, required = true): Html {
  const ids = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${id}">${label}${required ? '' : ' (facultatif)'}</label><p class="hint" id="${id}-hint">${hint}</p>${error ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>${error}</p>` : ''}<textarea id="${id}" name="motif" rows="3" aria-describedby="${ids}"${error ? html` aria-invalid="true"` : ''}${required ? html` required` : ''}></textarea></div>`;
}

function textInput(id: string, name: string, label: string, hint: string): Html {
  return html`<div class="field"><label for="${id}">${label}</label><p class="hint" id="${id}-hint">${hint}</p><input type="text" id="${id}" name="${name}" aria-describedby="${id}-hint"></div>`;
}

export interface RequestView {
  summary: RequestSummary;
  secrets: RequestSecrets;
  error?: { form: 'verifier' | 'prolonger' | 'traiter' | 'lever' | 'notifier'; message: string };
  notice?: string;
}

export function rightsRequestPage(req: AgentRequest, view: RequestView): string {
  const r = view.summary;
  const here = `${rightsQueuePath(req.tenantId)}/${r.id}`;
  const err = (form: NonNullable<RequestView['error']>['form']) => (view.error?.form === form ? view.error.message : undefined);
  const csrf = html`<input type="hidden" name="csrf" value="${req.csrf}">`;
  const o = r.outcome;
  const processing = r.scopeProcessing ? (req.loaded.register.processings.find((p) => p.id === r.scopeProcessing)?.title ?? r.scopeProcessing) : null;
  return backOfficePage(
    req,
    { title: `Demande ${r.id.slice(0, 8)} – ${TYPE_LABELS[r.type]}`, hasErrors: view.error !== undefined },
    html`<p><a href="${rightsQueuePath(req.tenantId)}">← Demandes d’exercice des droits</a></p>
${view.error ? errorSummary([{ field: `${view.error.form}-motif`, message: view.error.message }]) : ''}
<h1>${TYPE_LABELS[r.type]} – demande ${r.id.slice(0, 8)}</h1>
${view.notice ? html`<p class="status-message" role="status">${view.notice}</p>` : ''}
${r.lastError ? html`<p class="status-message" role="alert">${r.lastError}</p>` : ''}
<dl class="items">
<dt>Référence</dt><dd>${r.id}</dd>
<dt>État</dt><dd>${STATE_LABELS[r.state]}</dd>
<dt>Reçue le</dt><dd>${frenchDateTime(r.receivedAt)}</dd>
<dt>Adresse électronique</dt><dd>${view.secrets.email}</dd>
${view.secrets.phone ? html`<dt>Téléphone</dt><dd>${view.secrets.phone}</dd>` : ''}
<dt>Portée</dt><dd>${processing ?? (r.scopedToRequest ? 'une demande précise (numéro de suivi)' : 'toutes les démarches')}</dd>
<dt>Précisions</dt><dd>${view.secrets.details || '—'}</dd>
<dt>Identité vérifiée</dt><dd>${r.verifiedAt ? `le ${frenchDateTime(r.verifiedAt)}, ${r.verifiedBy === 'lien' ? 'par le lien envoyé à l’adresse' : 'par le délégué'}` : 'pas encore'}</dd>
<dt>Échéance</dt><dd>${due(r)}</dd>
${r.fulfilledAt ? html`<dt>Traitée le</dt><dd>${frenchDateTime(r.fulfilledAt)}</dd>` : ''}
</dl>
${view.secrets.notes.length > 0 ? html`<h2>Étapes et motifs</h2><ol>${view.secrets.notes.map((n) => html`<li>${frenchDateTime(n.at)}, ${n.by} : ${n.text}</li>`)}</ol>` : ''}
${
  o
    ? html`<h2>Résultat</h2><p>${o.found} demande${o.found > 1 ? 's' : ''} de la personne concernée${o.found > 1 ? 's' : ''}.</p>
${o.erased ? html`<p>Effacées : ${o.erased.length}.</p>` : ''}
${o.kept && o.kept.length > 0 ? html`<div class="table-wrap"><table><caption>Conservées</caption><thead><tr><th scope="col">Demande</th><th scope="col">Raison</th></tr></thead><tbody>${o.kept.map((k) => html`<tr><th scope="row">${k.id.slice(0, 8)}</th><td>${k.reason}</td></tr>`)}</tbody></table></div>` : ''}
${o.frozen ? html`<p>Gelées par cette demande : ${o.frozen.length}${r.restrictionLiftedAt ? html`, limitation levée le ${frenchDateTime(r.restrictionLiftedAt)}` : ''}.</p>` : ''}
${o.exported ? html`<p>Transmises à la personne : ${o.exported.length}${o.refused?.length ? `, hors portabilité : ${o.refused.length}` : ''}.</p>` : ''}`
    : ''
}
${o?.notifications ? notificationsSection(o.notifications, here, csrf, err('notifier')) : ''}
${
  r.state === 'awaiting-verification'
    ? html`<h2>Vérifier l’identité</h2><p>Pour une demande reçue par courrier ou au guichet, ou dont la personne ne peut pas utiliser le lien. Ne demandez une pièce d’identité qu’en cas de doute raisonnable.</p>
<form method="post" action="${here}/verifier" novalidate>${csrf}${reasonField('verifier-motif', 'Comment l’identité a été vérifiée', 'Par exemple « présentée au guichet le 3 décembre » ; 10 caractères au moins.', err('verifier'))}<div class="form-actions"><button type="submit" class="button-primary">Identité vérifiée</button></div></form>`
    : ''
}
${
  r.state === 'open'
    ? html`<h2>Traiter la demande</h2>
<form method="post" action="${here}/traiter" novalidate>${csrf}${
        r.type === 'rectification'
          ? html`<p>Une modification par envoi ; par l’API, plusieurs à la fois. La nouvelle valeur est vérifiée comme à l’envoi de la démarche ; l’ancienne n’est conservée nulle part.</p>
${textInput('traiter-demande', 'demande', 'Identifiant complet de la demande à rectifier', '36 caractères, tel qu’il figure dans l’espace agents.')}
${textInput('traiter-champ', 'champ', 'Nom du champ', 'Le nom technique du champ dans le registre, par exemple « lieu ».')}
${textInput('traiter-valeur', 'valeur', 'Nouvelle valeur', 'Laissez vide pour effacer un champ facultatif.')}
${reasonField('traiter-motif', 'Motif de la rectification', 'Ce qui établit que la donnée était inexacte ; 10 caractères au moins.', err('traiter'))}`
          : r.type === 'objection'
          ? reasonField('traiter-motif', 'Motifs légitimes et impérieux de poursuivre le traitement', 'Laissez vide s’il n’y en a pas : les demandes de la personne sortent alors du traitement (effacées, sauf conservation obligatoire).', err('traiter'), false)
          : err('traiter')
            ? html`<p class="error-message" id="traiter-motif">${err('traiter')}</p>`
            : ''
      }<div class="form-actions"><button type="submit" class="button-primary">Traiter et répondre à la personne</button></div></form>
${
  r.extendedAt
    ? ''
    : html`<h2>Prolonger le délai</h2>
<form method="post" action="${here}/prolonger" novalidate>${csrf}
<div class="field"><label for="prolonger-mois">Durée de la prolongation</label><select id="prolonger-mois" name="mois"><option value="1">1 mois</option><option value="2">2 mois</option></select></div>
${reasonField('prolonger-motif', 'Motif communiqué à la personne', 'Pourquoi la demande est complexe ou les demandes nombreuses ; envoyé par courriel.', err('prolonger'))}
<div class="form-actions"><button type="submit" class="button-secondary">Prolonger</button></div></form>`
}`
    : ''
}
${
  r.type === 'restriction' && r.state === 'done' && !r.restrictionLiftedAt
    ? html`<h2>Lever la limitation</h2><p>Les demandes gelées reprennent leur cours ; la personne en est informée par courriel.</p>
<form method="post" action="${here}/lever">${csrf}${err('lever') ? html`<p class="error-message" id="lever-motif">${err('lever')}</p>` : ''}<div class="form-actions"><button type="submit" class="button-secondary">Lever la limitation</button></div></form>`
    : ''
}`,
  );
}

function notificationsSection(notices: readonly RecipientNotice[], here: string, csrf: Html, error: string | undefined): Html {
  const pending = notices.filter((n) => !n.notifiedAt);
  return html`<h2>Destinataires à informer (article 19)</h2>
<p>Ces destinataires avaient reçu les données rectifiées, effacées ou limitées : informez chacun, puis enregistrez ce qui lui a été transmis.</p>
<div class="table-wrap"><table><caption>Information des destinataires</caption>
<thead><tr><th scope="col">Destinataire</th><th scope="col">Demandes concernées</th><th scope="col">Information</th></tr></thead>
<tbody>${notices.map((n) => html`<tr><th scope="row">${n.name}</th><td>${n.records.map((id) => id.slice(0, 8)).join(', ')}</td><td>${n.notifiedAt ? `enregistrée le ${frenchDateTime(new Date(n.notifiedAt))}` : html`<strong>à faire</strong>`}</td></tr>`)}</tbody></table></div>
${
  pending.length === 0
    ? ''
    : html`<form method="post" action="${here}/notifier" novalidate>${csrf}
<div class="field"><label for="notifier-destinataire">Destinataire informé</label><select id="notifier-destinataire" name="destinataire">${pending.map((n) => html`<option value="${n.recipientId}">${n.name}</option>`)}</select></div>
${reasonField('notifier-motif', 'Ce qui lui a été transmis', 'Quand, par quel moyen et quoi ; par exemple « courrier du 4 décembre : adresse rectifiée » ; 10 caractères au moins.', error)}
<div class="form-actions"><button type="submit" class="button-secondary">Enregistrer l’information</button></div></form>`
}`;
}
