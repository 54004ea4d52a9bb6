/**
 * A whole submission against its form: every declared field checked, every
 * undeclared one refused (data minimisation: never stored, never silently
 * dropped), groups counted against their `repeat` bounds. All errors at once.
 * A value of the wrong shape (an object or a list where a field expects one
 * value) is refused by its field, never taken for an empty one.
 */
import type { Field, Form } from '../register/schema.ts';
import { isEmpty, validateFieldValue } from './field-validation.ts';
import type { FieldError, SubmittedData, SubmittedFile, SubmittedValue } from './submitted-value.ts';
import { displayableKey } from './text-rules.ts';

export type NormalisedValue = string | number | boolean | SubmittedFile;
export type NormalisedRow = Record<string, NormalisedValue>;
export type NormalisedData = Record<string, NormalisedValue | NormalisedRow[]>;

export type ValidationResult = { ok: true; values: NormalisedData } | { ok: false; errors: FieldError[] };

const MAX_UNKNOWN_REPORTED = 20;

function isPlainObject(v: SubmittedValue): v is Record<string, SubmittedValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && (v as { kind?: string }).kind !== 'file';
}

async function validateFields(fields: readonly Field[], data: Record<string, SubmittedValue>, prefix: string, errors: FieldError[]): Promise<NormalisedRow & NormalisedData> {
  const out: NormalisedData = {};
  const declared = new Set(fields.map((f) => f.name));
  const unknown = Object.keys(data).filter((k) => !declared.has(k));
  for (const key of unknown.slice(0, MAX_UNKNOWN_REPORTED))
    errors.push({ field: `${prefix}${displayableKey(key, 100)}`, message: `Le champ « ${displayableKey(key)} » n'est pas prévu par ce formulaire : retirez-le (seules les données déclarées sont collectées).` });

  for (const field of fields) {
    const path = `${prefix}${field.name}`;
    // Own keys only: a field named like an Object method (`constructor`) is not given one.
    const value = Object.hasOwn(data, field.name) ? data[field.name] : undefined;
    if (field.type === 'group') {
      const rows = value === undefined || value === null ? [] : value;
      if (!Array.isArray(rows) || !rows.every(isPlainObject)) {
        errors.push({ field: path, message: `Le groupe « ${field.label} » attend une liste de lignes.` });
        continue;
      }
      const { min, max } = field.repeat ?? { min: 0, max: 1 };
      const least = Math.max(min, field.required ? 1 : 0);
      if (rows.length < least) errors.push({ field: path, message: `Le groupe « ${field.label} » doit compter au moins ${least} ligne${least > 1 ? 's' : ''}.` });
      if (rows.length > max) errors.push({ field: path, message: `Le groupe « ${field.label} » compte au plus ${max} ligne${max > 1 ? 's' : ''} (${rows.length} reçues).` });
      const normalised: NormalisedRow[] = [];
      for (const [i, row] of rows.slice(0, max).entries()) normalised.push((await validateFields(field.fields ?? [], row, `${path}[${i}].`, errors)) as NormalisedRow);
      if (normalised.length > 0) out[field.name] = normalised;
      continue;
    }
    if (isEmpty(value) || (field.type === 'checkbox' && (value === false || value === 'false') && field.required)) {
      if (field.required)
        errors.push({ field: path, message: field.type === 'checkbox' ? `Cochez la case « ${field.label} ».` : `Le champ « ${field.label} » est obligatoire.` });
      continue;
    }
    const result = await validateFieldValue(field, value);
    if (!result.ok) errors.push({ field: path, message: result.message });
    // A mandatory box is ticked, whichever way "no" was written (false, "false", "0").
    else if (field.type === 'checkbox' && field.required && result.value === false) errors.push({ field: path, message: `Cochez la case « ${field.label} ».` });
    else if (result.value !== null) out[field.name] = result.value;
  }
  return out as NormalisedRow & NormalisedData;
}

export async function validateSubmission(form: Form, data: unknown): Promise<ValidationResult> {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    return { ok: false, errors: [{ field: 'data', message: 'La demande doit contenir les champs du formulaire sous « data ».' }] };
  const errors: FieldError[] = [];
  const values = await validateFields(form.fields, data as SubmittedData, '', errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}
