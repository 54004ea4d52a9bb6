/**
 * The answer to an access or portability request, as the person reads it:
 * the page around (who answers, for which address, the downloads), then per
 * processing its art. 15 information and the person's records. Written in
 * pieces so that the page streams a part of the records at a time.
 */
import { submitted } from '../citizens/requests-pages.ts';
import { formatBytes } from '../forms/field-validation.ts';
import { findForm } from '../forms/find-form.ts';
import { frenchDate, frenchDateTime } from '../notice/french-date.ts';
import { STATUS_LABELS } from '../records/tracking-lookup.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html, trusted, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import type { AnswerHead, AnswerProcessing, AnswerRecord } from './access-answer.ts';

/** Where the records go in the page; `<` never survives escaping, so no record can spell it. */
const RECORDS_HERE = '<!--bastide:records-->';

export interface AnswerLinks {
  json: string;
  csv?: string;
}

/** The page before and after the records. */
export function answerFrame(loaded: LoadedRegister, a: AnswerHead, links: AnswerLinks): [string, string] {
  const title = a.kind === 'access' ? 'Vos données' : 'Vos données (portabilité)';
  const processing = (id: string) => a.processings.find((p) => p.id === id);
  const body = html`<h1>${title}</h1>
<p>Réponse de ${a.tenant.name} à votre demande ${a.requestId}, établie le ${frenchDateTime(a.generatedAt)} pour l’adresse ${a.subject.email}. Délégué à la protection des données : ${a.dpo.name}, <a href="mailto:${a.dpo.email}">${a.dpo.email}</a>.</p>
<p>Télécharger : <a href="${links.json}" download>au format JSON</a>${links.csv ? html`, <a href="${links.csv}" download>au format CSV</a>` : ''}.</p>
${a.recordCount === 0 ? html`<p>Nous ne détenons aucune donnée vous concernant dans les démarches en ligne, pour cette adresse.</p>` : html`<p>${a.recordCount} demande${a.recordCount > 1 ? 's' : ''} vous concern${a.recordCount > 1 ? 'ent' : 'e'}, présentée${a.recordCount > 1 ? 's' : ''} traitement par traitement.</p>`}
${a.refused.length > 0 ? html`<h2>Données non concernées par la portabilité</h2><ul>${a.refused.map((k) => html`<li>${processing(k.processingId)?.title ?? k.processingId} : ${k.reason}</li>`)}</ul>` : ''}
${trusted(RECORDS_HERE)}
<p>Si cette réponse ne vous satisfait pas, vous pouvez adresser une réclamation à la CNIL : <a href="https://www.cnil.fr/fr/plaintes">www.cnil.fr/fr/plaintes</a>.</p>`;
  const whole = page(pageContext(loaded), { title }, body).value;
  const at = whole.indexOf(RECORDS_HERE);
  return [whole.slice(0, at), whole.slice(at + RECORDS_HERE.length)];
}

/** Opens a processing's section; a processing since taken out of the register keeps a section, under its id. */
export function processingStart(id: string, p: AnswerProcessing | undefined): Html {
  const anchor = `traitement-${id}`;
  return html`<section aria-labelledby="${anchor}"><h2 id="${anchor}">${p?.title ?? id}</h2>
${
  p
    ? html`<dl class="items">
<dt>Finalités</dt><dd>${p.purposes.join(' ; ')}</dd>
<dt>Base légale</dt><dd>${p.legalBasis}</dd>
<dt>Destinataires</dt><dd>${p.recipients}</dd>
<dt>Durée de conservation</dt><dd>${p.retention}</dd>
<dt>Origine des données</dt><dd>${p.source}</dd>
</dl>`
    : html`<p>Ce traitement ne figure plus au registre des activités de traitement.</p>`
}`;
}

export const processingEnd = '</section>\n';

export function answerRecordHtml(loaded: LoadedRegister, r: AnswerRecord): Html {
  return html`<h3>${r.formTitle}, envoyée le ${frenchDate(r.createdAt)}</h3>
<dl class="items">
<dt>État</dt><dd>${STATUS_LABELS[r.status as keyof typeof STATUS_LABELS] ?? r.status}${r.restricted ? ' (traitement limité)' : ''}${r.archived ? ' (archivée)' : ''}</dd>
<dt>Suppression ou anonymisation prévue</dt><dd>${r.deletionDate ? frenchDate(r.deletionDate) : 'à compter de la clôture de la demande'}</dd>
</dl>
${submitted(findForm(loaded.register, r.formId)?.form, r.data)}
${r.files.length > 0 ? html`<p>Pièces jointes : ${r.files.map((f) => `${f.filename} (${formatBytes(f.size)})`).join(', ')}. Elles vous sont transmises sur simple demande au délégué.</p>` : ''}
${r.replies.length > 0 ? html`<h4>Réponses du service</h4><ol>${r.replies.map((m) => html`<li>${frenchDateTime(m.at)} : ${m.text}</li>`)}</ol>` : ''}
<div class="table-wrap"><table><caption>Qui a consulté cette demande (${r.consultations.length})</caption>
<thead><tr><th scope="col">Date et heure</th><th scope="col">Action</th><th scope="col">Motif</th></tr></thead>
<tbody>${r.consultations.map((c) => html`<tr><td>${frenchDateTime(c.at)}</td><td>${c.action}</td><td>${c.purpose}</td></tr>`)}</tbody></table></div>
`;
}
