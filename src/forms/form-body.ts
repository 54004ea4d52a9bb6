/**
 * A posted HTML form (multipart/form-data) read into the shape validation
 * takes: `nom`, and `enfants[0][nom]` as `{enfants: [{nom}]}`. Control
 * fields start with `_`, which no register field name can. Limits come from
 * the form's declaration, so a request cannot make the server hold more than
 * the form can legitimately carry; a file over its limit is reported for its
 * field instead of failing the whole request.
 */
import type { FastifyRequest } from 'fastify';
import type { Field, Form } from '../register/schema.ts';
import { formatBytes } from './field-validation.ts';
import { maxLengthOf } from './field-limits.ts';
import { isSubmittedFile, type FieldError, type SubmittedData, type SubmittedValue } from './submitted-value.ts';
import { stripInvisible } from './text-rules.ts';

export interface PostedForm {
  data: SubmittedData;
  action: string;
  token: string | undefined;
  draftToken: string | undefined;
  /** Paths of the files that were chosen, with their names: none is kept across a re-render. */
  files: Map<string, string>;
  /** Errors found while reading (a file over its limit), by field path. */
  errors: FieldError[];
  /** Set when the request itself could not be read whole (too many parts, not multipart). */
  unreadable?: string;
}

const NAME = /^([a-zA-Z][a-zA-Z0-9_]{0,63})(?:\[(\d{1,2})\]\[([a-zA-Z][a-zA-Z0-9_]{0,63})\])?$/;
const ROWS = /^_rows\[([a-zA-Z][a-zA-Z0-9_]{0,63})\]$/;
/** Room for the control fields and for reporting a few undeclared ones. */
const SPARE_FIELDS = 40;

interface Limits {
  fileSize: number;
  files: number;
  fields: number;
  fieldSize: number;
}

/** What the form can carry at most: every row of every group filled in. */
export function bodyLimits(form: Form): Limits {
  let fields = SPARE_FIELDS;
  let files = 0;
  let fileSize = 1;
  let longest = 100;
  const count = (list: readonly Field[], times: number) => {
    for (const f of list) {
      if (f.type === 'group') count(f.fields ?? [], (f.repeat?.max ?? 1) * times);
      else if (f.type === 'file') {
        files += times;
        fileSize = Math.max(fileSize, f.maxBytes ?? 1);
      } else {
        fields += times;
        longest = Math.max(longest, maxLengthOf(f) ?? 100);
      }
    }
  };
  count(form.fields, 1);
  // UTF-8 takes up to 4 bytes a character; one more so that an over-long value is seen as such.
  return { fileSize, files, fields: fields + 60, fieldSize: longest * 4 + 1024 };
}

function fieldByPath(form: Form, path: string): Field | undefined {
  const [top, , sub] = path.split(/[[\].]+/);
  const field = form.fields.find((f) => f.name === top);
  return sub ? field?.fields?.find((f) => f.name === sub) : field;
}

/** Sets an own property, even one named `__proto__`, never the object's prototype. */
function define(o: Record<string, SubmittedValue>, key: string, value: SubmittedValue): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function put(data: SubmittedData, name: string, value: SubmittedValue): string {
  const m = NAME.exec(name);
  if (!m) {
    // Anything else is kept as sent, so that validation refuses it as undeclared.
    define(data, name, value);
    return name;
  }
  const [, top, index, sub] = m as unknown as [string, string, string | undefined, string | undefined];
  if (index === undefined || sub === undefined) {
    // A name sent twice becomes a list, which the field refuses (`toString` is nobody's value); so in a row.
    const existing = Object.hasOwn(data, top) ? data[top] : undefined;
    data[top] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    return top;
  }
  const rows = Object.hasOwn(data, top) && Array.isArray(data[top]) ? (data[top] as SubmittedValue[]) : (data[top] = []);
  const i = Number(index);
  while (rows.length <= i) rows.push({});
  const row = rows[i];
  // A row is an object unless `enfants[0]` was also sent as a plain field: then the row is kept as sent, and refused.
  if (row && typeof row === 'object' && !Array.isArray(row) && !isSubmittedFile(row)) {
    const cells = row as Record<string, SubmittedValue>;
    const existing = Object.hasOwn(cells, sub) ? cells[sub] : undefined;
    define(cells, sub, existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]);
  }
  return `${top}[${i}].${sub}`;
}

/** Reads the posted form; never throws for what a client sends. */
export async function readPostedForm(request: FastifyRequest, form: Form): Promise<PostedForm> {
  const posted: PostedForm = { data: {}, action: 'submit', token: undefined, draftToken: undefined, files: new Map(), errors: [] };
  const rowCounts = new Map<string, number>();
  if (!request.isMultipart()) return { ...posted, unreadable: 'Le formulaire doit être envoyé en multipart/form-data.' };
  const limits = bodyLimits(form);
  try {
    for await (const part of request.parts({ limits })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.filename === '' && bytes.length === 0) continue; // a file input left empty
        const path = put(posted.data, part.fieldname, { kind: 'file', filename: part.filename, bytes });
        // The name is shown again on a re-render: never reversed or hidden (validation refuses worse).
        posted.files.set(path, stripInvisible(part.filename.toWellFormed()));
        const field = fieldByPath(form, path);
        if (part.file.truncated && field) {
          posted.errors.push({
            field: path,
            message: `Le fichier joint au champ « ${field.label} » est trop volumineux (au plus ${formatBytes(field.maxBytes ?? limits.fileSize)}).`,
          });
        }
        continue;
      }
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      if (part.fieldname === '_csrf') posted.token = value;
      else if (part.fieldname === '_action') posted.action = value;
      else if (part.fieldname === '_draft') posted.draftToken = value;
      else if (ROWS.test(part.fieldname)) rowCounts.set(ROWS.exec(part.fieldname)![1]!, Math.min(99, Number.parseInt(value, 10) || 0));
      else {
        const path = put(posted.data, part.fieldname, value);
        const field = fieldByPath(form, path);
        if (part.valueTruncated && field)
          posted.errors.push({ field: path, message: `Le champ « ${field.label} » est trop long (au plus ${maxLengthOf(field) ?? limits.fieldSize} caractères).` });
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    posted.unreadable = /LIMIT/.test(code)
      ? 'Le formulaire envoyé contient plus de champs ou de fichiers que cette démarche n’en prévoit.'
      : 'Le formulaire n’a pas pu être lu en entier : réessayez.';
  }
  // Rows whose every field was left empty (unchecked boxes only) still count.
  for (const [group, count] of rowCounts) {
    const field = form.fields.find((f) => f.name === group && f.type === 'group');
    if (!field) continue;
    const rows = Array.isArray(posted.data[group]) ? (posted.data[group] as SubmittedValue[]) : [];
    while (rows.length < count) rows.push({});
    posted.data[group] = rows;
  }
  return posted;
}
