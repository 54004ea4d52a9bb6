/**
 * The communication service's audience dashboard: a period form (GET, so
 * that a period has its own address), the period's totals, visits, daily
 * unique visitors and page views per day as a chart with the same figures
 * in a table, the most viewed pages, the referring sites and the form
 * funnels. Figures only: nothing here names or follows a person.
 */
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';
import { audiencePath } from './audience-access.ts';
import { audienceChart, SERIES } from './audience-chart.ts';
import { submissionRate, totals, VISITORS_SUM } from './audience-figures.ts';
import { daysOf, frenchDay, type PeriodForm } from './audience-period.ts';
import { dayInput } from '../period-fields.ts';
import type { AudienceFigures } from './audience-queries.ts';

/** How many pages and referring sites the page lists (the CSV has more). */
export const SHOWN = 20;

export interface AudienceView {
  form: PeriodForm;
  /** Absent when the period is refused. */
  figures?: AudienceFigures;
  /** The CSV of the same period, and its size in bytes (RGAA 13.3: a download states its format and size). */
  csv?: { href: string; bytes: number };
  formTitle(id: string): string;
}

const n = (x: number) => x.toLocaleString('fr-FR');
const size = (bytes: number) => (bytes < 1024 ? `${bytes} octets` : `${n(Math.ceil(bytes / 1024))} Ko`);

function periodForm(req: AgentRequest, form: PeriodForm): Html {
  return html`<form method="get" action="${audiencePath(req.tenantId)}" class="filters">
<fieldset><legend>Période (jours inclus)</legend>
${dayInput(form, 'du', 'Date de début', false)}
${dayInput(form, 'au', 'Date de fin', false)}
<div class="form-actions"><button type="submit" class="button-primary">Afficher la période</button></div>
</fieldset>
</form>`;
}

function summaryOf(figures: AudienceFigures, from: string, to: string): string {
  const sum = totals(figures.days);
  const busiest = figures.days.reduce((a, b) => (b.visits > a.visits ? b : a));
  return `Du ${frenchDay(from)} au ${frenchDay(to)} : ${n(sum.visits)} visites, ${n(sum.visitors)} ${VISITORS_SUM} et ${n(sum.pageViews)} pages vues ; au plus ${n(busiest.visits)} visites en un jour, le ${frenchDay(busiest.day)}. Le détail figure dans le tableau qui suit.`;
}

function totalsList(figures: AudienceFigures): Html {
  const sum = totals(figures.days);
  return html`<dl class="items audience-totals">
<dt>Pages vues</dt><dd>${n(sum.pageViews)}</dd>
<dt>Visites</dt><dd>${n(sum.visits)} <span class="hint">(les pages vues d’un même visiteur à moins de 30 minutes d’intervalle forment une visite)</span></dd>
<dt>Visiteurs uniques par jour, cumulés</dt><dd>${n(sum.visitors)} <span class="hint">(chaque jour compte ses visiteurs distincts ; une personne venue deux jours différents compte deux fois : ce n’est pas un nombre de personnes)</span></dd>
<dt>Nouveaux visiteurs</dt><dd>${n(sum.newVisitors)} <span class="hint">(navigateurs qui n’avaient pas encore le témoin de mesure d’audience)</span></dd>
</dl>`;
}

function dailyTable(figures: AudienceFigures, days: readonly string[]): Html {
  const omitted = days.length - figures.days.length;
  return html`<div class="table-wrap"><table>
<caption>Fréquentation jour par jour${omitted > 0 ? ` (${n(omitted)} ${omitted > 1 ? 'jours sans visite omis' : 'jour sans visite omis'})` : ''}</caption>
<thead><tr><th scope="col">Jour</th>${SERIES.map((s) => html`<th scope="col">${s.label}</th>`)}<th scope="col">Nouveaux visiteurs</th></tr></thead>
<tbody>${figures.days.map((d) => html`<tr><th scope="row">${frenchDay(d.day)}</th>${SERIES.map((s) => html`<td>${n(d[s.key])}</td>`)}<td>${n(d.newVisitors)}</td></tr>`)}</tbody>
</table></div>`;
}

