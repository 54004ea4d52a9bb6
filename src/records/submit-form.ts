/**
 * A citizen's submission, from validated input to a stored record: one
 * processing, one service, sealed sensitive fields, blind indexes of subject
 * keys, encrypted uploads, the submitter's IP in the security log (never in
 * the record), all in one transaction under the public role. Either all of
 * it is stored or nothing is.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { seal, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { findForm } from '../forms/find-form.ts';
import { validateSubmission } from '../forms/form-validation.ts';
import type { FieldError } from '../forms/submitted-value.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Field } from '../register/schema.ts';
import { computeExpiry } from '../retention/expiry.ts';
import { normaliseSubjectKey } from './subject-key.ts';
import { splitRecord } from './record-split.ts';
import { newTrackingCode, trackingHash } from './tracking-code.ts';

export interface SubmitMeta {
  ip?: string | undefined;
  /** One submission, one record: a form token or an Idempotency-Key. */
  submissionKey?: string | undefined;
  now?: Date;
}

export interface StoredSubmission {
  recordId: string;
  trackingCode: string;
  createdAt: Date;
  formTitle: string;
  /** Where to send the receipt: the form's first e-mail subject key, if filled in. */
  receiptTo: string | undefined;
}

export type SubmitResult =
  | { ok: true; stored: StoredSubmission }
  | { ok: false; reason: 'invalid'; errors: FieldError[] }
  | { ok: false; reason: 'unknown-form' }
  | { ok: false; reason: 'duplicate' };

export interface SubmitDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export const recordAad = (tenantId: string, recordId: string) => `bastide:record:${tenantId}:${recordId}`;
export const uploadAad = (tenantId: string, uploadId: string) => `bastide:upload:${tenantId}:${uploadId}`;

function subjectKeyFields(fields: readonly Field[]): Field[] {
  return fields.filter((f) => f.subjectKey && (f.type === 'email' || f.type === 'phone'));
}

export async function submitForm(deps: SubmitDeps, loaded: LoadedRegister, formId: string, data: unknown, meta: SubmitMeta = {}): Promise<SubmitResult> {
  const found = findForm(loaded.register, formId);
  if (!found) return { ok: false, reason: 'unknown-form' };
  const { form, processing } = found;
  const validation = await validateSubmission(form, data);
  if (!validation.ok) return { ok: false, reason: 'invalid', errors: validation.errors };

  const tenantId = loaded.tenantId;
  const values = validation.values;
  const recordId = randomUUID();
  const createdAt = meta.now ?? new Date();
  const trackingCode = newTrackingCode();
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
    created_at: createdAt,
    updated_at: createdAt,
    closed_at: null,
    expires_at: computeExpiry(processing, { createdAt, closedAt: null, values }),
    frozen: false,
  };

  try {
    if (uploads.length === 0) {
      // The common case in one round trip (see the migration of bastide_public_submit).
      await sql`select bastide_public_submit(${tenantId}, ${JSON.stringify({ ...record, data: plain })}::jsonb, ${JSON.stringify(subjects)}::jsonb, ${
        logRow ? JSON.stringify(logRow) : null
      }::jsonb)`.execute(deps.db);
    } else
      await withPrincipal(deps.db, { kind: 'public', tenantId }, async (trx) => {
        await trx.insertInto('records').values({ ...record, data: JSON.stringify(plain) }).execute();
        if (subjects.length > 0) await trx.insertInto('record_subjects').values(subjects).execute();
        if (logRow) await trx.insertInto('security_log').values(logRow).execute();
        for (const u of uploads)
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
              sealed: seal(key.key, u.file.bytes, uploadAad(tenantId, u.id)),
              key_version: key.version,
            })
            .execute();
      });
  } catch (e) {
    if ((e as { code?: string }).code === '23505' && meta.submissionKey && /submission_key/.test(String((e as Error).message) + String((e as { constraint?: string }).constraint)))
      return { ok: false, reason: 'duplicate' };
    throw e;
  }

  const email = subjectKeyFields(form.fields).find((f) => f.type === 'email' && typeof values[f.name] === 'string');
  return {
    ok: true,
    stored: { recordId, trackingCode, createdAt, formTitle: form.title, receiptTo: email ? (values[email.name] as string) : undefined },
  };
}
