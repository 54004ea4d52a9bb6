/** What the citizen's pages say of a request, from the register: its form, its service, when and how its retention ends. */
import { findForm } from '../forms/find-form.ts';
import { frenchDate } from '../notice/french-date.ts';
import { retentionText } from '../notice/retention-text.ts';
import type { Register } from '../register/schema.ts';
import { STATUS_LABELS } from '../records/tracking-lookup.ts';
import type { MyRequest } from './my-requests.ts';

const ACTION_WORDS = { delete: 'supprimée', anonymise: 'anonymisée', archive: 'archivée' } as const;

export function formTitle(register: Register, r: MyRequest): string {
  return findForm(register, r.formId)?.form.title ?? r.formId;
}

export function serviceName(register: Register, serviceId: string): string {
  return register.services.find((s) => s.id === serviceId)?.name ?? serviceId;
}

export const statusLabel = (r: MyRequest) => STATUS_LABELS[r.status];

/** "Sera supprimée le 12 mars 2028", or the rule in words when the date is not known yet (counted from closure). */
export function retentionEnd(register: Register, r: MyRequest): string {
  const p = register.processings.find((x) => x.id === r.processingId);
  if (!p) return r.expiresAt ? `Fin de conservation prévue le ${frenchDate(r.expiresAt)}` : 'Durée de conservation : voir la politique de données personnelles';
  if (!r.expiresAt) return `Durée de conservation : ${retentionText(p).summary}`;
  if (r.archivedAt) return `Archivée le ${frenchDate(r.archivedAt)} (${p.retention.legalObligation ?? 'obligation légale'}), sera supprimée le ${frenchDate(r.expiresAt)}`;
  return `Sera ${ACTION_WORDS[r.expiryAction ?? p.retention.then]} le ${frenchDate(r.expiresAt)}`;
}
