/** The list of requests: filters (a GET form, so a filtered list has its own address), a table, bulk status change, pages. */
import type { RecordStatus } from '../db/tables.ts';
import { frenchDate, frenchDateTime } from '../notice/french-date.ts';
import { STATUS_LABELS } from '../records/tracking-lookup.ts';
import { RECORD_STATUSES } from '../records/record-status.ts';
import { html } from '../web/html.ts';
import type { AgentRequest } from './agent-session.ts';
import { backOfficePage, errorSummary } from './back-office-layout.ts';
import { NOBODY } from './record-filter.ts';
import { PAGE_SIZE, type ListedRecord, type Sort } from './record-list.ts';

export interface ListQuery {
  q: string;
  form: string;
  status: string;
  from: string;
  to: string;
  holder: string;
  sort: Sort;
  page: number;
}

export interface ListView {
  query: ListQuery;
  forms: Array<{ id: string; title: string }>;
  colleagues: Array<{ id: string; name: string }>;
  rows: ListedRecord[];
  total: number;
  /** The total is a lower bound (see COUNT_AHEAD). */
  moreThanTotal?: boolean;
  names: Map<string, string>;
  errors: Array<{ field: string; message: string }>;
  notice?: string | undefined;
}

const option = (value: string, label: string, selected: string) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;

function pageLink(base: string, query: ListQuery, page: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, page: String(page) })) if (v && !(k === 'sort' && v === 'recent') && !(k === 'page' && v === '1')) p.set(k, String(v));
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

function searchField(view: ListView) {
  const error = view.errors.find((e) => e.field === 'q');
  const described = `q-hint${error ? ' q-error' : ''}`;
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="q">Rechercher</label>
<p class="hint" id="q-hint">Dans les champs non chiffrés (nom, objet, lieu…) ou le début du numéro de la demande. Les données de santé et les champs chiffrés ne sont jamais cherchés.</p>
${error ? html`<p class="error-message" id="q-error"><span class="visually-hidden">Erreur : </span>${error.message}</p>` : ''}<input type="search" id="q" name="q" value="${view.query.q}" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}></div>`;
}

export function listPage(req: AgentRequest, view: ListView): string {
  const t = req.tenantId;
  const base = `/${t}/back-office`;
  const q = view.query;
  const formTitle = new Map(view.forms.map((f) => [f.id, f.title]));
  const pages = Math.max(1, Math.ceil(view.total / PAGE_SIZE));
  const exportQuery = new URLSearchParams(Object.entries({ q: q.q, form: q.form, status: q.status, from: q.from, to: q.to, holder: q.holder }).filter(([, v]) => v)).toString();
  return backOfficePage(
    req,
    { title: 'Demandes', path: base, hasErrors: view.errors.length > 0 },
    html`<h1>Demandes de mes services</h1>
