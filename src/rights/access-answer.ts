/**
 * The answer to an access (art. 15) or portability (art. 20) request: what
 * is held, opened, and for each processing concerned the information of
 * art. 15.1 (purposes, recipients, retention and the actual deletion date,
 * source), with who consulted each record. Sealed with the request and
 * shown behind a link sent to the verified address.
 */
import { buildNotice } from '../notice/notice.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { findForm } from '../forms/find-form.ts';
import type { KeptRecord } from './outcome.ts';
import type { RequestRow } from './request-repository.ts';
import type { RequestSecrets } from './request-secrets.ts';
import type { RecordContents, SubjectRecord } from './subject-records.ts';

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

export interface AccessAnswer {
  kind: 'access' | 'portability';
  requestId: string;
  generatedAt: string;
  tenant: { id: string; name: string };
  controller: string;
  dpo: { name: string; email: string };
  subject: { email: string; phone?: string };
  processings: AnswerProcessing[];
  records: AnswerRecord[];
  /** Portability: records it does not apply to, and why. */
  refused: KeptRecord[];
}

export function buildAnswer(
  loaded: LoadedRegister,
  row: RequestRow,
  secrets: RequestSecrets,
  records: readonly SubjectRecord[],
  contents: ReadonlyMap<string, RecordContents>,
  refused: readonly KeptRecord[],
  now: Date,
): AccessAnswer {
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
    records: records.map((r) => {
      const c = contents.get(r.id);
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
        consultations: (c?.consultations ?? []).map((j) => ({ at: j.at.toISOString(), action: j.action, purpose: j.purpose.replace(/ — \d+ demandes?, sha-256 .*$/, '') })),
      };
    }),
    refused: [...refused],
  };
}
