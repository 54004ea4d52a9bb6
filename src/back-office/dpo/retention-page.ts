/**
 * The DPO's retention page: what is past its date and why it is still
 * there, what will be deleted week by week over the next year (a chart
 * drawn on the server, as SVG, with the same figures in a table, so that it
 * needs no script and reads with a screen reader), the legal holds, and the
 * last purge certificates with their verification.
 */
import { archivesPath } from './archives-page.ts';
import { frenchDate, frenchDateTime } from '../../notice/french-date.ts';
import { frenchDuration } from '../../register/duration.ts';
import type { Register } from '../../register/schema.ts';
import type { CertificatesCheck, StoredCertificate } from '../../retention/certificates.ts';
import type { Hold } from '../../retention/holds.ts';
import type { ForecastWeek } from '../../retention/retention-forecast.ts';
import type { RunReport } from '../../retention/retention-run.ts';
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';
import { svgChart, type ChartScale } from '../svg-chart.ts';

export const retentionPath = (tenantId: string) => `/${tenantId}/back-office/conservation`;

export interface HoldForm {
  record: string;
  reason: string;
  errors: Array<{ field: 'mesure-demande' | 'mesure-motif'; message: string }>;
}

export interface RetentionView {
  /** What the hold form shows back after a refusal. */
  form?: HoldForm | undefined;
  notice?: string | undefined;
  due: RunReport;
  forecast: readonly ForecastWeek[];
  holds: readonly Hold[];
  certificates: readonly StoredCertificate[];
  check: CertificatesCheck;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('fr-FR')} ${n > 1 ? many : one}`;

function titles(register: Register): (id: string) => string {
  const byId = new Map(register.processings.map((p) => [p.id, p.title]));
  return (id) => byId.get(id) ?? `${id} (retiré du registre)`;
}

function pastDue(view: RetentionView, title: (id: string) => string): Html {
  const rows = view.due.processings.filter((p) => p.deleted + p.anonymised + p.archived + p.held + p.notApplied > 0);
  const waiting = rows.reduce((n, p) => n + p.deleted + p.anonymised + p.archived, 0);
  const total = rows.reduce((n, p) => n + p.deleted + p.anonymised + p.archived + p.held + p.notApplied, 0) + view.due.outsideRegister;
  if (total === 0) return html`<p class="status-message" role="status">Aucune demande n’a dépassé sa durée de conservation.</p>`;
  return html`<p>${plural(total, 'demande a dépassé sa', 'demandes ont dépassé leur')} durée de conservation.${waiting > 0 ? ` ${rows.every((p) => p.anonymised + p.archived === 0) ? plural(waiting, 'sera supprimée', 'seront supprimées') : plural(waiting, 'sera traitée', 'seront traitées')} à la prochaine purge (chaque jour).` : ''}</p>
<div class="table-wrap"><table>
<caption>Demandes échues encore présentes, par traitement</caption>
<thead><tr><th scope="col">Traitement</th><th scope="col">À supprimer à la prochaine purge</th><th scope="col">À anonymiser</th><th scope="col">À archiver</th><th scope="col">Conservées (gel ou raison juridique)</th><th scope="col">Action à recalculer</th></tr></thead>
<tbody>${rows.map((p) => html`<tr><th scope="row">${title(p.processingId)}</th><td>${p.deleted}</td><td>${p.anonymised}</td><td>${p.archived}</td><td>${p.held}</td><td>${p.notApplied}</td></tr>`)}</tbody>
</table></div>
${rows.some((p) => p.notApplied > 0) ? html`<p>« Action à recalculer » : ces demandes datent d’avant la mise à jour qui enregistre l’action de chacune ; la prochaine purge les recalcule selon le registre, puis les traite.</p>` : ''}
${view.due.outsideRegister > 0 ? html`<p>${plural(view.due.outsideRegister, 'demande échue appartient', 'demandes échues appartiennent')} à un traitement retiré du registre : elles sont conservées jusqu’à votre décision.</p>` : ''}`;
}

/** The security log and the access journal, under the register's log processing. */
function logsDue(view: RetentionView, title: (id: string) => string): Html {
  const logs = view.due.logs;
  if (!logs) return html`<p>Le registre ne désigne pas de traitement pour les journaux (securityLogProcessing) : le journal de sécurité et le journal des accès ne sont pas purgés.</p>`;
  return html`<p>Journaux (${title(logs.processingId)}, conservés ${frenchDuration(logs.rule.duration)}) : ${plural(logs.securityLogDeleted, 'entrée', 'entrées')} du journal de sécurité et ${plural(logs.journalPruned, 'entrée', 'entrées')} du journal des accès seront supprimées à la prochaine purge.${logs.journalCheckpoint ? ` Le journal des accès commence après la ligne ${logs.journalCheckpoint.seq} ; les lignes précédentes ont été supprimées au terme de leur durée et l’empreinte de la dernière est scellée par un certificat de purge.` : ''}</p>`;
}

/** Weekly totals as bars; the table below carries the same figures. */
function chart(weeks: readonly ForecastWeek[]): Html {
  const max = Math.max(1, ...weeks.map((w) => w.total));
  const total = weeks.reduce((n, w) => n + w.total, 0);
  const months = weeks.flatMap((w, i) => (i === 0 || w.week.slice(5, 7) !== weeks[i - 1]!.week.slice(5, 7) ? [{ w, i }] : []));
  const step = (s: ChartScale) => (s.right - s.left) / weeks.length;
  return svgChart({
    id: 'prevision',
    title: 'Suppressions prévues par semaine sur douze mois',
    summary: `${plural(total, 'suppression prévue', 'suppressions prévues')} au total ; au plus ${max} la même semaine. Le détail figure dans le tableau qui suit.`,
    max,
    marks: (s) =>
      html`${weeks.map((w, i) =>
        w.total === 0 ? '' : html`<rect x="${(s.left + i * step(s) + 1).toFixed(1)}" y="${s.y(w.total).toFixed(1)}" width="${Math.max(1, step(s) - 2).toFixed(1)}" height="${(s.y(0) - s.y(w.total)).toFixed(1)}" fill="#000091"/>`,
      )}`,
    ticks: (s) => months.map(({ w, i }) => ({ x: s.left + i * step(s), text: `${w.week.slice(5, 7)}/${w.week.slice(2, 4)}` })),
    caption: html`Nombre de demandes qui atteindront leur date de suppression, par semaine (lundi, heure de Paris), hors demandes gelées ou conservées pour raison juridique.`,
  });
}

function forecast(view: RetentionView, title: (id: string) => string): Html {
  const busy = view.forecast.filter((w) => w.total > 0);
  return html`${chart(view.forecast)}