${view.notice ? html`<p class="status-message" role="status">${view.notice}</p>` : ''}
${errorSummary(view.errors)}
<form method="get" action="${base}" class="filters">
<fieldset><legend>Filtrer les demandes</legend>
${searchField(view)}
<div class="field"><label for="form">Démarche</label><select id="form" name="form">${option('', 'Toutes', q.form)}${view.forms.map((f) => option(f.id, f.title, q.form))}</select></div>
<div class="field"><label for="status">Statut</label><select id="status" name="status">${option('', 'Tous', q.status)}${RECORD_STATUSES.map((s) => option(s, STATUS_LABELS[s], q.status))}</select></div>
${(['from', 'to'] as const).map((k) => {
  const error = view.errors.find((e) => e.field === k);
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${k}">${k === 'from' ? 'Reçues depuis le' : 'Reçues jusqu’au'}</label>${error ? html`<p class="error-message" id="${k}-error"><span class="visually-hidden">Erreur : </span>${error.message}</p>` : ''}<input type="date" id="${k}" name="${k}" value="${q[k]}"${error ? html` aria-invalid="true" aria-describedby="${k}-error"` : ''}></div>`;
})}
<div class="field"><label for="holder">Prise en charge par</label><select id="holder" name="holder">${option('', 'Peu importe', q.holder)}${option(NOBODY, 'Personne', q.holder)}${option(req.actor.agentId, 'Moi', q.holder)}${view.colleagues.filter((c) => c.id !== req.actor.agentId).map((c) => option(c.id, c.name, q.holder))}</select></div>
<div class="field"><label for="sort">Trier par</label><select id="sort" name="sort">${option('recent', 'Les plus récentes d’abord', q.sort)}${option('oldest', 'Les plus anciennes d’abord', q.sort)}${option('expiry', 'Date de suppression la plus proche', q.sort)}</select></div>
<div class="form-actions"><button type="submit" class="button-primary">Filtrer</button> <a href="${base}">Effacer les filtres</a></div>
</fieldset>
</form>
<p>${view.total === 0 ? 'Aucune demande ne correspond.' : view.moreThanTotal ? `Plus de ${view.total.toLocaleString('fr-FR')} demandes, page ${q.page}.` : `${view.total} demande${view.total > 1 ? 's' : ''}, page ${q.page} sur ${pages}.`}
${view.total > 0 ? html` Exporter cette liste : <a href="${base}/export.csv${exportQuery ? `?${exportQuery}` : ''}">CSV</a>, <a href="${base}/export.xlsx${exportQuery ? `?${exportQuery}` : ''}">XLSX</a>.` : ''}</p>
${
  view.rows.length > 0
    ? html`<form method="post" action="${base}/demandes/statut">
<input type="hidden" name="csrf" value="${req.csrf}">
<input type="hidden" name="retour" value="${pageLink(base, q, q.page)}">
<div class="table-wrap"><table>
<caption>Demandes${q.form ? html` – ${formTitle.get(q.form) ?? q.form}` : ''}</caption>
<thead><tr><th scope="col"><span class="visually-hidden">Sélection</span></th><th scope="col">Demande</th><th scope="col">Démarche</th><th scope="col">Reçue le</th><th scope="col">Statut</th><th scope="col">Prise en charge</th><th scope="col">Suppression prévue</th></tr></thead>
<tbody>${view.rows.map(
        (r) => html`<tr>
<td><input type="checkbox" name="ids" value="${r.id}" id="sel-${r.id}" aria-label="Sélectionner la demande ${r.id.slice(0, 8)}"></td>
<td><a href="${base}/demandes/${r.id}">${r.id.slice(0, 8)}</a></td>
<td>${formTitle.get(r.formId) ?? r.formId}</td>
<td>${frenchDateTime(r.createdAt)}</td>
<td>${STATUS_LABELS[r.status]}${r.frozen ? ' (limitée)' : ''}${r.anonymised ? ' (anonymisée)' : ''}</td>
<td>${r.claimedBy ? (r.claimedBy === req.actor.agentId ? 'Moi' : (view.names.get(r.claimedBy) ?? 'Un collègue')) : 'Personne'}</td>
<td>${r.expiresAt ? frenchDate(r.expiresAt) : '—'}</td>
</tr>`,
      )}</tbody>
</table></div>
<fieldset><legend>Pour les demandes sélectionnées</legend>
<div class="field"><label for="bulk-status">Nouveau statut</label><select id="bulk-status" name="status">${RECORD_STATUSES.map((s: RecordStatus) => option(s, STATUS_LABELS[s], ''))}</select></div>
<div class="form-actions"><button type="submit" class="button-secondary">Changer le statut</button></div>
</fieldset>
</form>`
    : ''
}
${
  pages > 1
    ? html`<nav aria-label="Pages de la liste"><ul class="pagination">
${q.page > 1 ? html`<li><a href="${pageLink(base, q, q.page - 1)}">Page précédente</a></li>` : ''}
${q.page < pages || view.moreThanTotal ? html`<li><a href="${pageLink(base, q, q.page + 1)}">Page suivante</a></li>` : ''}
</ul></nav>`
    : ''
}`,
  );
}
