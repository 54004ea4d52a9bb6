/**
 * One request as the citizen filled it, in the form's own order and words:
 * groups as tables, files as download links (each download is journaled),
 * then what agents do with it: status, claim, private notes.
 */
import type { Field, Form } from '../register/schema.ts';
import { frenchDate, frenchDateTime, frenchMonth } from '../notice/french-date.ts';
import type { RecordDetail, RecordFile } from '../records/record-reader.ts';
import { RECORD_STATUSES } from '../records/record-status.ts';
import { STATUS_LABELS } from '../records/tracking-lookup.ts';
import { html, type Html } from '../web/html.ts';
import type { AgentRequest } from './agent-session.ts';
import { backOfficePage, errorSummary } from './back-office-layout.ts';
import { NOTE_MAX, type Note, type RecordMessage } from './record-messages.ts';
import { REPLY_MAX } from './record-reply.ts';

export interface RecordView {
  record: RecordDetail;
  form: Form | undefined;
  formTitle: string;
  holder: { id: string; name: string } | null;
  notes: Note[];
  replies: RecordMessage[];
  /** Where a reply goes: the request's e-mail address, if it gave one. */
  recipient: string | undefined;
  notice?: string | undefined;
  errors?: Array<{ field: string; message: string }>;
  noteDraft?: string;
  replyDraft?: string;
}

/** A textarea with its hint and, after a refusal, its message and the text typed. */
function textArea(name: string, label: string, max: number, error: { message: string } | undefined, draft: string | undefined, rows: number): Html {
  const described = `${name}-hint${error ? ` ${name}-error` : ''}`;
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${name}">${label}</label>
<p class="hint" id="${name}-hint">${max} caractères au plus.</p>
${error ? html`<p class="error-message" id="${name}-error"><span class="visually-hidden">Erreur : </span>${error.message}</p>` : ''}
<textarea id="${name}" name="${name}" rows="${rows}" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}>${draft ?? ''}</textarea></div>`;
}

function replies(here: string, csrf: Html, view: RecordView): Html {
  const error = view.errors?.find((e) => e.field === 'reponse');
  return html`<section aria-labelledby="reponses-titre"><h2 id="reponses-titre">Réponses à la personne</h2>
${view.replies.length === 0 ? html`<p>Aucune réponse envoyée.</p>` : html`<ol class="notes">${view.replies.map((n) => html`<li><p class="meta">Envoyée par ${n.author}, le ${frenchDateTime(n.createdAt)}</p><p>${n.text}</p></li>`)}</ol>`}
${
  view.recipient
    ? html`<form method="post" action="${here}/reponse">${csrf}
<p>La réponse est envoyée par courriel à ${view.recipient}, gardée avec la demande et affichée dans l’espace « Mes demandes » de la personne.</p>
${textArea('reponse', 'Votre réponse', REPLY_MAX, error, view.replyDraft, 6)}
<div class="form-actions"><button type="submit" class="button-primary">Envoyer la réponse</button></div>
</form>`
    : html`<p>Cette demande ne donne pas d’adresse électronique : répondez par courrier ou par téléphone.</p>`
}
</section>`;
}

function fileLink(recordPath: string, files: readonly RecordFile[], ref: unknown): Html {
  const upload = ref && typeof ref === 'object' ? (ref as { upload?: unknown }).upload : undefined;
  const file = files.find((f) => f.id === upload);
  if (!file) return html`—`;
  return html`<a href="${recordPath}/fichiers/${file.id}">${file.filename}</a> (${Math.ceil(file.size / 1024)} Ko)`;
}

function value(recordPath: string, r: RecordDetail, field: Field, v: unknown): Html | string {
  if (v === undefined || v === null || v === '') return '—';
  if (field.type === 'file') return fileLink(recordPath, r.files, v);
  if (field.type === 'checkbox') return v === true ? 'Oui' : 'Non';
  if (field.options) return field.options?.find((o) => o.value === v)?.label ?? String(v);
  if (field.type === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return frenchDate(`${v}T12:00:00Z`);
  return String(v);
}

function group(recordPath: string, r: RecordDetail, field: Field, rows: unknown): Html {
  const list = Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
  const fields = field.fields ?? [];
  if (list.length === 0) return html`<p>Aucune ligne.</p>`;
  return html`<div class="table-wrap"><table><caption>${field.label}</caption>