${
  busy.length === 0
    ? html`<p>Aucune suppression prévue dans les douze mois.</p>`
    : html`<div class="table-wrap"><table>
<caption>Suppressions prévues, semaine par semaine (semaines sans suppression omises)</caption>
<thead><tr><th scope="col">Semaine du</th><th scope="col">Demandes</th><th scope="col">Par traitement</th></tr></thead>
<tbody>${busy.map((w) => html`<tr><th scope="row">${frenchDate(`${w.week}T12:00:00Z`)}</th><td>${w.total}</td><td>${w.byProcessing.map((p) => `${title(p.processingId)} : ${p.count}`).join(' ; ')}</td></tr>`)}</tbody>
</table></div>`
}`;
}

function fieldError(form: HoldForm | undefined, field: 'mesure-demande' | 'mesure-motif'): Html {
  const e = form?.errors.find((x) => x.field === field);
  return e ? html`<p class="error-message" id="${field}-error"><span class="visually-hidden">Erreur : </span>${e.message}</p>` : html``;
}

function holdForm(req: AgentRequest, form: HoldForm | undefined): Html {
  const bad = (f: 'mesure-demande' | 'mesure-motif') => form?.errors.some((e) => e.field === f) ?? false;
  const described = (f: 'mesure-demande' | 'mesure-motif') => `${f}-hint${bad(f) ? ` ${f}-error` : ''}`;
  return html`<form method="post" action="${retentionPath(req.tenantId)}/mesures" class="filters">
<input type="hidden" name="csrf" value="${req.csrf}">
<fieldset><legend>Conserver une demande au-delà de sa durée</legend>
<div class="field${bad('mesure-demande') ? ' field-invalid' : ''}"><label for="mesure-demande">Identifiant de la demande</label>
<p class="hint" id="mesure-demande-hint">L’identifiant complet, 36 caractères.</p>
${fieldError(form, 'mesure-demande')}
<input type="text" id="mesure-demande" name="demande" value="${form?.record ?? ''}" spellcheck="false" aria-describedby="${described('mesure-demande')}"${bad('mesure-demande') ? html` aria-invalid="true"` : ''}></div>
<div class="field${bad('mesure-motif') ? ' field-invalid' : ''}"><label for="mesure-motif">Motif</label>
<p class="hint" id="mesure-motif-hint">Par exemple : recours contentieux, facture impayée. 500 caractères au plus ; il n’est jamais montré au citoyen.</p>
${fieldError(form, 'mesure-motif')}
<textarea id="mesure-motif" name="motif" rows="3" aria-describedby="${described('mesure-motif')}"${bad('mesure-motif') ? html` aria-invalid="true"` : ''}>${form?.reason ?? ''}</textarea></div>
<div class="form-actions"><button type="submit" class="button-primary">Conserver cette demande</button></div>
</fieldset>
</form>`;
}

function holds(req: AgentRequest, view: RetentionView, title: (id: string) => string): Html {
  const base = retentionPath(req.tenantId);
  const table =
    view.holds.length === 0
      ? html`<p>Aucune demande n’est conservée pour raison juridique.</p>`
      : html`<div class="table-wrap"><table>
