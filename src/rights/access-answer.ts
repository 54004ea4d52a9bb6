/**
 * The answer to an access (art. 15) or portability (art. 20) request: what
 * is held, opened, and for each processing concerned the information of
 * art. 15.1 (purposes, recipients, retention and the actual deletion date,
 * source), with who consulted each record. The head is sealed with the
 * request, the records in parts beside it; shown behind a link sent to the
 * verified address.
 */
import { buildNotice } from '../notice/notice.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { findForm } from '../forms/find-form.ts';
import type { KeptRecord } from './outcome.ts';
import type { RequestRow } from './request-repository.ts';
import type { RequestSecrets } from './request-secrets.ts';
import type { RecordContents, SubjectRecord } from './subject-records.ts';
import { purposeForCitizen } from '../journal/journal-records.ts';

export interface AnswerProcessing {
  id: string;
  title: string;
  purposes: string[];
  legalBasis: string;
  recipients: string;
  thirdParties: string[];
  retention: string;
  source: string;
  rights: Array<{ label: string; applies: string; explanation: string }>;
}

export interface AnswerRecord {
  id: string;
  processingId: string;
  formId: string;
  formTitle: string;
  status: string;
  createdAt: string;
  /** When retention deletes, anonymises or archives it (null: counted from a closure not yet reached). */
  deletionDate: string | null;
  deletionAction: string | null;
  archived: boolean;
  restricted: boolean;
  data: Record<string, unknown>;
  files: Array<{ field: string; filename: string; mediaType: string; size: number }>;
  replies: Array<{ text: string; at: string }>;
  consultations: Array<{ at: string; action: string; purpose: string }>;
}

/** What the answer says besides the records: stored with the request. */
export interface AnswerHead {
  kind: 'access' | 'portability';
  requestId: string;
  generatedAt: string;
  tenant: { id: string; name: string };
  controller: string;
  dpo: { name: string; email: string };
  subject: { email: string; phone?: string };
  processings: AnswerProcessing[];
  /** Portability: records it does not apply to, and why. */
  refused: KeptRecord[];
  recordCount: number;
}

/** The whole answer, as the JSON download spells it; the records are stored and sent in parts (answer-parts.ts). */
export interface AccessAnswer extends AnswerHead {
  records: AnswerRecord[];
}

/** The records in the order the answer shows them: processing by processing, as in the notice, then by date. */
export function answerOrder(loaded: LoadedRegister, records: readonly SubjectRecord[]): SubjectRecord[] {
  const rank = new Map(loaded.register.processings.map((p, i) => [p.id, i]));
  return [...records].sort((a, b) => (rank.get(a.processingId) ?? Infinity) - (rank.get(b.processingId) ?? Infinity) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

export function answerHead(loaded: LoadedRegister, row: RequestRow, secrets: RequestSecrets, records: readonly SubjectRecord[], refused: readonly KeptRecord[], now: Date): AnswerHead {
  const notice = buildNotice(loaded);
  const concerned = new Set(records.map((r) => r.processingId));
  const phone = row.verified_by !== 'lien' && secrets.phone ? { phone: secrets.phone } : {};
  return {
    kind: row.type === 'portability' ? 'portability' : 'access',
    requestId: row.id,
    generatedAt: now.toISOString(),
    tenant: { id: loaded.tenantId, name: loaded.register.tenant.name },
    controller: notice.controller.name,
    dpo: { name: notice.dpo.name, email: notice.dpo.email },
    subject: { email: secrets.email, ...phone },
    processings: notice.processings
      .filter((p) => concerned.has(p.id))
      .map((p) => ({
        id: p.id,
        title: p.title,
        purposes: p.purposes,
        legalBasis: `${p.legalBasis.label} (${p.legalBasis.article})`,
        recipients: p.recipients.summary,
        thirdParties: p.recipients.thirdParties.map((t) => t.name),
        retention: [p.retention.summary, ...p.retention.rules].join(' ; '),
        source: p.source,
        rights: p.rights.map((r) => ({ label: r.label, applies: r.applies, explanation: r.explanation })),
      })),
    refused: [...refused],
    recordCount: records.length,
  };
}

export function answerRecord(loaded: LoadedRegister, r: SubjectRecord, c: RecordContents | undefined): AnswerRecord {
  return {
    id: r.id,
    processingId: r.processingId,
    formId: r.formId,
    formTitle: findForm(loaded.register, r.formId)?.form.title ?? r.formId,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    deletionDate: r.expiresAt?.toISOString() ?? null,
    deletionAction: r.expiryAction,
    archived: r.archivedAt !== null,
    restricted: r.frozen,
    data: c?.data ?? {},
    files: (c?.files ?? []).map((f) => ({ field: f.field, filename: f.filename, mediaType: f.mediaType, size: f.size })),
    replies: (c?.replies ?? []).map((m) => ({ text: m.text, at: m.at.toISOString() })),
    consultations: (c?.consultations ?? []).map((j) => ({ at: j.at.toISOString(), action: j.action, purpose: purposeForCitizen(j.purpose) })),
  };
}