function pagesTable(figures: AudienceFigures): Html {
  const pages = figures.pages.slice(0, SHOWN);
  const caption = figures.pageCount > pages.length ? `Les ${pages.length} pages les plus vues (sur ${n(figures.pageCount)} pages vues pendant la période)` : 'Pages vues pendant la période, de la plus vue à la moins vue';
  return html`<div class="table-wrap"><table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Page</th><th scope="col">Vues</th></tr></thead>
<tbody>${pages.map((p) => html`<tr><th scope="row" class="audience-path">${p.path}</th><td>${n(p.views)}</td></tr>`)}</tbody>
</table></div>`;
}

function referrersTable(figures: AudienceFigures): Html {
  if (figures.referrers.length === 0) return html`<p>Aucune visite n’est arrivée d’un autre site pendant la période.</p>`;
  const sites = figures.referrers.slice(0, SHOWN);
  const caption = figures.referrerCount > sites.length ? `Les ${sites.length} sites d’où sont venues le plus de visites (sur ${n(figures.referrerCount)})` : 'Sites d’où sont venues les visites';
  return html`<div class="table-wrap"><table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Site</th><th scope="col">Visites</th></tr></thead>
<tbody>${sites.map((r) => html`<tr><th scope="row">${r.host}</th><td>${n(r.visits)}</td></tr>`)}</tbody>
</table></div>`;
}

function formsTable(figures: AudienceFigures, title: (id: string) => string): Html {
  if (figures.forms.length === 0) return html`<p>Aucun formulaire de démarche en ligne n’a été affiché pendant la période.</p>`;
  return html`<div class="table-wrap"><table>
<caption>Formulaires des démarches en ligne : affichés, envoyés, et part des formulaires affichés qui ont été envoyés</caption>
<thead><tr><th scope="col">Démarche</th><th scope="col">Formulaires affichés</th><th scope="col">Formulaires envoyés</th><th scope="col">Taux d’envoi</th></tr></thead>
<tbody>${figures.forms.map((f) => {
    const rate = submissionRate(f);
    return html`<tr><th scope="row">${title(f.formId)}</th><td>${n(f.viewed)}</td><td>${n(f.submitted)}</td><td>${rate === null ? 'non calculé (aucun affichage)' : `${n(rate)} %`}</td></tr>`;
  })}</tbody>
</table></div>`;
}

function results(view: AudienceView, figures: AudienceFigures, from: string, to: string): Html {
  const heading = html`<h2>Du ${frenchDay(from)} au ${frenchDay(to)}</h2>`;
  if (figures.days.length === 0) return html`${heading}<p>Aucune visite n’a été mesurée pendant cette période.</p>`;
  const days = daysOf({ from, to });
  return html`${heading}
${totalsList(figures)}
${view.csv ? html`<p><a href="${view.csv.href}" download>Télécharger les chiffres de la période (CSV, ${size(view.csv.bytes)})</a></p>` : ''}
<h2>Fréquentation jour par jour</h2>
${audienceChart(days, new Map(figures.days.map((d) => [d.day, d])), summaryOf(figures, from, to))}
${dailyTable(figures, days)}
<h2>Pages les plus vues</h2>
${pagesTable(figures)}
<h2>Sites d’origine</h2>
${referrersTable(figures)}
<h2>Démarches en ligne</h2>
${formsTable(figures, view.formTitle)}`;
}

export function audiencePage(req: AgentRequest, view: AudienceView): string {
  const { form, figures } = view;
  return backOfficePage(
    req,
    { title: 'Mesure d’audience', path: audiencePath(req.tenantId), hasErrors: form.errors.length > 0 },
    html`<h1>Mesure d’audience</h1>
<p>Fréquentation des pages publiques, mesurée sans consentement préalable dans les conditions fixées par la CNIL : des chiffres par jour ; aucune adresse IP n’est conservée et l’identifiant d’un visiteur change chaque jour. Les chiffres d’un jour sont calculés dans l’heure qui suit minuit (heure de Paris).</p>
${errorSummary(form.errors)}
${periodForm(req, form)}
${figures && form.period ? results(view, figures, form.period.from, form.period.to) : ''}`,
  );
}