<caption>Demandes conservées pour raison juridique (${view.holds.length})</caption>
<thead><tr><th scope="col">Demande</th><th scope="col">Traitement</th><th scope="col">Depuis le</th><th scope="col">Décidé par</th><th scope="col">Motif</th><th scope="col">Action</th></tr></thead>
<tbody>${view.holds.map(
          (h) =>
            html`<tr><td>${h.recordId}</td><td>${title(h.processingId)}</td><td>${frenchDateTime(h.setAt)}</td><td>${h.setBy}</td><td>${h.reason}</td><td><form method="post" action="${base}/mesures/${h.recordId}/levee"><input type="hidden" name="csrf" value="${req.csrf}"><button type="submit" class="button-secondary">Lever la conservation<span class="visually-hidden"> de la demande ${h.recordId}</span></button></form></td></tr>`,
        )}</tbody>
</table></div>`;
  return html`${table}${holdForm(req, view.form)}`;
}

function certificates(req: AgentRequest, view: RetentionView): Html {
  const base = retentionPath(req.tenantId);
  const check = view.check.ok
    ? html`<p class="status-message" role="status"><strong>Certificats intacts</strong> : ${view.check.recounted === view.check.certificates ? html`${plural(view.check.certificates, 'certificat vérifié', 'certificats vérifiés')} (chaîne d’empreintes et comptes recalculés depuis le registre des effacements).` : html`chaîne d’empreintes vérifiée sur ${plural(view.check.certificates, 'certificat', 'certificats')}, comptes recalculés depuis le registre des effacements pour les ${view.check.recounted} derniers. La vérification complète : <code>bastide retention certificates --verify</code>.`}</p>`
    : html`<div class="error-summary" role="alert"><h3>Certificat altéré</h3><p>Le certificat n° ${view.check.seq} ne se vérifie pas : ${view.check.problem}. Conservez une copie de la base et prévenez le responsable de la sécurité.</p></div>`;
  if (view.certificates.length === 0) return html`${check}<p>Aucune purge n’a encore eu lieu.</p>`;
  return html`${check}
<div class="table-wrap"><table>
<caption>Dernières purges (${view.certificates.length} au plus récent)</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Terminée le</th><th scope="col">Appliquée au</th><th scope="col">Supprimées</th><th scope="col">Conservées</th><th scope="col">Empreinte</th><th scope="col">Certificat</th></tr></thead>
<tbody>${view.certificates.map((c) => {
    const erased = c.certificate.processings.reduce((n, p) => n + p.deleted + p.anonymised + p.archived, 0);
    const held = c.certificate.processings.reduce((n, p) => n + p.held, 0);
    return html`<tr><th scope="row">${c.seq}</th><td>${frenchDateTime(c.certificate.finishedAt)}</td><td>${frenchDateTime(c.certificate.asOf)}</td><td>${erased}</td><td>${held}</td><td><code>${c.hash.slice(0, 16)}…</code></td><td><a href="${base}/certificats/${c.seq}.json" download>Télécharger le n° ${c.seq} (JSON)</a></td></tr>`;
  })}</tbody>
</table></div>`;
}

/** Where archived requests are read, when the register archives any. */
function archives(req: AgentRequest): Html {
  const archiving = req.loaded.register.processings.filter((p) => p.retention.then === 'archive' || p.retention.rules.some((r) => r.then === 'archive'));
  if (archiving.length === 0) return html``;
  return html`<h2>Archives</h2>
<p>Le registre prévoit l’archivage pour ${archiving.map((p) => p.title).join(', ')} : à la fin de leur durée de conservation, ces demandes quittent les services et restent consultables par vous seul jusqu’à leur suppression définitive. <a href="${archivesPath(req.tenantId)}">Consulter les archives</a></p>`;
}

export function retentionPage(req: AgentRequest, view: RetentionView): string {
  const title = titles(req.loaded.register);
  return backOfficePage(
    req,
    { title: 'Durées de conservation', path: retentionPath(req.tenantId), hasErrors: (view.form?.errors.length ?? 0) > 0 },
    html`<h1>Durées de conservation</h1>
${view.notice ? html`<p class="status-message" role="status">${view.notice}</p>` : ''}
${errorSummary((view.form?.errors ?? []).map((e) => ({ field: e.field, message: e.message })))}
<p>Les demandes sont supprimées chaque jour quand elles atteignent la durée fixée par le registre. Chaque purge est attestée par un certificat qui ne contient aucune donnée personnelle.</p>
<h2>Demandes échues</h2>
${pastDue(view, title)}
${logsDue(view, title)}
<h2>Suppressions à venir</h2>
${forecast(view, title)}
<h2>Conservations pour raison juridique</h2>
${holds(req, view, title)}
${archives(req)}
<h2>Certificats de purge</h2>
${certificates(req, view)}`,
  );
}
