/**
 * A citizen's submission, from validated input to a stored record: one
 * processing, one service, sealed sensitive fields, blind indexes of subject
 * keys, encrypted uploads, the submitter's IP in the security log (never in
 * the record), all in one transaction under the public role. Either all of
 * it is stored or nothing is.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { seal, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { byteaParam } from '../db/bytea.ts';
import { nextTurn } from '../web/next-turn.ts';
import { applyPrincipal, withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { findForm } from '../forms/find-form.ts';
import { validateSubmission } from '../forms/form-validation.ts';
import { isSubmittedFile, type FieldError } from '../forms/submitted-value.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Field } from '../register/schema.ts';
import { computeExpiry, retentionAction } from '../retention/expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { receiptMail } from './receipt-mail.ts';
import { normaliseSubjectKey, recipientOf, subjectKeyFields } from './subject-key.ts';
import { splitRecord } from './record-split.ts';
import { submissionWriter, type SubmissionWriter } from './submission-writer.ts';
import { newTrackingCode, trackingHash } from './tracking-code.ts';

export interface SubmitMeta {
  ip?: string | undefined;
  /**
   * One submission, one record: a form token or an Idempotency-Key. With it,
   * the tracking code is derived from the key (keyed by the tenant's secret),
   * so that a replay can be answered with the same code.
   */
  submissionKey?: string | undefined;
  /** Where the receipt's links point (from configuration, never from the request). */
  baseUrl: string;
  now?: Date;
  /** A signed-in citizen (src/citizens/): the record is linked to the account in the same transaction. */
  citizenId?: string | undefined;
}

export interface StoredSubmission {
  recordId: string;
  trackingCode: string;
  createdAt: Date;
  formTitle: string;
  /** A receipt was queued durably (the form has an e-mail subject key and it was filled in). */
  receiptQueued: boolean;
}

export type SubmitResult =
  | { ok: true; stored: StoredSubmission }
  | { ok: false; reason: 'invalid'; errors: FieldError[] }
  | { ok: false; reason: 'unknown-form' }
  /** Sent before under the same key: `original` is the first answer when the request is the same. */
  | { ok: false; reason: 'duplicate'; original?: StoredSubmission };

export interface SubmitDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
  /** Where submissions without files are written (by default the database's own writer). */
  writer?: Pick<SubmissionWriter, 'write'>;
}

export const recordAad = (tenantId: string, recordId: string) => `bastide:record:${tenantId}:${recordId}`;
/** A linked record's tracking code, kept sealed for the citizen's "Mes demandes". */
export const citizenTrackingAad = (tenantId: string, recordId: string) => `bastide:citizen-record:${tenantId}:${recordId}`;
export const uploadAad = (tenantId: string, uploadId: string) => `bastide:upload:${tenantId}:${uploadId}`;


/** The validated values as text, each file by its SHA-256 and name. */
function canonicalValues(values: unknown): string {
  return JSON.stringify(values, (_key, v: unknown) =>
    isSubmittedFile(v) ? { file: createHash('sha256').update(v.bytes).digest('base64url'), name: v.filename } : v,
  );
}

async function keyedDigest(deps: SubmitDeps, tenantId: string, purpose: string, value: string): Promise<Buffer> {
  return createHmac('sha256', await deps.keys.derivedKey(tenantId, purpose)).update(value).digest();
}

