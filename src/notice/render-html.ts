/** The notice as the citizen reads it at /{tenant}/donnees-personnelles. */
import { html, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { frenchDuration } from '../register/duration.ts';
import { frenchDate } from './french-date.ts';
import type { Notice, NoticeContact, NoticeProcessing } from './notice.ts';

const APPLIES: Record<string, string> = { yes: 'S’applique', limited: 'S’applique avec des limites', no: 'Ne s’applique pas' };

function contactBlock(c: NoticeContact): Html {
  return html`<p>${c.name}${c.representative ? html`, représenté par ${c.representative}` : ''}<br>
Courriel : <a href="mailto:${c.email}">${c.email}</a>${c.postal ? html`<br>Adresse postale : ${c.postal}` : ''}${c.phone ? html`<br>Téléphone : ${c.phone}` : ''}${c.url ? html`<br>Formulaire : <a href="${c.url}">${c.url}</a>` : ''}</p>`;
}

function list(items: readonly string[]): Html {
  return html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

/** Its caption names the scrolling region too; the hidden title keeps each region's name its own (landmark-unique). */
function fieldsTable(p: NoticeProcessing): Html {
  if (p.data.fields.length === 0) return html`<p>${p.data.mandatoryExplanation}</p>`;
  return html`<p>${p.data.mandatoryExplanation}</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="donnees-${p.id}"><table>
<caption id="donnees-${p.id}">Données demandées par ${p.forms.length > 1 ? 'les formulaires' : 'le formulaire'} de ce traitement<span class="visually-hidden"> : ${p.title}</span></caption>
<thead><tr><th scope="col">Donnée</th><th scope="col">Catégorie</th><th scope="col">Obligatoire ou facultative, et pourquoi</th></tr></thead>
<tbody>${p.data.fields.map(
    (f) => html`<tr><th scope="row">${f.group ? `${f.group} : ` : ''}${f.label}${p.forms.length > 1 ? html` <span class="meta">(${f.form})</span>` : ''}</th><td>${f.categoryLabel}${f.encrypted ? ' – chiffrée' : ''}</td><td>${f.why}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function rightsList(p: NoticeProcessing, rightsPage: string): Html {
  return html`<ul>${p.rights.map(
    (r) =>
      html`<li><strong>${r.label}</strong> (${r.article}) : <span class="tag tag-${r.applies}">${APPLIES[r.applies]}</span>${r.explanation ? html`. ${r.explanation}` : ''}</li>`,
  )}</ul>
<p>Pour exercer ces droits : <a href="${rightsPage}">formulaire « Mes droits »</a> ou délégué à la protection des données (voir <a href="#droits">Vos droits</a>).</p>`;
}

function processingSection(p: NoticeProcessing, n: Notice): Html {
  return html`<section class="processing" id="traitement-${p.id}" aria-labelledby="titre-${p.id}">
<h3 id="titre-${p.id}">${p.title}</h3>
<dl class="items">
<dt>Responsable de traitement</dt><dd>${p.controller}</dd>
<dt>Finalités</dt><dd>${list(p.purposes)}</dd>
<dt>Base légale</dt><dd>${p.legalBasis.label} (${p.legalBasis.article})${p.legalBasis.detail ? html`. ${p.legalBasis.detail}` : ''}${
    p.specialCategoryCondition ? html`<br>Données de santé : ${p.specialCategoryCondition}` : ''
  }</dd>
<dt>Données obligatoires ou facultatives</dt><dd>${fieldsTable(p)}</dd>
<dt>Catégories de données</dt><dd><ul>${p.data.categories.map((c) => html`<li>${c.label}${c.description ? ` : ${c.description}` : ''}</li>`)}</ul></dd>
<dt>Source des données</dt><dd>${p.source}</dd>
<dt>Personnes concernées</dt><dd>${list(p.subjects)}</dd>
<dt>Destinataires</dt><dd>${p.recipients.summary}</dd>
<dt>Durée de conservation</dt><dd>${
    p.retention.rules.length > 0 ? html`<ul>${p.retention.rules.map((r) => html`<li>${r}</li>`)}<li>${p.retention.summary}</li></ul>` : p.retention.summary
  }${p.retention.legalObligation ? html`<br>Obligation légale de conservation : ${p.retention.legalObligation}` : ''}${p.retention.notice ? html`<br>${p.retention.notice}` : ''}</dd>
<dt>Mesures de sécurité</dt><dd>${list(p.security)}</dd>
<dt>Transferts hors de l’Union européenne</dt><dd>${p.transfersOutsideEU.text}</dd>
<dt>Décision automatisée et profilage</dt><dd>${p.automatedDecision.exists ? html`Oui : ${p.automatedDecision.text}` : p.automatedDecision.text}</dd>
<dt>Vos droits</dt><dd>${rightsList(p, n.howToExercise.rightsPage)}</dd>
${p.forms.length > 0 ? html`<dt>Démarches en ligne</dt><dd><ul>${p.forms.map((f) => html`<li><a href="${f.url}">${f.title}</a></li>`)}</ul></dd>` : ''}
</dl>
</section>`;
}

function collectionsTable(n: Notice): Html {
  if (n.collections.length === 0) return html`<p>Aucune démarche en ligne ne collecte de données personnelles.</p>`;
  return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="collectes-tableau"><table>
<caption id="collectes-tableau">Données collectées par chaque démarche en ligne</caption>
<thead><tr><th scope="col">Type de collecte</th><th scope="col">Données collectées</th><th scope="col">Objectifs</th><th scope="col">Service qui traite la demande</th></tr></thead>
<tbody>${n.collections.map(
    (c) => html`<tr><th scope="row"><a href="#traitement-${c.processingId}">${c.form}</a></th><td>${c.data.join(', ')}</td><td>${c.purposes.join(' ; ')}</td><td>${c.service ?? '—'}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function cookiesSection(n: Notice): Html {
  return html`<section aria-labelledby="cookies"><h2 id="cookies" tabindex="-1">Cookies et traceurs</h2>
<p>Un cookie est un petit fichier déposé dans votre navigateur. Ceux qui sont nécessaires au service ou à une mesure d’audience anonyme sont déposés sans consentement ; les autres seulement si vous l’acceptez, et vous pouvez changer d’avis à tout moment sur la page <a href="${n.consent.managePage}">Gestion des cookies</a>, accessible en bas de chaque page.</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="cookies-tableau"><table>
<caption id="cookies-tableau">Cookies déposés par ce site</caption>
<thead><tr><th scope="col">Nom</th><th scope="col">Finalité</th><th scope="col">Catégorie</th><th scope="col">Durée de vie</th></tr></thead>
<tbody>${n.cookies.map(
    (c) => html`<tr><th scope="row"><code>${c.name}</code></th><td>${c.purpose}</td><td>${c.categoryLabel}</td><td>${c.lifetimeText}</td></tr>`,
  )}</tbody>
</table></div>
<h3>Contenus de tiers</h3>
${
  n.embeds.length === 0
    ? html`<p>Ce site n’intègre aucun contenu de tiers (vidéo, réseau social).</p>`
    : html`<p>Ces contenus peuvent déposer leurs propres traceurs : ils restent bloqués tant que vous ne les avez pas acceptés, et un texte de remplacement s’affiche à leur place.</p>
<ul>${n.embeds.map(
        (e) =>
          html`<li>${e.name} (${e.categoryLabel}${e.provider ? `, ${e.provider}` : ''})${e.privacyUrl ? html` – <a href="${e.privacyUrl}">politique de confidentialité de ${e.name}</a>` : ''}</li>`,
      )}</ul>`
}
${audienceSection(n)}
<h3>Preuve de vos choix</h3>
<p>Chacun de vos choix est enregistré avec un identifiant aléatoire, la date, la version de ce registre et l’empreinte du texte qui vous a été présenté, sans votre adresse IP ni rien qui vous identifie ; cette preuve est conservée ${n.consent.proofs.retentionText}${n.consent.proofs.processingId ? html` (<a href="#traitement-${n.consent.proofs.processingId}">traitement de la preuve des choix</a>)` : ''}. Votre choix lui-même est gardé 6 mois dans le cookie <code>bastide_consent</code>, puis vous est demandé de nouveau, comme chaque fois que la liste des cookies et contenus tiers change.</p>
</section>`;
}

function audienceSection(n: Notice): Html {
  const a = n.consent.audience;
  if (!a) return html`<h3>Mesure d’audience</h3>
<p>Ce site ne mesure pas sa fréquentation.</p>`;
  return html`<h3>Mesure d’audience</h3>
<p>Le site mesure lui-même sa fréquentation, sans service tiers, dans les conditions où la CNIL l’exempte de consentement : des statistiques anonymes, pour ce site seulement, jamais croisées avec vos démarches.</p>
<ul>
<li>Le cookie <code>bastide_vid</code> contient un identifiant aléatoire, déposé pour ${frenchDuration(a.identifierLifetime)} au plus et jamais prolongé par vos visites suivantes ; il n’est pas partagé avec d’autres sites.</li>
<li>Votre adresse IP est tronquée dès réception et n’est jamais enregistrée, même tronquée.</li>
<li>Les pages vues sont agrégées chaque jour en statistiques, puis effacées ; les statistiques sont conservées ${a.statisticsRetentionText} (<a href="#traitement-${a.processingId}">traitement de la mesure d’audience</a>).</li>
<li>Si votre navigateur envoie le signal Global Privacy Control ou « Do Not Track », vous n’êtes pas mesuré.</li>
<li>Vous pouvez vous y opposer à tout moment sur la page <a href="${a.optOut}">Gestion des cookies</a> : plus rien n’est alors lu ni écrit pour la mesure d’audience.</li>
</ul>`;
}

export function renderNoticeBody(n: Notice, archived = false): Html {
  const h = n.howToExercise;
  return html`<h1>Données personnelles</h1>
${archived ? html`<p class="toc" role="note"><strong>Version archivée.</strong> Cette version a été remplacée : <a href="/${n.tenant.id}/donnees-personnelles">consultez la version en vigueur</a>.</p>` : ''}
<p class="lead">${n.controller.name} traite des données personnelles pour rendre ses services en ligne. Cette page dit, pour chaque traitement, quelles données sont collectées, pourquoi, qui les reçoit, combien de temps elles sont conservées, et comment exercer vos droits.</p>
<p class="meta">Version ${n.version}, publiée le ${frenchDate(n.publishedAt)}. <a href="/${n.tenant.id}/donnees-personnelles/versions">Versions précédentes</a>.</p>
<nav class="toc" aria-label="Sommaire"><p><strong>Sommaire</strong></p><ol>
<li><a href="#responsable">Responsable de traitement et délégué à la protection des données</a></li>
<li><a href="#collectes">Ce que collectent nos démarches en ligne</a></li>
<li><a href="#traitements">Nos traitements, un par un</a></li>
<li><a href="#droits">Vos droits et comment les exercer</a></li>
<li><a href="#cookies">Cookies et traceurs</a></li>
<li><a href="#hebergement">Hébergement et prestataires</a></li>
</ol></nav>

<section aria-labelledby="responsable"><h2 id="responsable" tabindex="-1">Responsable de traitement et délégué à la protection des données</h2>
<h3>Responsable de traitement</h3>
${contactBlock(n.controller)}
<h3>Délégué à la protection des données (DPO)</h3>
${contactBlock(n.dpo)}
</section>

<section aria-labelledby="collectes"><h2 id="collectes" tabindex="-1">Ce que collectent nos démarches en ligne</h2>
${collectionsTable(n)}
</section>

<section aria-labelledby="traitements"><h2 id="traitements" tabindex="-1">Nos traitements, un par un</h2>
<p>Chaque donnée transmise dans une démarche n’est utilisée que pour le traitement auquel elle appartient, et n’est accessible qu’aux agents habilités du service concerné : cette règle est appliquée par la base de données elle-même. Chaque consultation de vos données est enregistrée.</p>
${n.processings.map((p) => processingSection(p, n))}
</section>

<section aria-labelledby="droits"><h2 id="droits" tabindex="-1">Vos droits et comment les exercer</h2>
<p>Selon la base légale de chaque traitement (précisée ci-dessus), vous disposez des droits d’accès, de rectification, d’effacement, de limitation, d’opposition et de portabilité de vos données, ainsi que du droit de définir des directives relatives à leur sort après votre décès (article 85 de la loi Informatique et Libertés).</p>
<ul>
<li>En ligne : <a href="${h.rightsPage}">formulaire « Mes droits »</a></li>
<li>Par courriel au délégué à la protection des données : <a href="mailto:${h.dpoEmail}">${h.dpoEmail}</a></li>
${h.dpoPostal ? html`<li>Par courrier : ${n.dpo.name}, ${h.dpoPostal}</li>` : ''}
</ul>
<p>${h.identityCheck}</p>
<p>${h.deadline}</p>
<p>Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la ${h.complaint.name} : <a href="${h.complaint.url}">${h.complaint.url}</a>, ou par courrier : ${h.complaint.postal}.</p>
</section>

${cookiesSection(n)}

<section aria-labelledby="hebergement"><h2 id="hebergement" tabindex="-1">Hébergement et prestataires</h2>
<h3>Hébergement</h3>
<ul>${n.hosting.map((x) => html`<li>${x.name} – ${x.location}${x.certification ? ` – certification : ${x.certification}` : ''}</li>`)}</ul>
<h3>Prestataires (sous-traitants)</h3>
${
  n.providers.length === 0
    ? html`<p>Aucun prestataire n’a accès aux données.</p>`
    : html`<ul>${n.providers.map(
        (x) =>
          html`<li>${x.name} : ${x.role}${x.location ? ` (${x.location})` : ''}.${
            x.incidentAccess
              ? ' En cas d’incident technique, ce prestataire peut recevoir un accès temporaire, justifié et enregistré, dont le délégué à la protection des données est informé.'
              : ''
          } Il est tenu par contrat de protéger les données.</li>`,
      )}</ul>`
}
</section>`;
}

export function renderNoticePage(n: Notice, archived = false, consentScript?: string): string {
  return page(
    { tenant: { id: n.tenant.id, name: n.tenant.name, website: n.tenant.website }, consentScript },
    { title: archived ? `Données personnelles (version ${n.version}, archivée)` : 'Données personnelles', path: `/${n.tenant.id}/donnees-personnelles` },
    renderNoticeBody(n, archived),
  ).toString();
}
