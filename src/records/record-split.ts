/**
 * Splits validated values into what is stored in clear, what is sealed
 * (health and `encrypted: true` fields, mirrored in the same shape), and the
 * files, which go to their own rows and are referenced from the data.
 */
import { randomUUID } from 'node:crypto';
import { isSealed } from '../forms/find-form.ts';
import type { NormalisedData, NormalisedRow, NormalisedValue } from '../forms/form-validation.ts';
import type { StoredFileRef, SubmittedFile } from '../forms/submitted-value.ts';
import type { Field } from '../register/schema.ts';

export interface PendingUpload {
  id: string;
  field: string;
  file: SubmittedFile;
}

export interface SplitRecord {
  plain: Record<string, unknown>;
  sealed: Record<string, unknown> | null;
  uploads: PendingUpload[];
}

type Row = Record<string, unknown>;

function splitRow(fields: readonly Field[], values: NormalisedRow | NormalisedData, prefix: string, uploads: PendingUpload[]): { plain: Row; sealed: Row } {
  const plain: Row = {};
  const sealed: Row = {};
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined) continue;
    if (field.type === 'group') {
      const rows = (value as NormalisedRow[]).map((row, i) => splitRow(field.fields ?? [], row, `${prefix}${field.name}[${i}].`, uploads));
      plain[field.name] = rows.map((r) => r.plain);
      if (rows.some((r) => Object.keys(r.sealed).length > 0)) sealed[field.name] = rows.map((r) => r.sealed);
      continue;
    }
    let stored: unknown = value;
    if (field.type === 'file') {
      const file = value as SubmittedFile;
      const upload: PendingUpload = { id: randomUUID(), field: `${prefix}${field.name}`, file };
      uploads.push(upload);
      stored = { upload: upload.id, type: file.mediaType ?? 'application/octet-stream', size: file.bytes.length } satisfies StoredFileRef;
    }
    (isSealed(field) ? sealed : plain)[field.name] = stored as NormalisedValue;
  }
  return { plain, sealed };
}

export function splitRecord(fields: readonly Field[], values: NormalisedData): SplitRecord {
  const uploads: PendingUpload[] = [];
  const { plain, sealed } = splitRow(fields, values, '', uploads);
  return { plain, sealed: Object.keys(sealed).length > 0 ? sealed : null, uploads };
}

/** Puts sealed values back beside the clear ones, rows matched by position. */
export function mergeRecord(plain: Row, sealed: Row | null): Row {
  if (!sealed) return plain;
  const out: Row = { ...plain };
  for (const [key, value] of Object.entries(sealed)) {
    if (Array.isArray(value)) {
      const rows = Array.isArray(out[key]) ? (out[key] as Row[]) : [];
      out[key] = value.map((s, i) => ({ ...(rows[i] ?? {}), ...(s as Row) }));
    } else out[key] = value;
  }
  return out;
}