export async function submitForm(deps: SubmitDeps, loaded: LoadedRegister, formId: string, data: unknown, meta: SubmitMeta): Promise<SubmitResult> {
  const found = findForm(loaded.register, formId);
  if (!found) return { ok: false, reason: 'unknown-form' };
  const { form, processing } = found;
  const validation = await validateSubmission(form, data);
  if (!validation.ok) return { ok: false, reason: 'invalid', errors: validation.errors };

  const tenantId = loaded.tenantId;
  const values = validation.values;
  const recordId = randomUUID();
  const createdAt = meta.now ?? new Date();
  const trackingCode = meta.submissionKey
    ? newTrackingCode(await keyedDigest(deps, tenantId, 'bastide tracking code', `${form.id}:${meta.submissionKey}`))
    : newTrackingCode();
  // What was submitted, so that a replay is told apart from another request under the same key or form token
  // (a second person on a shared computer resending the page must not be shown the first one's code).
  const requestDigest = meta.submissionKey
    ? (await keyedDigest(deps, tenantId, 'bastide request digest', canonicalValues(values))).toString('base64url')
    : null;
  const key = await deps.keys.current(tenantId);
  const { plain, sealed, uploads } = splitRecord(form.fields, values);

  const subjects = await Promise.all(
    subjectKeyFields(form.fields)
      .filter((f) => typeof values[f.name] === 'string')
      .map(async (f) => ({
        tenant_id: tenantId,
        record_id: recordId,
        field: f.name,
        blind_index: await deps.keys.blindIndex(tenantId, f.type as 'email' | 'phone', normaliseSubjectKey(f.type, values[f.name] as string)),
      })),
  );
  const securityLog = loaded.register.securityLogProcessing
    ? loaded.register.processings.find((p) => p.id === loaded.register.securityLogProcessing)
    : undefined;
  const logDuration = securityLog ? parseDuration(securityLog.retention.duration) : undefined;

  const logRow =
    securityLog && logDuration?.ok && meta.ip
      ? {
          tenant_id: tenantId,
          id: randomUUID(),
          at: createdAt,
          event: `submission:${form.id}`,
          ip: meta.ip,
          processing_id: securityLog.id,
          expires_at: addDuration(createdAt, logDuration.duration),
        }
      : undefined;
  const record = {
    tenant_id: tenantId,
    id: recordId,
    processing_id: processing.id,
    form_id: form.id,
    service_id: processing.service!,
    register_version: loaded.version,
    status: 'received' as const,
    sealed: sealed ? sealJson(key.key, sealed, recordAad(tenantId, recordId)) : null,
    key_version: sealed ? key.version : null,
    tracking_hash: trackingHash(tenantId, trackingCode),
    submission_key: meta.submissionKey ?? null,
    request_digest: requestDigest,
    created_at: createdAt,
    updated_at: createdAt,
    closed_at: null,
    expires_at: computeExpiry(processing, { createdAt, closedAt: null, values }),
    expiry_action: retentionAction(processing, values),
    frozen: false,
  };

  const to = recipientOf(form.fields, values);
  const mailRow = to
    ? outboxRow(key, tenantId, recordId, receiptMail(loaded, { to, formTitle: form.title, trackingCode, submittedAt: createdAt }, meta.baseUrl), createdAt, outboxExpiry(loaded.register, createdAt))
    : undefined;

  // Each file sealed and encoded in a task of its own (a 5 MB file is tens of milliseconds of work).
  const sealedUploads: { upload: (typeof uploads)[number]; sealed: ReturnType<typeof byteaParam> }[] = [];
  for (const u of uploads) {
    await nextTurn();
    sealedUploads.push({ upload: u, sealed: byteaParam(seal(key.key, u.file.bytes, uploadAad(tenantId, u.id))) });
  }

  try {
    if (uploads.length === 0 && !meta.citizenId) {
      // The common case: one statement, shared with the submissions of the tenant waiting at the same moment.
      await (deps.writer ?? submissionWriter(deps.db)).write(tenantId, {
        record: JSON.stringify({ ...record, data: plain }),
        subjects: subjects.map((s) => JSON.stringify(s)),
        log: logRow ? JSON.stringify(logRow) : undefined,
        mail: mailRow ? JSON.stringify(mailRow) : undefined,
      });
    } else
      await withPrincipal(deps.db, { kind: 'public', tenantId }, async (trx) => {
        await trx.insertInto('records').values({ ...record, data: JSON.stringify(plain) }).execute();
        if (subjects.length > 0) await trx.insertInto('record_subjects').values(subjects).execute();
        if (logRow) await trx.insertInto('security_log').values(logRow).execute();
        if (mailRow) await trx.insertInto('mail_outbox').values(mailRow).execute();
        for (const { upload: u, sealed: sealedBytes } of sealedUploads)
          await trx
            .insertInto('uploads')
            .values({
              tenant_id: tenantId,
              id: u.id,
              record_id: recordId,
              field: u.field,
              media_type: u.file.mediaType ?? 'application/octet-stream',
              size: u.file.bytes.length,
              sealed_name: seal(key.key, Buffer.from(u.file.filename, 'utf8'), `${uploadAad(tenantId, u.id)}:name`).toString('base64'),
              sealed: sealedBytes,
              key_version: key.version,
            })
            .execute();
        if (meta.citizenId) {
          // The link is the citizen's own statement: its principal may insert only its own id.
          await applyPrincipal(trx, { kind: 'citizen', tenantId, citizenId: meta.citizenId, subjects: [] });
          await trx
            .insertInto('citizen_records')
            .values({ tenant_id: tenantId, citizen_id: meta.citizenId, record_id: recordId, tracking_sealed: sealJson(key.key, trackingCode, citizenTrackingAad(tenantId, recordId)), key_version: key.version, created_at: createdAt })
            .execute();
        }
      });
  } catch (e) {
    // With a key, the tracking code derives from it: either unique index may be the one that refuses.
    if ((e as { code?: string }).code === '23505' && meta.submissionKey && /submission_key|tracking_hash/.test(String((e as Error).message) + String((e as { constraint?: string }).constraint)))
      return { ok: false, reason: 'duplicate', ...(await firstAnswer(deps, tenantId, meta.submissionKey, requestDigest, trackingCode, form.title)) };
    throw e;
  }

  return { ok: true, stored: { recordId, trackingCode, createdAt, formTitle: form.title, receiptQueued: mailRow !== undefined } };
}

/** The record first stored under this key, if the request was the same one (its code is derived from the key). */
async function firstAnswer(deps: SubmitDeps, tenantId: string, submissionKey: string, requestDigest: string | null, trackingCode: string, formTitle: string) {
  return withPrincipal(deps.db, { kind: 'system', tenantId }, async (trx) => {
    const row = await trx
      .selectFrom('records')
      .select(['id', 'created_at', 'request_digest', 'tracking_hash'])
      .select((eb) => eb.exists(eb.selectFrom('mail_outbox').select('id').whereRef('mail_outbox.record_id', '=', 'records.id').where('mail_outbox.tenant_id', '=', tenantId)).as('mailed'))
      .where('tenant_id', '=', tenantId)
      .where('submission_key', '=', submissionKey)
      .executeTakeFirst();
    if (!row || row.request_digest !== requestDigest || row.tracking_hash !== trackingHash(tenantId, trackingCode)) return {};
    const original: StoredSubmission = { recordId: row.id, trackingCode, createdAt: row.created_at, formTitle, receiptQueued: Boolean(row.mailed) };
    return { original };
  });
}
