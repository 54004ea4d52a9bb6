/**
 * An access or portability answer's records, in sealed parts of a few
 * hundred: written one part at a time while the request is fulfilled (read,
 * opened, sealed, inserted, let go), and read back one part at a time while
 * the link streams them, so that memory never holds more than a part
 * however many records a person has.
 */
import { openJson, sealJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Tx } from '../db/principal.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { keyOf } from '../records/record-reader.ts';
import { answerRecord, type AnswerRecord } from './access-answer.ts';
import { answerAad } from './request-secrets.ts';
import { readContents, type SubjectRecord } from './subject-records.ts';
import type { RightsDeps } from './verification.ts';

/** Records per part: a part of the largest forms stays well under a megabyte. */
export const ANSWER_PART_SIZE = 200;

/** Bound to its request and its place, so that parts cannot be swapped or replayed into another answer. */
const partAad = (tenantId: string, requestId: string, seq: number) => `${answerAad(tenantId, requestId)}:part:${seq}`;

/** Writes the parts under the caller's (rights) principal; `records` in the order the answer shows them. */
export async function writeAnswerParts(trx: Tx, keys: readonly DataKey[], key: DataKey, loaded: LoadedRegister, requestId: string, records: readonly SubjectRecord[]): Promise<number> {
  const tenantId = loaded.tenantId;
  let seq = 0;
  for (let start = 0; start < records.length; start += ANSWER_PART_SIZE, seq++) {
    const batch = records.slice(start, start + ANSWER_PART_SIZE);
    const contents = await readContents(trx, keys, tenantId, batch.map((r) => r.id));
    const part: AnswerRecord[] = batch.map((r) => answerRecord(loaded, r, contents.get(r.id)));
    await trx
      .insertInto('rights_answer_parts')
      .values({ tenant_id: tenantId, request_id: requestId, seq, sealed: sealJson(key.key, part, partAad(tenantId, requestId, seq)), key_version: key.version })
      .execute();
  }
  return seq;
}

/** The parts in order, each read in a short transaction of its own (a slow reader holds no transaction open). */
export async function* readAnswerParts(deps: RightsDeps, tenantId: string, requestId: string): AsyncGenerator<AnswerRecord[]> {
  const keys = await deps.keys.all(tenantId);
  for (let seq = 0; ; seq++) {
    const row = await withPrincipal(deps.db, { kind: 'system', tenantId }, (trx) =>
      trx.selectFrom('rights_answer_parts').select(['sealed', 'key_version']).where('tenant_id', '=', tenantId).where('request_id', '=', requestId).where('seq', '=', seq).executeTakeFirst(),
    );
    if (!row) return;
    yield openJson<AnswerRecord[]>(keyOf(keys, tenantId, row.key_version), row.sealed, partAad(tenantId, requestId, seq));
  }
}
