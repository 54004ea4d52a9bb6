/**
 * Drafts: a form saved half-filled, resumed from a secret link. Only the
 * link's hash is stored, the content is sealed under the tenant key (bound
 * to tenant and draft), files are never kept, and each draft expires after
 * the form's `draftRetentionDays` (default 30). Citizens reach a draft only
 * through row-level security (app.draft = its hash); the purge runs as the
 * system principal, one tenant at a time.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openJson, sealJson } from '../crypto/aead.ts';
import { lookupHash, type TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { Field, Form } from '../register/schema.ts';
import type { SubmittedData, SubmittedValue } from './submitted-value.ts';

export const DEFAULT_DRAFT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** No declared field is longer (schema: maxLength ≤ 100 000). */
const MAX_VALUE_LENGTH = 100_000;

export interface DraftDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export const draftAad = (tenantId: string, draftId: string) => `bastide:draft:${tenantId}:${draftId}`;

export function isDraftToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN.test(token);
}

export function draftHash(tenantId: string, token: string): string {
  return lookupHash(`draft:${tenantId}:${token}`);
}

export function draftExpiry(form: Form, now: Date): Date {
  return new Date(now.getTime() + (form.draftRetentionDays ?? DEFAULT_DRAFT_RETENTION_DAYS) * DAY_MS);
}

function keep(value: SubmittedValue): string | boolean | undefined {
  if (typeof value === 'string') return value.slice(0, MAX_VALUE_LENGTH);
  if (typeof value === 'boolean') return value;
  return undefined;
}

/** Only what the form declares, without files: a draft never holds more than the form may collect. */
export function draftContent(form: Form, data: SubmittedData): SubmittedData {
  const pick = (fields: readonly Field[], source: Record<string, SubmittedValue>): Record<string, SubmittedValue> => {
    const out: Record<string, SubmittedValue> = {};
    for (const f of fields) {
      const value = source[f.name];
      if (f.type === 'group') {
        if (Array.isArray(value))
          out[f.name] = value.slice(0, f.repeat?.max ?? 1).map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? pick(f.fields ?? [], row as Record<string, SubmittedValue>) : {}));
      } else if (f.type !== 'file') {
        const kept = keep(value);
        if (kept !== undefined) out[f.name] = kept;
      }
    }
    return out;
  };
  return pick(form.fields, data);
}

/**
 * Saves a draft: updates the one `token` names if it is still there, else
 * creates one with a new token. Either way its expiry starts again from now.
 */
export async function saveDraft(
  deps: DraftDeps,
  tenantId: string,
  form: Form,
  data: SubmittedData,
  token: string | undefined,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const content = draftContent(form, data);
  const key = await deps.keys.current(tenantId);
  const expiresAt = draftExpiry(form, now);
  if (isDraftToken(token)) {
    const hash = draftHash(tenantId, token);
    const updated = await withPrincipal(deps.db, { kind: 'public', tenantId, draftHash: hash }, async (trx) => {
      const row = await trx.selectFrom('drafts').select('id').where('token_hash', '=', hash).where('form_id', '=', form.id).where('expires_at', '>', now).executeTakeFirst();
      if (!row) return false;
      await trx
        .updateTable('drafts')
        .set({ sealed: sealJson(key.key, content, draftAad(tenantId, row.id)), key_version: key.version, updated_at: now, expires_at: expiresAt })
        .where('id', '=', row.id)
        .execute();
      return true;
    });
    if (updated) return { token, expiresAt };
  }
  const fresh = randomBytes(32).toString('base64url');
  const id = randomUUID();
  await withPrincipal(deps.db, { kind: 'public', tenantId, draftHash: draftHash(tenantId, fresh) }, (trx) =>
    trx
      .insertInto('drafts')
      .values({
        tenant_id: tenantId,
        id,
        form_id: form.id,
        token_hash: draftHash(tenantId, fresh),
        sealed: sealJson(key.key, content, draftAad(tenantId, id)),
        key_version: key.version,
        created_at: now,
        updated_at: now,
        expires_at: expiresAt,
      })
      .execute(),
  );
  return { token: fresh, expiresAt };
}

/** The content of a draft that has not expired, or undefined. */
export async function loadDraft(deps: DraftDeps, tenantId: string, formId: string, token: string, now = new Date()): Promise<SubmittedData | undefined> {
  if (!isDraftToken(token)) return undefined;
  const hash = draftHash(tenantId, token);
  const row = await withPrincipal(deps.db, { kind: 'public', tenantId, draftHash: hash }, (trx) =>
    trx.selectFrom('drafts').select(['id', 'sealed', 'key_version']).where('token_hash', '=', hash).where('form_id', '=', formId).where('expires_at', '>', now).executeTakeFirst(),
  );
  if (!row) return undefined;
  const key = await deps.keys.byVersion(tenantId, row.key_version);
  return openJson<SubmittedData>(key.key, row.sealed, draftAad(tenantId, row.id));
}

/** Once its form is sent, a draft has no reason to be kept. */
export async function deleteDraft(db: Kysely<Tables>, tenantId: string, token: string): Promise<void> {
  if (!isDraftToken(token)) return;
  const hash = draftHash(tenantId, token);
  await withPrincipal(db, { kind: 'public', tenantId, draftHash: hash }, (trx) => trx.deleteFrom('drafts').where('token_hash', '=', hash).execute());
}

/** Deletes every expired draft (and, by cascade, anything attached to it), tenant by tenant. */
export async function purgeExpiredDrafts(db: Kysely<Tables>, now = new Date()): Promise<Array<{ tenantId: string; deleted: number }>> {
  const tenants = await db.selectFrom('tenants').select('id').orderBy('id').execute();
  const out: Array<{ tenantId: string; deleted: number }> = [];
  for (const { id: tenantId } of tenants) {
    const result = await withPrincipal(db, { kind: 'system', tenantId }, (trx) => trx.deleteFrom('drafts').where('expires_at', '<=', now).executeTakeFirst());
    out.push({ tenantId, deleted: Number(result.numDeletedRows) });
  }
  return out;
}
