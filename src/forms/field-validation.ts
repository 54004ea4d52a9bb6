/**
 * One field's value: checked against the register's declaration and
 * normalised (e-mail lower-cased, phone in E.164, dates ISO), with a French
 * message that names the field and says what is expected. Each type takes
 * the JSON type it means (text a string, number a number or a numeric
 * string), and every string the characters of text-rules.ts.
 */
import { fileTypeFromBuffer } from 'file-type';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Field } from '../register/schema.ts';
import { boundDate, isToday, MAX_YEAR, MIN_YEAR, parseDateBound, todayInFrance, type DateBound } from '../register/date-bound.ts';
import { compilePattern } from '../register/field-pattern.ts';
import { maxLengthOf, MAX_FILENAME_LENGTH } from './field-limits.ts';
import { isSubmittedFile, type SubmittedFile, type SubmittedValue } from './submitted-value.ts';
import { characterMessage, characterProblem, stripInvisible } from './text-rules.ts';

export type FieldResult = { ok: true; value: string | number | boolean | SubmittedFile | null } | { ok: false; message: string };

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
/** Longer than any e-mail address, number, date, phone or option value a person types. */
const MAX_SHORT_VALUE = 300;

const fail = (message: string): FieldResult => ({ ok: false, message });
const q = (field: Field) => `« ${field.label} »`;

export function isEmpty(value: SubmittedValue): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
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
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

type Cleaned = { ok: true; value: string } | { ok: false; message: string };

/**
 * A string value as every field type takes it: well-formed, trimmed, without
 * control characters. Single-line values also lose invisible formatting
 * characters (text-rules.ts) and turn a pasted tab into a space; multi-line
 * ones (textarea, address) keep them, as prose in Arabic or Persian needs
 * them, and are shown in a block of their own.
 */
function clean(field: Field, value: string, multiline: boolean): Cleaned {
  // Controls anywhere, even where trimming would hide them (a vertical tab is "white space" to trim()).
  const sent = characterProblem(value, true);
  if (sent) return { ok: false, message: characterMessage(sent, q(field)) };
  const s = (multiline ? value : stripInvisible(value)).trim();
  const problem = characterProblem(s, multiline);
  if (problem) return { ok: false, message: characterMessage(problem, q(field)) };
  return { ok: true, value: (multiline ? s : s.replace(/\t/g, ' ')).normalize('NFC') };
}

/** A string of a single-line type (e-mail, phone, date, select, number), or the message saying what it expects. */
function shortString(field: Field, value: SubmittedValue, expected: string): Cleaned {
  if (typeof value !== 'string') return { ok: false, message: `Le champ ${q(field)} attend ${expected}.` };
  if (value.length > MAX_SHORT_VALUE) return { ok: false, message: `Le champ ${q(field)} est trop long (au plus ${MAX_SHORT_VALUE} caractères).` };
  return clean(field, value, false);
}

const patterns = new WeakMap<Field, RegExp>();

function patternOf(field: Field): RegExp | undefined {
  if (field.pattern === undefined) return undefined;
  let re = patterns.get(field);
  if (!re) patterns.set(field, (re = compilePattern(field.pattern)));
  return re;
}

// Text takes a string only: a JSON number or boolean in a name is a client's mistake, not a name.
function text(field: Field, value: SubmittedValue): FieldResult {
  if (typeof value !== 'string') return fail(`Le champ ${q(field)} attend du texte.`);
  const cleaned = clean(field, value, field.type !== 'text');
  if (!cleaned.ok) return cleaned;
  const s = cleaned.value;
  const max = maxLengthOf(field);
  if (max !== undefined && s.length > max) return fail(`Le champ ${q(field)} ne peut pas dépasser ${max} caractères (actuellement ${s.length}).`);
  const pattern = patternOf(field);
  if (pattern && !pattern.test(s))
    return fail(field.patternMessage ? `Le champ ${q(field)} n'a pas le format attendu : ${field.patternMessage}.` : `Le champ ${q(field)} n'a pas le format attendu.`);
  return { ok: true, value: s };
}