<thead><tr><th scope="col">${field.itemLabel ?? 'Ligne'}</th>${fields.map((f) => html`<th scope="col">${f.label}</th>`)}</tr></thead>
<tbody>${list.map((row, i) => html`<tr><th scope="row">${i + 1}</th>${fields.map((f) => html`<td>${value(recordPath, r, f, row[f.name])}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

/** The answers, in the form's order; files link under `recordPath` (…/fichiers/{id}). */
export function submission(recordPath: string, view: Pick<RecordView, 'record' | 'form'>): Html {
  const r = view.record;
  if (!view.form) return html`<p>La démarche de cette demande n’existe plus dans le registre en vigueur ; données brutes :</p><pre>${JSON.stringify(r.data, null, 2)}</pre>`;
  const simple = view.form.fields.filter((f) => f.type !== 'group');
  return html`<dl class="items">${simple.map((f) => html`<dt>${f.label}</dt><dd>${value(recordPath, r, f, r.data[f.name])}</dd>`)}</dl>
${view.form.fields.filter((f) => f.type === 'group').map((f) => html`<h3>${f.label}</h3>${group(recordPath, r, f, r.data[f.name])}`)}`;
}

export function recordPage(req: AgentRequest, view: RecordView): string {
  const base = `/${req.tenantId}/back-office`;
  const r = view.record;
  const here = `${base}/demandes/${r.id}`;
  const csrf = html`<input type="hidden" name="csrf" value="${req.csrf}">`;
  const mine = view.holder?.id === req.actor.agentId;
  const noteError = view.errors?.find((e) => e.field === 'note');
  return backOfficePage(
    req,
    { title: `Demande ${r.id.slice(0, 8)}`, hasErrors: (view.errors ?? []).length > 0 },
    html`<p><a href="${base}">← Retour à la liste</a></p>
<h1>${view.formTitle} – demande ${r.id.slice(0, 8)}</h1>
${view.notice ? html`<p class="status-message" role="status">${view.notice}</p>` : ''}
${errorSummary(view.errors ?? [])}
${r.anonymisedAt ? html`<p class="status-message">Demande anonymisée le ${frenchDate(r.anonymisedAt)}, à la fin de sa durée de conservation : il n’en reste que ce qui n’identifie personne, dates arrondies au mois.</p>` : ''}
<dl class="items">
<dt>Reçue le</dt><dd>${r.anonymisedAt ? `en ${frenchMonth(r.createdAt)}` : frenchDateTime(r.createdAt)}</dd>
<dt>Statut</dt><dd>${STATUS_LABELS[r.status]}${r.closedAt ? ` (clôturée le ${frenchDateTime(r.closedAt)})` : ''}</dd>
<dt>Prise en charge</dt><dd>${view.holder ? (mine ? 'par vous' : `par ${view.holder.name}`) : 'par personne'}</dd>
<dt>Suppression prévue</dt><dd>${r.anonymisedAt ? 'aucune (anonymisée)' : r.expiresAt ? frenchDate(r.expiresAt) : 'selon la durée de conservation du traitement'}</dd>
</dl>
<section aria-labelledby="actions-titre"><h2 id="actions-titre">Traitement</h2>
<form method="post" action="${here}/statut">${csrf}
<div class="field"><label for="status">Statut</label><select id="status" name="status">${RECORD_STATUSES.map((s) => html`<option value="${s}"${s === r.status ? html` selected` : ''}>${STATUS_LABELS[s]}</option>`)}</select></div>
<div class="form-actions"><button type="submit" class="button-primary">Enregistrer le statut</button></div>
</form>
${
  mine
    ? html`<form method="post" action="${here}/liberation">${csrf}<button type="submit" class="button-secondary">Ne plus prendre en charge</button></form>`
    : html`<form method="post" action="${here}/prise-en-charge">${csrf}${view.holder ? html`<input type="hidden" name="reprendre" value="1">` : ''}<button type="submit" class="button-secondary">${view.holder ? `Reprendre la demande à ${view.holder.name}` : 'Prendre en charge'}</button></form>`
}
</section>
<section aria-labelledby="saisie-titre"><h2 id="saisie-titre">Ce que la personne a saisi</h2>
${submission(here, view)}
</section>
${replies(here, csrf, view)}
<section aria-labelledby="notes-titre"><h2 id="notes-titre">Notes internes</h2>
<p>Visibles des seuls agents du service, jamais de la personne.</p>
${view.notes.length === 0 ? html`<p>Aucune note.</p>` : html`<ol class="notes">${view.notes.map((n) => html`<li><p class="meta">${n.author}, le ${frenchDateTime(n.createdAt)}</p><p>${n.text}</p></li>`)}</ol>`}
<form method="post" action="${here}/notes">${csrf}
${textArea('note', 'Nouvelle note', NOTE_MAX, noteError, view.noteDraft, 4)}
<div class="form-actions"><button type="submit" class="button-secondary">Ajouter la note</button></div>
</form>
</section>`,
  );
}
