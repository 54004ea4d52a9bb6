/**
 * Rectification (art. 16), field by field, with the DPO's reason: each new
 * value is checked as on submission, and only a top-level field of the
 * record's form can change (a file or a group row is rectified by the
 * service). The old value is kept nowhere: the journal records which fields
 * changed, never what they held. A changed date that retention counts from
 * moves the record's deletion date with it; a changed e-mail or phone moves
 * its blind index.
 */
import { openJson, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { applyPrincipal, type Tx } from '../db/principal.ts';
import { isUuid } from '../db/uuid.ts';
import { AppError } from '../errors/app-error.ts';
import { findForm, isSealed } from '../forms/find-form.ts';
import { isEmpty, validateFieldValue } from '../forms/field-validation.ts';
import { keyOf } from '../records/record-reader.ts';
import { mergeRecord } from '../records/record-split.ts';
import { normaliseSubjectKey } from '../records/subject-key.ts';
import { recordAad } from '../records/submit-form.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { computeExpiry, retentionAction } from '../retention/expiry.ts';
import type { SubjectRecord } from './subject-records.ts';

export interface Change {
  recordId: string;
  field: string;
  value: unknown;
}

export const MAX_CHANGES = 100;

export function parseChanges(value: unknown): Change[] {
  const shape = 'Le champ « changes » attend une liste de modifications {"recordId", "field", "value"} (100 au plus).';
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CHANGES) throw new AppError('bad-request', shape);
  return value.map((c: unknown) => {
    const o = c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : undefined;
    if (!o || typeof o['recordId'] !== 'string' || !isUuid(o['recordId']) || typeof o['field'] !== 'string' || !('value' in o)) throw new AppError('bad-request', shape);
    return { recordId: o['recordId'].toLowerCase(), field: o['field'].slice(0, 100), value: o['value'] };
  });
}

/** Applies the changes to the person's records (`records`: found under their rights principal); which fields of which record changed. */
export async function rectify(trx: Tx, keys: TenantKeys, loaded: LoadedRegister, records: readonly SubjectRecord[], changes: readonly Change[]): Promise<Array<{ id: string; fields: string[] }>> {
  const tenantId = loaded.tenantId;
  const byId = new Map(records.map((r) => [r.id, r]));
  const planned = new Map<string, Map<string, unknown>>();
  for (const c of changes) {
    const r = byId.get(c.recordId);
    if (!r) throw new AppError('bad-request', `La demande ${c.recordId} n’est pas une demande de la personne concernée (ou n’existe plus).`);
    if (r.archivedAt || r.anonymisedAt) throw new AppError('bad-request', `La demande ${c.recordId} est ${r.archivedAt ? 'archivée' : 'anonymisée'} : elle ne se rectifie plus.`);
    const form = findForm(loaded.register, r.formId)?.form;
    const field = form?.fields.find((f) => f.name === c.field);
    if (!form || !field) throw new AppError('bad-request', `Le champ « ${c.field} » n’existe pas dans la démarche « ${form?.title ?? r.formId} ».`);
    if (field.type === 'group' || field.type === 'file')
      throw new AppError('bad-request', `Le champ « ${field.label} » (${field.type === 'group' ? 'un tableau' : 'un fichier'}) se rectifie par le service dans l’espace agents.`);
    const empty = isEmpty(c.value as never);
    if (empty && field.required) throw new AppError('bad-request', `Le champ « ${field.label} » est obligatoire : il ne peut pas être vidé.`);
    const checked = empty ? { ok: true as const, value: null } : await validateFieldValue(field, c.value as never);
    if (!checked.ok) throw new AppError('bad-request', checked.message);
    if (!planned.has(r.id)) planned.set(r.id, new Map());
    planned.get(r.id)!.set(field.name, checked.value);
  }

  const all = await keys.all(tenantId);
  const current = await keys.current(tenantId);
  // The writes touch only the ids found above under the person's principal; the maintenance role may also move the blind index and the dates.
  await applyPrincipal(trx, { kind: 'system', tenantId });
  const done: Array<{ id: string; fields: string[] }> = [];
  for (const [id, values] of planned) {
    const r = byId.get(id)!;
    const row = await trx.selectFrom('records').select(['data', 'sealed', 'key_version', 'created_at', 'closed_at']).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    const form = findForm(loaded.register, r.formId)!.form;
    const plain = { ...row.data };
    const sealed = row.sealed && row.key_version !== null ? openJson<Record<string, unknown>>(keyOf(all, tenantId, row.key_version), row.sealed, recordAad(tenantId, id)) : {};
    for (const [name, value] of values) {
      const field = form.fields.find((f) => f.name === name)!;
      const target = isSealed(field) ? sealed : plain;
      if (value === null) delete target[name];
      else target[name] = value;
    }
    const merged = mergeRecord(plain, Object.keys(sealed).length > 0 ? sealed : null);
    const processing = loaded.register.processings.find((p) => p.id === r.processingId);
    const dates = processing
      ? { expires_at: computeExpiry(processing, { createdAt: new Date(row.created_at), closedAt: row.closed_at ? new Date(row.closed_at) : null, values: merged }), expiry_action: retentionAction(processing, merged) }
      : {};
    await trx
      .updateTable('records')
      .set({
        data: JSON.stringify(plain),
        sealed: Object.keys(sealed).length > 0 ? sealJson(current.key, sealed, recordAad(tenantId, id)) : null,
        key_version: Object.keys(sealed).length > 0 ? current.version : null,
        updated_at: new Date(),
        deletion_notice_at: null,
        ...dates,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    for (const [name, value] of values) {
      const field = form.fields.find((f) => f.name === name)!;
      if (!field.subjectKey || (field.type !== 'email' && field.type !== 'phone')) continue;
      await trx.deleteFrom('record_subjects').where('tenant_id', '=', tenantId).where('record_id', '=', id).where('field', '=', name).execute();
      if (typeof value === 'string')
        await trx.insertInto('record_subjects').values({ tenant_id: tenantId, record_id: id, field: name, blind_index: await keys.blindIndex(tenantId, field.type, normaliseSubjectKey(field.type, value)) }).execute();
    }
    done.push({ id, fields: [...values.keys()] });
  }
  return done;
}
