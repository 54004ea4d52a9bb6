/** The DPO's journal screens: who read a record, what an account read (pages of entries), and the chain's verification. */
import { ROLE_NAMES, type ListedAgent } from '../../accounts/agent-directory.ts';
import type { JournalListItem } from '../../journal/journal-repository.ts';
import type { VerifyResult } from '../../journal/journal-verify.ts';
import { frenchDateTime } from '../../notice/french-date.ts';
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';

export const journalPath = (tenantId: string) => `/${tenantId}/back-office/journal`;

const ACTIONS: Record<string, string> = { read: 'Consultation', download: 'Téléchargement d’un fichier', export: 'Export', list: 'Liste', hold: 'Conservation pour raison juridique', release: 'Levée de la conservation' };

export interface JournalView {
  record: string;
  agent: string;
  agents: readonly ListedAgent[];
  /** Undefined before a search. */
  entries?: readonly JournalListItem[] | undefined;
  /** The sequence number after which the next page starts, if there is one. */
  next?: number | undefined;
  first: boolean;
  error?: string | undefined;
}

function query(view: JournalView, after?: number): string {
  const p = new URLSearchParams();
  if (view.record) p.set('demande', view.record);
  if (view.agent) p.set('agent', view.agent);
  if (after !== undefined) p.set('apres', String(after));
  return p.toString();
}

function results(req: AgentRequest, view: JournalView): Html {
  if (!view.entries) return html``;
  const base = journalPath(req.tenantId);
  const who = view.record ? `la demande ${view.record}` : `le compte ${view.agents.find((a) => a.id === view.agent)?.email ?? view.agent}`;
  if (view.entries.length === 0) return html`<h2>Résultats</h2><p>${view.first ? `Aucun accès journalisé pour ${who}.` : 'Aucune autre entrée.'}</p>`;
  return html`<h2>Résultats</h2>
<div class="table-wrap"><table>
<caption>Accès journalisés pour ${who}${view.first ? '' : ' (suite)'}</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Date</th><th scope="col">Compte</th><th scope="col">Action</th><th scope="col">Demande</th><th scope="col">Motif</th></tr></thead>
<tbody>${view.entries.map(
    (e) => html`<tr><td>${e.seq}</td><td>${frenchDateTime(e.at)}</td><td>${e.actor}</td><td>${ACTIONS[e.action] ?? e.action}</td><td>${e.recordId ?? 'plusieurs (liste)'}</td><td>${e.purpose}</td></tr>`,
  )}</tbody>
</table></div>
<nav aria-label="Pages du journal"><ul class="pagination">
${view.first ? '' : html`<li><a href="${base}?${query(view)}">Premières entrées</a></li>`}
${view.next !== undefined ? html`<li><a href="${base}?${query(view, view.next)}">Entrées suivantes</a></li>` : ''}
</ul></nav>`;
}

export function journalPage(req: AgentRequest, view: JournalView): string {
  const base = journalPath(req.tenantId);
  const errors = view.error ? [{ field: 'demande', message: view.error }] : [];
  return backOfficePage(
    req,
    { title: 'Journal des accès', path: base, hasErrors: errors.length > 0 },
    html`<h1>Journal des accès</h1>
<p>Chaque lecture de données personnelles est journalisée : qui, quand, quelle demande et pourquoi. Le journal montre qui a lu, jamais ce qui a été lu. <a href="${base}/verification">Vérifier l’intégrité du journal</a></p>
${errorSummary(errors)}
<form method="get" action="${base}" class="filters">
<fieldset><legend>Par demande</legend>
<div class="field${view.error ? ' field-invalid' : ''}"><label for="demande">Identifiant de la demande</label>
<p class="hint" id="demande-hint">L’identifiant complet, 36 caractères (par exemple 1b4e28ba-2fa1-41d2-883f-0016d3cca427).</p>
${view.error ? html`<p class="error-message" id="demande-error"><span class="visually-hidden">Erreur : </span>${view.error}</p>` : ''}
<input type="text" id="demande" name="demande" value="${view.record}" spellcheck="false" aria-describedby="demande-hint${view.error ? ' demande-error' : ''}"${view.error ? html` aria-invalid="true"` : ''}></div>
<div class="form-actions"><button type="submit" class="button-primary">Voir les accès à cette demande</button></div>
</fieldset>
</form>
<form method="get" action="${base}" class="filters">
<fieldset><legend>Par agent</legend>
<div class="field"><label for="agent">Compte</label><select id="agent" name="agent">${view.agents.map(
      (a) => html`<option value="${a.id}"${a.id === view.agent ? html` selected` : ''}>${a.email} (${ROLE_NAMES[a.role]})</option>`,
    )}</select></div>
<div class="form-actions"><button type="submit" class="button-primary">Voir ce que ce compte a lu</button></div>
</fieldset>
</form>
${results(req, view)}`,
  );
}

export function verifyPage(req: AgentRequest, result: VerifyResult): string {
  const base = journalPath(req.tenantId);
  return backOfficePage(
    req,
    { title: 'Vérification du journal', path: `${base}/verification` },
    html`<h1>Vérification du journal des accès</h1>
<p>Chaque ligne du journal contient l’empreinte de la précédente : une ligne modifiée, supprimée ou déplacée rompt la chaîne à cet endroit. La vérification vient d’être faite, le ${frenchDateTime(new Date())}.</p>
${
  result.ok
    ? html`<p class="status-message" role="status"><strong>Journal intact</strong> : ${result.rows} ligne${result.rows > 1 ? 's' : ''} vérifiée${result.rows > 1 ? 's' : ''}, aucune altération.${result.pruned > 0 ? ` Les ${result.pruned} lignes plus anciennes ont été supprimées au terme de leur durée de conservation ; la vérification part de l’empreinte de la dernière d’entre elles, scellée par le certificat de purge.` : ''}</p>`
    : html`<div class="error-summary" role="alert"><h2>Journal altéré</h2><p>${result.problem}.</p><p>${result.rows > 0 ? `Les ${result.rows} première${result.rows > 1 ? 's' : ''} ligne${result.rows > 1 ? 's' : ''} vérifiée${result.rows > 1 ? 's' : ''} sont intactes ; ` : ''}la première ligne en cause est la ligne ${result.firstBadSeq}. Conservez une copie de la base et prévenez le responsable de la sécurité : une altération du journal peut être une violation de données (RGPD, art. 33).</p></div>`
}
<p><a href="${base}">Retour au journal des accès</a></p>`,
  );
}
