/**
 * Test helpers for the citizen forms: valid sample values for any declared
 * field, and a client that opens a form (session cookie and CSRF token) and
 * posts it as a browser would (multipart/form-data).
 */
import type { Field, Form } from '../register/schema.ts';

/** A real 1×1 PNG and a minimal PDF: uploads are checked by content, not by name. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0b1f3a20000000049454e44ae426082',
  'hex',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export type Sample =
  | { kind: 'text'; value: string }
  | { kind: 'select'; value: string }
  | { kind: 'check' }
  | { kind: 'file'; name: string; mimeType: string; buffer: Buffer };

/** A valid value for a field, whatever its type and limits. */
export function sampleFor(field: Field): Sample {
  const max = field.maxLength ?? 200;
  switch (field.type) {
    case 'email':
      return { kind: 'text', value: 'camille.martin@exemple.fr' };
    case 'phone':
      return { kind: 'text', value: '06 12 34 56 78' };
    case 'date':
      return { kind: 'text', value: '2015-07-14' };
    case 'number':
      return { kind: 'text', value: String(field.min ?? field.max ?? 1) };
    case 'select':
      return { kind: 'select', value: field.options![0]!.value };
    case 'checkbox':
      return { kind: 'check' };
    case 'file':
      return field.accept?.includes('image/png')
        ? { kind: 'file', name: 'photo.png', mimeType: 'image/png', buffer: PNG }
        : { kind: 'file', name: 'piece.pdf', mimeType: 'application/pdf', buffer: PDF };
    default: {
      if (max < 12) return { kind: 'text', value: '12345678901'.slice(0, max) };
      const text = field.type === 'textarea' || field.type === 'address' ? `${field.label} : texte d’essai, sur deux lignes.\nSeconde ligne.` : `Essai ${field.label}`;
      return { kind: 'text', value: text.slice(0, max) };
    }
  }
}

/** Rows a test fills for a group: two when the group allows it (exercising "add a row"), else its maximum. */
export function rowsToFill(field: Field): number {
  const max = field.repeat?.max ?? 1;
  return Math.min(max, Math.max(2, field.repeat?.min ?? 0));
}

function append(body: FormData, name: string, sample: Sample): void {
  if (sample.kind === 'file') body.append(name, new Blob([new Uint8Array(sample.buffer)], { type: sample.mimeType }), sample.name);
  else body.append(name, sample.kind === 'check' ? 'on' : sample.value);
}

/** A valid value of a field, as the JSON API takes it. */
export function jsonSample(field: Field): unknown {
  const s = sampleFor(field);
  if (s.kind === 'check') return true;
  if (s.kind === 'file') return { filename: s.name, contentBase64: s.buffer.toString('base64') };
  return s.value;
}

export function validRow(group: Field): Record<string, unknown> {
  return Object.fromEntries((group.fields ?? []).map((f) => [f.name, jsonSample(f)]));
}

/** The JSON body of a valid submission of the form, every field filled. */
export function validData(form: Form): Record<string, unknown> {
  return Object.fromEntries(form.fields.map((f) => [f.name, f.type === 'group' ? Array.from({ length: rowsToFill(f) }, () => validRow(f)) : jsonSample(f)]));
}

/** The multipart body a browser would send for the form filled with valid samples. */
export function validFormData(form: Form, overrides: Record<string, string | Sample | null> = {}): FormData {
  const body = new FormData();
  const add = (name: string, field: Field) => {
    if (name in overrides) {
      const o = overrides[name]!;
      if (o === null) return;
      append(body, name, typeof o === 'string' ? { kind: 'text', value: o } : o);
    } else append(body, name, sampleFor(field));
  };
  for (const field of form.fields) {
    if (field.type !== 'group') {
      add(field.name, field);
      continue;
    }
    const rows = rowsToFill(field);
    body.append(`_rows[${field.name}]`, String(rows));
    for (let i = 0; i < rows; i++) for (const sub of field.fields ?? []) add(`${field.name}[${i}][${sub.name}]`, sub);
  }
  return body;
}

export interface OpenedForm {
  cookie: string;
  token: string;
  html: string;
}

/** GET the form page as a browser: its session cookie and the CSRF token of the page. */
export async function openForm(baseUrl: string, path: string, cookie?: string): Promise<OpenedForm> {
  const res = await fetch(baseUrl + path, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const set = res.headers.get('set-cookie');
  // The form's own token: a page may hold other forms before it (a media placeholder's « Autoriser »).
  const token = /name="_csrf" value="([^"]+)"/.exec(html.slice(Math.max(0, html.indexOf('<form class="demarche"'))))?.[1];
  if (!token) throw new Error(`no CSRF token in ${path} (${res.status})`);
  return { cookie: set ? set.split(';')[0]! : (cookie ?? ''), token, html };
}

/** POST a form body with the session cookie and token (pass `token: ''` to leave it out). */
export async function postForm(baseUrl: string, path: string, opened: { cookie: string; token: string }, body: FormData, action = 'submit'): Promise<{ status: number; html: string; headers: Headers }> {
  if (opened.token) body.set('_csrf', opened.token);
  body.set('_action', action);
  const res = await fetch(baseUrl + path, { method: 'POST', body, headers: opened.cookie ? { cookie: opened.cookie } : {}, redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** The tracking code shown on a confirmation page. */
export function trackingCodeIn(html: string): string | undefined {
  return /class="tracking-code"><code>([0-9A-Z-]{14})<\/code>/.exec(html)?.[1];
}

export function formOf(forms: readonly Form[], id: string): Form {
  const form = forms.find((f) => f.id === id);
  if (!form) throw new Error(`no form ${id}`);
  return form;
}
