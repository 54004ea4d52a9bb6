/**
 * The columns of an export: what the list shows about each request, then the
 * fields of its form in the form's order and words. A list of several forms
 * gets each form's fields, named after the form, empty for the others'
 * records. A group (repeated rows) fits in one cell, one line per row.
 */
import type { Field, Form } from '../../register/schema.ts';
import { STATUS_LABELS } from '../../records/tracking-lookup.ts';
import type { ExportedRecord } from './export-batches.ts';

export type Cell = string | number | Date | null;

export interface Column {
  header: string;
  /** Width in characters, for the spreadsheet. */
  width: number;
  value(record: ExportedRecord): Cell;
}

function fieldText(field: Field, v: unknown, files: ReadonlyMap<string, string>): Cell {
  if (v === undefined || v === null || v === '') return null;
  if (field.type === 'file') {
    const upload = typeof v === 'object' ? (v as { upload?: unknown }).upload : undefined;
    return typeof upload === 'string' ? (files.get(upload) ?? 'fichier joint') : null;
  }
  if (field.type === 'checkbox') return v === true ? 'Oui' : 'Non';
  if (field.options) {
    for (const o of field.options) if (o.value === v) return o.label;
    return String(v);
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function groupText(field: Field, rows: unknown, files: ReadonlyMap<string, string>): Cell {
  if (!Array.isArray(rows) || rows.length === 0) return null;
  const inner = field.fields ?? [];
  const item = field.itemLabel ?? 'Ligne';
  // Pieces joined once: this runs for every row of a list, and concatenating them one by one made a third of an export's garbage.
  // Sized once (an array grown piece by piece copies itself as it goes).
  const parts = new Array<string>(rows.length * (5 + inner.length * 4));
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Record<string, unknown> | null | undefined;
    parts[k++] = i > 0 ? '\n' : '';
    parts[k++] = item;
    parts[k++] = ' ';
    parts[k++] = String(i + 1);
    parts[k++] = ' : ';
    for (let j = 0; j < inner.length; j++) {
      const f = inner[j]!;
      const value = fieldText(f, row?.[f.name], files);
      parts[k++] = j > 0 ? ' ; ' : '';
      parts[k++] = f.label;
      parts[k++] = ' = ';
      parts[k++] = value === null ? '—' : String(value);
    }
  }
  return parts.join('');
}

const when = (d: Date | null) => d;

export function exportColumns(forms: ReadonlyArray<{ form: Form }>, holderName: (id: string) => string): Column[] {
  const several = forms.length > 1;
  const base: Column[] = [
    { header: 'Identifiant', width: 38, value: (r) => r.id },
    { header: 'Démarche', width: 30, value: (r) => r.formTitle },
    { header: 'Statut', width: 14, value: (r) => STATUS_LABELS[r.status] ?? r.status },
    { header: 'Reçue le', width: 18, value: (r) => when(r.createdAt) },
    { header: 'Prise en charge par', width: 24, value: (r) => (r.claimedBy ? holderName(r.claimedBy) : null) },
    { header: 'Suppression ou anonymisation prévue le', width: 18, value: (r) => when(r.expiresAt) },
  ];
  const fields = forms.flatMap(({ form }) =>
    form.fields.map(
      (f): Column => ({
        header: several ? `${form.title} — ${f.label}` : f.label,
        width: f.type === 'group' || f.type === 'textarea' ? 50 : 24,
        value: (r) => (r.formId !== form.id ? null : f.type === 'group' ? groupText(f, r.data[f.name], r.files) : fieldText(f, r.data[f.name], r.files)),
      }),
    ),
  );
  return [...base, ...fields];
}
