/**
 * One field's value: checked against the register's declaration and
 * normalised (e-mail lower-cased, phone in E.164, dates ISO), with a French
 * message that names the field and says what is expected.
 */
import { fileTypeFromBuffer } from 'file-type';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Field } from '../register/schema.ts';
import { maxLengthOf, MAX_FILENAME_LENGTH } from './field-limits.ts';
import { isSubmittedFile, type SubmittedFile, type SubmittedValue } from './submitted-value.ts';

export type FieldResult = { ok: true; value: string | number | boolean | SubmittedFile | null } | { ok: false; message: string };

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
// Text fields accept tabs and line breaks, nothing else below U+0020.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const fail = (message: string): FieldResult => ({ ok: false, message });
const q = (field: Field) => `« ${field.label} »`;

export function isEmpty(value: SubmittedValue): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** Dates as ISO (2026-02-28, what <input type="date"> sends) or French (28/02/2026); 31/02 is refused. */
export function parseDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : fr ? [fr[3], fr[2], fr[1]] : [];
  if (!y || !m || !d) return undefined;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1900 || year > 2100) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function text(field: Field, value: SubmittedValue): FieldResult {
  if (typeof value !== 'string' && typeof value !== 'number') return fail(`Le champ ${q(field)} attend du texte.`);
  const s = String(value).trim().normalize('NFC');
  const max = maxLengthOf(field);
  if (max !== undefined && s.length > max) return fail(`Le champ ${q(field)} ne peut pas dépasser ${max} caractères (actuellement ${s.length}).`);
  if (CONTROL.test(s)) return fail(`Le champ ${q(field)} contient des caractères non autorisés.`);
  return { ok: true, value: s };
}

async function file(field: Field, value: SubmittedValue): Promise<FieldResult> {
  if (!isSubmittedFile(value)) return fail(`Le champ ${q(field)} attend un fichier.`);
  const accepted = field.accept ?? [];
  const max = field.maxBytes ?? 0;
  if (value.bytes.length === 0) return fail(`Le fichier joint au champ ${q(field)} est vide.`);
  if (value.bytes.length > max)
    return fail(`Le fichier joint au champ ${q(field)} est trop volumineux (${formatBytes(value.bytes.length)} ; au plus ${formatBytes(max)}).`);
  // The declared type and the extension are not trusted: the content decides.
  const detected = await fileTypeFromBuffer(value.bytes);
  if (!detected || !accepted.includes(detected.mime))
    return fail(`Le fichier joint au champ ${q(field)} n'est pas d'un type accepté (${accepted.map(typeName).join(', ')}).`);
  const filename = value.filename.replace(/[\u0000-\u001F\u007F/\\]/g, '_').slice(-MAX_FILENAME_LENGTH) || 'fichier';
  return { ok: true, value: { kind: 'file', filename, bytes: value.bytes, mediaType: detected.mime } };
}

export function typeName(mime: string): string {
  const names: Record<string, string> = {
    'application/pdf': 'PDF',
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/webp': 'WebP',
    'application/vnd.oasis.opendocument.text': 'ODT',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  };
  return names[mime] ?? mime;
}

export function formatBytes(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
  return `${Math.max(1, Math.round(n / 1000)).toLocaleString('fr-FR')} ko`;
}

/** Validates a non-group field whose value is not empty. */
export async function validateFieldValue(field: Field, value: SubmittedValue): Promise<FieldResult> {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'address':
      return text(field, value);
    case 'email': {
      if (typeof value !== 'string') return fail(`Le champ ${q(field)} attend une adresse électronique.`);
      const s = value.trim().toLowerCase();
      if (s.length > 254 || !EMAIL.test(s)) return fail(`Le champ ${q(field)} doit être une adresse électronique valide, par exemple nom@exemple.fr.`);
      return { ok: true, value: s };
    }
    case 'phone': {
      if (typeof value !== 'string' || value.length > 40) return fail(`Le champ ${q(field)} attend un numéro de téléphone.`);
      const phone = parsePhoneNumberFromString(value.trim(), 'FR');
      if (!phone || !phone.isValid()) return fail(`Le champ ${q(field)} doit être un numéro de téléphone valide, par exemple 06 12 34 56 78.`);
      return { ok: true, value: phone.number };
    }
    case 'date': {
      const iso = typeof value === 'string' ? parseDate(value.trim()) : undefined;
      if (!iso) return fail(`Le champ ${q(field)} doit être une date valide au format JJ/MM/AAAA.`);
      return { ok: true, value: iso };
    }
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+([.,]\d+)?$/.test(value.trim()) ? Number(value.trim().replace(',', '.')) : NaN;
      if (!Number.isFinite(n)) return fail(`Le champ ${q(field)} doit être un nombre.`);
      if (field.min !== undefined && n < field.min) return fail(`Le champ ${q(field)} doit être au moins ${field.min}.`);
      if (field.max !== undefined && n > field.max) return fail(`Le champ ${q(field)} doit être au plus ${field.max}.`);
      return { ok: true, value: n };
    }
    case 'select': {
      const option = field.options?.find((o) => o.value === String(value));
      if (!option || typeof value === 'object') return fail(`Le champ ${q(field)} doit être l'une des valeurs proposées (${field.options?.map((o) => o.label).join(', ')}).`);
      return { ok: true, value: option.value };
    }
    case 'checkbox': {
      if (value === true || value === 'on' || value === 'true' || value === '1') return { ok: true, value: true };
      if (value === false || value === 'false' || value === '0') return { ok: true, value: false };
      return fail(`Le champ ${q(field)} attend oui ou non.`);
    }
    case 'file':
      return file(field, value);
    case 'group':
      return fail(`Le champ ${q(field)} est un groupe.`);
  }
}
