/**
 * The DPO's archives: requests that retention archived under a legal
 * obligation (`then: archive`). The list shows no personal data (form, dates,
 * the obligation); opening one is a journaled read, under the DPO principal,
 * which row-level security lets read archives and nothing else.
 */
import type { Form, Register } from '../../register/schema.ts';
import { frenchDate } from '../../notice/french-date.ts';
import type { RecordDetail } from '../../records/record-reader.ts';
import { html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage } from '../back-office-layout.ts';
import { submission } from '../record-page.ts';

export const archivesPath = (tenantId: string) => `/${tenantId}/back-office/archives`;

export interface ArchivedItem {
  id: string;
  formId: string;
  processingId: string;
  createdAt: Date;
  archivedAt: Date;
  deletesAt: Date | null;
}

const titleOf = (register: Register, formId: string) => register.processings.flatMap((p) => p.forms).find((f) => f.id === formId)?.title ?? formId;
const obligationOf = (register: Register, processingId: string) => register.processings.find((p) => p.id === processingId)?.retention.legalObligation ?? 'traitement retiré du registre';

export function archivesPage(req: AgentRequest, items: readonly ArchivedItem[], limit: number): string {
  const register = req.loaded.register;
  const base = archivesPath(req.tenantId);
  return backOfficePage(
    req,
    { title: 'Archives' },
    html`<p><a href="/${req.tenantId}/back-office/conservation">← Durées de conservation</a></p>
<h1>Archives</h1>
<p>Les demandes dont le registre prévoit l’archivage au terme de leur durée de conservation, pour une obligation légale. Les agents des services ne les voient plus ; vous seul pouvez les ouvrir, et chaque consultation est journalisée. Chacune est supprimée à la date indiquée.</p>
${
  items.length === 0
    ? html`<p class="status-message" role="status">Aucune demande archivée.</p>`
    : html`<div class="table-wrap"><table>
<caption>Demandes archivées${items.length === limit ? ` (les ${limit} plus récentes)` : ''}</caption>
<thead><tr><th scope="col">Demande</th><th scope="col">Démarche</th><th scope="col">Reçue le</th><th scope="col">Archivée le</th><th scope="col">Suppression définitive</th><th scope="col">Obligation légale</th></tr></thead>
<tbody>${items.map(
        (i) =>
          html`<tr><th scope="row"><a href="${base}/${i.id}">${i.id.slice(0, 8)}</a></th><td>${titleOf(register, i.formId)}</td><td>${frenchDate(i.createdAt)}</td><td>${frenchDate(i.archivedAt)}</td><td>${i.deletesAt ? frenchDate(i.deletesAt) : '—'}</td><td>${obligationOf(register, i.processingId)}</td></tr>`,
      )}</tbody>
</table></div>`
}`,
  );
}

export function archivePage(req: AgentRequest, record: RecordDetail, form: Form | undefined): string {
  const here = `${archivesPath(req.tenantId)}/${record.id}`;
  return backOfficePage(
    req,
    { title: `Archive ${record.id.slice(0, 8)}` },
    html`<p><a href="${archivesPath(req.tenantId)}">← Archives</a></p>
<h1>${form?.title ?? record.formId} – archive ${record.id.slice(0, 8)}</h1>
<p class="status-message">Archivée le ${frenchDate(record.archivedAt ?? record.updatedAt)} (${obligationOf(req.loaded.register, record.processingId)}). Cette consultation est inscrite au journal des accès.</p>
<dl class="items">
<dt>Reçue le</dt><dd>${frenchDate(record.createdAt)}</dd>
<dt>Suppression définitive</dt><dd>${record.expiresAt ? frenchDate(record.expiresAt) : '—'}</dd>
</dl>
<section aria-labelledby="saisie-titre"><h2 id="saisie-titre">Ce que la personne a saisi</h2>
${submission(here, { record, form })}
</section>`,
  );
}
