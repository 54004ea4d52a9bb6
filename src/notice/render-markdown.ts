/** The notice in Markdown, for a CMS page or a printed annex. */
import { frenchDate } from './french-date.ts';
import type { Notice, NoticeContact } from './notice.ts';

const APPLIES: Record<string, string> = { yes: 's’applique', limited: 's’applique avec des limites', no: 'ne s’applique pas' };

/** Markdown treats these as syntax; register text is data, so it is escaped. */
function md(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, '\\$1').replace(/\n/g, ' ');
}

function contact(c: NoticeContact): string[] {
  return [
    `${md(c.name)}${c.representative ? `, représenté par ${md(c.representative)}` : ''}`,
    `- Courriel : ${md(c.email)}`,
    ...(c.postal ? [`- Adresse postale : ${md(c.postal)}`] : []),
    ...(c.phone ? [`- Téléphone : ${md(c.phone)}`] : []),
  ];
}

export function renderNoticeMarkdown(n: Notice): string {
  const out: string[] = [];
  const h = n.howToExercise;
  out.push(`# Données personnelles — ${md(n.tenant.name)}`, '', `Version ${n.version}, publiée le ${frenchDate(n.publishedAt)}.`, '');
  out.push('## Responsable de traitement', '', ...contact(n.controller), '');
  out.push('## Délégué à la protection des données', '', ...contact(n.dpo), '');
  out.push('## Ce que collectent nos démarches en ligne', '');
  out.push('| Type de collecte | Données collectées | Objectifs | Service |', '|---|---|---|---|');
  for (const c of n.collections) out.push(`| ${md(c.form)} | ${md(c.data.join(', '))} | ${md(c.purposes.join(' ; '))} | ${md(c.service ?? '—')} |`);
  out.push('', '## Nos traitements', '');
  for (const p of n.processings) {
    out.push(`### ${md(p.title)}`, '');
    out.push(`- **Responsable de traitement** : ${md(p.controller)}`);
    out.push(`- **Finalités** : ${md(p.purposes.join(' ; '))}`);
    out.push(`- **Base légale** : ${md(p.legalBasis.label)} (${p.legalBasis.article})${p.legalBasis.detail ? `. ${md(p.legalBasis.detail)}` : ''}`);
    if (p.specialCategoryCondition) out.push(`- **Données de santé** : ${md(p.specialCategoryCondition)}`);
    out.push(`- **Données obligatoires ou facultatives** : ${md(p.data.mandatoryExplanation)}`);
    for (const f of p.data.fields)
      out.push(`  - ${md(f.group ? `${f.group} : ${f.label}` : f.label)} (${md(f.categoryLabel)}) — ${f.mandatory ? 'obligatoire' : 'facultative'} : ${md(f.why)}`);
    out.push(`- **Catégories de données** : ${md(p.data.categories.map((c) => (c.description ? `${c.label} (${c.description})` : c.label)).join(' ; '))}`);
    out.push(`- **Source des données** : ${md(p.source)}`);
    out.push(`- **Personnes concernées** : ${md(p.subjects.join(', '))}`);
    out.push(`- **Destinataires** : ${md(p.recipients.summary)}`);
    out.push(`- **Durée de conservation** : ${md([...p.retention.rules, p.retention.summary].join(' ; '))}`);
    out.push(`- **Mesures de sécurité** : ${md(p.security.join(' ; '))}`);
    out.push(`- **Transferts hors de l’Union européenne** : ${md(p.transfersOutsideEU.text)}`);
    out.push(`- **Décision automatisée et profilage** : ${md(p.automatedDecision.exists ? `oui : ${p.automatedDecision.text}` : p.automatedDecision.text)}`);
    out.push(`- **Vos droits** :`);
    for (const r of p.rights) out.push(`  - ${r.label} (${r.article}) : ${APPLIES[r.applies]}${r.explanation ? `. ${md(r.explanation)}` : ''}`);
    out.push('');
  }
  out.push('## Vos droits et comment les exercer', '');
  out.push(`- En ligne : ${h.rightsPage}`, `- Par courriel : ${md(h.dpoEmail)}`);
  if (h.dpoPostal) out.push(`- Par courrier : ${md(n.dpo.name)}, ${md(h.dpoPostal)}`);
  out.push('', md(h.identityCheck), '', md(h.deadline), '');
  out.push(`Réclamation : ${md(h.complaint.name)}, ${h.complaint.url}, ${md(h.complaint.postal)}.`, '');
  out.push('## Cookies et traceurs', '', '| Nom | Finalité | Catégorie | Durée de vie |', '|---|---|---|---|');
  for (const c of n.cookies) out.push(`| ${md(c.name)} | ${md(c.purpose)} | ${md(c.categoryLabel)} | ${md(c.lifetimeText)} |`);
  out.push('', '### Contenus de tiers (bloqués jusqu’à votre accord)', '');
  for (const e of n.embeds) out.push(`- ${md(e.name)} (${md(e.categoryLabel)})`);
  out.push('', `Vos choix se modifient à tout moment : ${n.consent.managePage}. Chaque choix est prouvé sans adresse IP, conservé ${md(n.consent.proofs.retentionText)}.`);
  const a = n.consent.audience;
  out.push('', '### Mesure d’audience', '');
  if (!a) out.push('Ce site ne mesure pas sa fréquentation.');
  else
    out.push(
      `Mesure réalisée par le site lui-même, exemptée de consentement : identifiant aléatoire (cookie bastide_vid) jamais prolongé, adresse IP tronquée dès réception et jamais enregistrée, statistiques agrégées conservées ${md(a.statisticsRetentionText)}, aucune mesure avec Global Privacy Control ou Do Not Track ; opposition : ${a.optOut}.`,
    );
  out.push('', '## Hébergement et prestataires', '');
  for (const x of n.hosting) out.push(`- Hébergement : ${md(x.name)}, ${md(x.location)}`);
  for (const x of n.providers) out.push(`- Prestataire : ${md(x.name)} — ${md(x.role)}`);
  out.push('');
  return out.join('\n');
}
