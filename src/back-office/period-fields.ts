/**
 * A period of days asked in a back-office form (`?du=…&au=…`, both days
 * included), as the audience dashboard and the DPO's export of consent
 * proofs read it: the list filter's date rules (parseDay), the same French
 * messages on the same fields, and the day arithmetic they share.
 */
import { frenchDate } from '../notice/french-date.ts';
import { html, type Html } from '../web/html.ts';
import { parseDay } from './record-filter.ts';

export type PeriodField = 'du' | 'au';

export interface PeriodError {
  field: PeriodField;
  message: string;
}

export const FIELD_WORDS: Record<PeriodField, string> = { du: 'la date de début', au: 'la date de fin' };

/** A day typed in one field, or undefined (left empty, or not a day: then its message is in `errors`). */
export function readDayField(query: Record<string, unknown>, field: PeriodField, errors: PeriodError[], required: boolean): ReturnType<typeof parseDay> & object | undefined {
  // A repeated parameter arrives as an array: it is no date, and is read as none.
  const typed = typeof query[field] === 'string' ? query[field].trim().slice(0, 100) : '';
  const day = parseDay(typed);
  if (day === 'bad') errors.push({ field, message: `« ${typed.slice(0, 30)} » n’est pas une date valide : saisissez ${FIELD_WORDS[field]} au format JJ/MM/AAAA.` });
  else if (day === undefined && required) errors.push({ field, message: `Saisissez ${FIELD_WORDS[field]} au format JJ/MM/AAAA.` });
  return day === 'bad' ? undefined : day;
}

/** The message of an end before its start, on the end's field. */
export function endBeforeStart(from: string): PeriodError {
  return { field: 'au', message: `La date de fin doit être le même jour que la date de début (${frenchDay(from)}) ou après.` };
}

const parts = (iso: string) => iso.split('-').map(Number) as [number, number, number];
const isoOf = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(iso: string, days: number): string {
  const [y, m, d] = parts(iso);
  return isoOf(new Date(Date.UTC(y, m - 1, d + days)));
}

/** The same day `months` later (or earlier), the 31st becoming the month's last day. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = parts(iso);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return isoOf(new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))));
}

/** "6 novembre 2026" for an AAAA-MM-JJ day (noon UTC is that day in Paris). */
export const frenchDay = (iso: string) => frenchDate(`${iso}T12:00:00Z`);

/** One date input of a period form, its hint and its error tied to it (RGAA 11.10). */
export function dayInput(form: { du: string; au: string; errors: readonly PeriodError[] }, field: PeriodField, label: string, required: boolean): Html {
  const error = form.errors.find((e) => e.field === field);
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${field}">${label}</label>
<p class="hint" id="${field}-hint">Format : JJ/MM/AAAA.</p>
${error ? html`<p class="error-message" id="${field}-error"><span class="visually-hidden">Erreur : </span>${error.message}</p>` : ''}
<input type="date" id="${field}" name="${field}" value="${form[field]}"${required ? html` required` : ''} aria-describedby="${field}-hint${error ? ` ${field}-error` : ''}"${error ? html` aria-invalid="true"` : ''}></div>`;
}