/** The French form of a bound: "aujourd'hui" or "le 14/07/2025". */
function boundText(bound: DateBound, iso: string): string {
  return isToday(bound) ? "aujourd'hui" : `le ${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

export interface BoundDay {
  iso: string;
  /** "aujourd'hui" or "le 14/07/2025". */
  text: string;
}

/** The register's notBefore and notAfter, as dates for today (undefined when absent). */
export function dateBounds(field: Field, today = todayInFrance()): { notBefore?: BoundDay; notAfter?: BoundDay } {
  const out: { notBefore?: BoundDay; notAfter?: BoundDay } = {};
  for (const key of ['notBefore', 'notAfter'] as const) {
    const parsed = field[key] === undefined ? undefined : parseDateBound(field[key]);
    if (parsed?.ok) {
      const iso = boundDate(parsed.bound, today);
      out[key] = { iso, text: boundText(parsed.bound, iso) };
    }
  }
  return out;
}

function date(field: Field, value: SubmittedValue): FieldResult {
  const cleaned = shortString(field, value, 'une date');
  if (!cleaned.ok) return cleaned;
  const iso = parseDate(cleaned.value);
  if (!iso) return fail(`Le champ ${q(field)} doit être une date valide au format JJ/MM/AAAA.`);
  const { notBefore, notAfter } = dateBounds(field);
  if (notBefore && iso < notBefore.iso) return fail(`Le champ ${q(field)} doit être une date au plus tôt ${notBefore.text}.`);
  if (notAfter && iso > notAfter.iso) return fail(`Le champ ${q(field)} doit être une date au plus tard ${notAfter.text}.`);
  return { ok: true, value: iso };
}

/** A JSON number, or a numeric string as an HTML form sends it (a decimal comma allowed). */
function number(field: Field, value: SubmittedValue): FieldResult {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const cleaned = shortString(field, value, 'un nombre');
    if (!cleaned.ok) return cleaned;
    if (/^-?\d{1,15}([.,]\d{1,15})?$/.test(cleaned.value)) n = Number(cleaned.value.replace(',', '.'));
  } else return fail(`Le champ ${q(field)} attend un nombre.`);
  if (!Number.isFinite(n)) return fail(`Le champ ${q(field)} doit être un nombre.`);
  if (field.min !== undefined && n < field.min) return fail(`Le champ ${q(field)} doit être au moins ${field.min}.`);
  if (field.max !== undefined && n > field.max) return fail(`Le champ ${q(field)} doit être au plus ${field.max}.`);
  return { ok: true, value: n };
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
  // The name is shown to agents: no control character, nothing that reorders or hides part of it.
  const problem = characterProblem(value.filename, false);
  if (problem) return fail(`Le nom du fichier joint au champ ${q(field)} contient des caractères non autorisés : renommez le fichier puis joignez-le à nouveau.`);
  const chars = Array.from(stripInvisible(value.filename).normalize('NFC').replace(/[/\\]/g, '_').replace(/\t/g, ' ').trim());
  const filename = chars.slice(-MAX_FILENAME_LENGTH).join('') || 'fichier';
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
      const cleaned = shortString(field, value, 'une adresse électronique');
      if (!cleaned.ok) return cleaned;
      const s = cleaned.value.toLowerCase();
      if (s.length > 254 || !EMAIL.test(s)) return fail(`Le champ ${q(field)} doit être une adresse électronique valide, par exemple nom@exemple.fr.`);
      return { ok: true, value: s };
    }
    case 'phone': {
      const cleaned = shortString(field, value, 'un numéro de téléphone');
      if (!cleaned.ok) return cleaned;
      const phone = cleaned.value.length <= 40 ? parsePhoneNumberFromString(cleaned.value, 'FR') : undefined;
      if (!phone || !phone.isValid()) return fail(`Le champ ${q(field)} doit être un numéro de téléphone valide, par exemple 06 12 34 56 78.`);
      return { ok: true, value: phone.number };
    }
    case 'date':
      return date(field, value);
    case 'number':
      return number(field, value);
    case 'select': {
      const offered = `l'une des valeurs proposées (${field.options?.map((o) => o.label).join(', ')})`;
      const cleaned = shortString(field, value, offered);
      if (!cleaned.ok) return cleaned;
      const option = field.options?.find((o) => o.value === cleaned.value);
      if (!option) return fail(`Le champ ${q(field)} doit être ${offered}.`);
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
