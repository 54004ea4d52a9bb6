/**
 * The information GDPR art. 13 requires at the moment data is collected,
 * shown beside each form. It is read from the notice built for the same
 * register version (buildNotice), never derived again, so the box and the
 * published notice cannot say different things.
 */
import { buildNotice, type Notice } from '../notice/notice.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html, type Html } from '../web/html.ts';

/** Ends a sentence with a full stop unless it already has one. */
const sentence = (s: string) => (/[.!?…]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

const notices = new WeakMap<LoadedRegister, Notice>();

/** The notice of a register version, built once: loaded versions are immutable and cached. */
export function noticeOf(loaded: LoadedRegister): Notice {
  let notice = notices.get(loaded);
  if (!notice) {
    notice = buildNotice(loaded);
    notices.set(loaded, notice);
  }
  return notice;
}

export function processingInfo(loaded: LoadedRegister, processingId: string): Html {
  const notice = noticeOf(loaded);
  const p = notice.processings.find((x) => x.id === processingId);
  if (!p) return html``;
  const rights = p.rights.filter((r) => r.applies !== 'no');
  return html`<aside class="gdpr-box" id="donnees" aria-labelledby="donnees-titre">
<h2 id="donnees-titre">Vos données personnelles</h2>
<p>${p.controller} traite les informations de ce formulaire dans le cadre du traitement « ${p.title} ».</p>
<h3>Pourquoi</h3>
<ul>${p.purposes.map((purpose) => html`<li>${purpose}</li>`)}</ul>
<h3>Sur quelle base</h3>
<p>${sentence(`${p.legalBasis.label[0]!.toUpperCase()}${p.legalBasis.label.slice(1)} (${p.legalBasis.article})${p.legalBasis.detail ? ` : ${p.legalBasis.detail}` : ''}`)}</p>
${p.specialCategoryCondition ? html`<p>Données de santé : ${p.specialCategoryCondition}</p>` : ''}
<h3>Qui les reçoit</h3>
<p>${p.recipients.summary}</p>
<h3>Combien de temps</h3>
${
  p.retention.rules.length > 0
    ? html`<ul>${[...p.retention.rules, p.retention.summary].map((r) => html`<li>${sentence(r)}</li>`)}</ul>`
    : html`<p>${sentence(p.retention.summary)}</p>`
}
<h3>Vos droits</h3>
<ul>${rights.map((r) => html`<li>${r.label}${r.applies === 'limited' ? ' (limité)' : ''}</li>`)}</ul>
<p>Pour les exercer : <a href="mailto:${notice.dpo.email}">${notice.dpo.email}</a> (délégué à la protection des données), ou la page <a href="${notice.howToExercise.rightsPage}">Exercer mes droits</a>. Vous pouvez aussi saisir la CNIL.</p>
<p><a href="/${notice.tenant.id}/donnees-personnelles#traitement-${p.id}">Tout savoir sur ce traitement<span class="visually-hidden"> : ${p.title}</span></a></p>
</aside>`;
}
