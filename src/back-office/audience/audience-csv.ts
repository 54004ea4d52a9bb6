/**
 * The period's figures for a spreadsheet, with the list export's rules
 * (csv-export.ts: UTF-8 with BOM, `;`, CRLF, formulas neutralised: a page
 * path comes from the visitor's browser and may start with `=`). One file,
 * four sections one after the other, each with its own header line: every
 * day of the period (zeros included, for the spreadsheet's charts), the
 * pages, the referring sites and the form funnels.
 */
import { csvLine } from '../export/csv-export.ts';
import { daysOf, type Period } from './audience-period.ts';
import type { AudienceFigures } from './audience-queries.ts';
import { submissionRate, totals, VISITORS_SUM } from './audience-figures.ts';

const frenchDayCell = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export function audienceCsv(tenantName: string, period: Period, figures: AudienceFigures, formTitle: (id: string) => string): string {
  const byDay = new Map(figures.days.map((d) => [d.day, d]));
  const sum = totals(figures.days);
  const lines = [
    csvLine(['Mesure d’audience', tenantName, `du ${frenchDayCell(period.from)} au ${frenchDayCell(period.to)}`]),
    csvLine([]),
    csvLine(['Jour', 'Visites', 'Visiteurs uniques du jour', 'Pages vues', 'Nouveaux visiteurs']),
    ...daysOf(period).map((day) => {
      const d = byDay.get(day);
      return csvLine([frenchDayCell(day), d?.visits ?? 0, d?.visitors ?? 0, d?.pageViews ?? 0, d?.newVisitors ?? 0]);
    }),
    csvLine([`Total (visiteurs : ${VISITORS_SUM})`, sum.visits, sum.visitors, sum.pageViews, sum.newVisitors]),
    csvLine([]),
    csvLine(['Page', 'Vues']),
    ...figures.pages.map((p) => csvLine([p.path, p.views])),
    csvLine([]),
    csvLine(['Site d’origine', 'Visites']),
    ...figures.referrers.map((r) => csvLine([r.host, r.visits])),
    csvLine([]),
    csvLine(['Démarche', 'Identifiant', 'Formulaires affichés', 'Formulaires envoyés', 'Taux d’envoi (%)']),
    ...figures.forms.map((f) => csvLine([formTitle(f.formId), f.formId, f.viewed, f.submitted, submissionRate(f)])),
  ];
  return `\uFEFF${lines.join('')}`;
}
