/** The answer behind the e-mailed link: found by the link's hash, while it lasts; each opening journaled. */
import { openJson } from '../crypto/aead.ts';
import { lookupHash } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import { appendJournal } from '../journal/journal.ts';
import { keyOf } from '../records/record-reader.ts';
import type { AnswerHead, AnswerRecord } from './access-answer.ts';
import { readAnswerParts } from './answer-parts.ts';
import { answerAad } from './request-secrets.ts';
import type { RightsDeps } from './verification.ts';

export interface OpenedAnswer {
  head: AnswerHead;
  /** The records, part after part: read as they are sent. */
  parts(): AsyncIterable<AnswerRecord[]>;
}

/** Answers sealed before the records went into parts held them in the head. */
type StoredHead = AnswerHead & { records?: AnswerRecord[] };

export async function openAnswer(deps: RightsDeps, tenantId: string, token: string, now = new Date()): Promise<OpenedAnswer | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const keys = await deps.keys.all(tenantId);
  const stored = await withPrincipal(deps.db, { kind: 'system', tenantId }, async (trx) => {
    const row = await trx
      .selectFrom('rights_requests')
      .select(['id', 'answer_sealed', 'answer_key_version'])
      .where('tenant_id', '=', tenantId)
      .where('answer_token_hash', '=', lookupHash(token))
      .where('answer_expires_at', '>', now)
      .executeTakeFirst();
    if (!row?.answer_sealed || row.answer_key_version === null) return undefined;
    await appendJournal(trx, tenantId, { actorId: null, actor: 'usager (lien de réponse)', action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${row.id} : réponse consultée par la personne concernée` });
    return openJson<StoredHead>(keyOf(keys, tenantId, row.answer_key_version), row.answer_sealed, answerAad(tenantId, row.id));
  });
  if (!stored) return undefined;
  const { records: inline, ...head } = stored;
  return {
    head: { ...head, recordCount: head.recordCount ?? inline?.length ?? 0 },
    parts: inline ? async function* () { yield inline; } : () => readAnswerParts(deps, tenantId, head.requestId),
  };
}
