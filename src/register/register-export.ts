/**
 * The art. 30 register as a CNIL inspector asks for it: one row per
 * processing with the items of GDPR art. 30(1), in CSV or as an HTML page.
 */
import { stringify } from 'csv-stringify/sync';
import { buildNotice, type NoticeProcessing } from '../notice/notice.ts';
import { frenchDate } from '../notice/french-date.ts';
import { html } from '../web/html.ts';
import type { LoadedRegister } from './register-repository.ts';

const COLUMNS = [
  'Identifiant',
  'Traitement',
  'Responsable de traitement',
  'Délégué à la protection des données',
  'Service en charge',
  'Finalités',
  'Base légale',
  'Catégories de personnes concernées',
  'Catégories de données',
  'Données de santé (condition art. 9)',
  'Source des données',
  'Destinataires',
  'Sous-traitants',
  'Transferts hors UE',
  'Durée de conservation',
  'Mesures de sécurité',
  'Décision automatisée',
] as const;

function row(n: ReturnType<typeof buildNotice>, p: NoticeProcessing): string[] {
  return [
    p.id,
    p.title,
    `${n.controller.name} – ${n.controller.email}${n.controller.postal ? ` – ${n.controller.postal}` : ''}`,
    `${n.dpo.name} – ${n.dpo.email}${n.dpo.postal ? ` – ${n.dpo.postal}` : ''}`,
    p.recipients.service ?? '',
    p.purposes.join(' ; '),
    `${p.legalBasis.label} (${p.legalBasis.article})${p.legalBasis.detail ? ` : ${p.legalBasis.detail}` : ''}`,
    p.subjects.join(' ; '),
    p.data.categories.map((c) => (c.description ? `${c.label} (${c.description})` : c.label)).join(' ; '),
    p.specialCategoryCondition ?? '',
    p.source,
    p.recipients.thirdParties.map((t) => t.name).join(' ; ') || 'Aucun destinataire extérieur',
    p.recipients.providers.map((x) => `${x.name} (${x.role})`).join(' ; '),
    p.transfersOutsideEU.text,
    [...p.retention.rules, p.retention.summary].join(' ; '),
    p.security.join(' ; '),
    p.automatedDecision.exists ? p.automatedDecision.text : 'Non',
  ];
}

/** A spreadsheet opens a cell starting with = + - @ as a formula: neutralise it (CSV injection). */
function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function exportRegisterCsv(loaded: LoadedRegister): string {
  const n = buildNotice(loaded);
  const rows = n.processings.map((p) => row(n, p).map(safeCell));
  // BOM so that spreadsheet software reads the accents as UTF-8.
  return `\uFEFF${stringify([[...COLUMNS], ...rows], { delimiter: ';', record_delimiter: '\r\n' })}`;
}

export function exportRegisterHtml(loaded: LoadedRegister): string {
  const n = buildNotice(loaded);
  return html`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Registre des activités de traitement – ${n.tenant.name}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1f}table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #888;padding:.35rem;vertical-align:top;text-align:left}thead th{background:#eee}</style>
</head>
<body>
<main>
<h1>Registre des activités de traitement (article 30 du RGPD)</h1>
<p>${n.tenant.name}. Version ${n.version} du registre, en vigueur depuis le ${frenchDate(n.publishedAt)}. Empreinte SHA-256 : <code>${n.hash}</code>.</p>
<table>
<caption>${n.processings.length} traitement(s)</caption>
<thead><tr>${COLUMNS.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${n.processings.map((p) => html`<tr>${row(n, p).map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`)}</tbody>
</table>
</main>
</body>
</html>
`.toString();
}
