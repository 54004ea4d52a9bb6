/**
 * The period the dashboard shows, from `?du=…&au=…` (both days included),
 * read with the list filter's date rules (AAAA-MM-JJ from a date picker,
 * JJ/MM/AAAA typed where there is none). Without dates: the last 30 days
 * ending yesterday in Paris, the last day the hourly job has aggregated.
 */
import { parisDay } from '../../audience/visitor-key.ts';
import { frenchDate } from '../../notice/french-date.ts';
import { parseDay } from '../record-filter.ts';

/** Statistics are kept 25 months at most (CNIL): a longer period would show nothing more. */
export const MAX_MONTHS = 25;
const DEFAULT_DAYS = 30;

export type PeriodField = 'du' | 'au';

export interface Period {
  /** First and last day, AAAA-MM-JJ, both included. */
  from: string;
  to: string;
}

export interface PeriodForm {
  /** What the date inputs show back: a real day, else nothing (the message quotes what was typed). */
  du: string;
  au: string;
  errors: Array<{ field: PeriodField; message: string }>;
  /** Set when there is no error. */
  period?: Period;
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

/** Every day from `from` to `to`, both included. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** "6 novembre 2026" for an AAAA-MM-JJ day (noon UTC is that day in Paris). */
export const frenchDay = (iso: string) => frenchDate(`${iso}T12:00:00Z`);

const WHAT: Record<PeriodField, string> = { du: 'la date de début', au: 'la date de fin' };

export function readPeriod(query: Record<string, unknown>, now: Date): PeriodForm {
  const today = parisDay(now);
  const yesterday = addDays(today, -1);
  const errors: PeriodForm['errors'] = [];
  // A repeated parameter arrives as an array: it is no date, and is read as none.
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 100) : '');
  const typed = { du: text(query['du']), au: text(query['au']) };
  const read = (field: PeriodField): string | undefined => {
    const day = parseDay(typed[field]);
    if (day === 'bad') {
      errors.push({ field, message: `« ${typed[field].slice(0, 30)} » n’est pas une date valide : saisissez ${WHAT[field]} au format JJ/MM/AAAA.` });
      return undefined;
    }
    // Today's figures come tomorrow; later days have none at all.
    if (day && day.iso > today)
      errors.push({ field, message: `${WHAT[field][0]!.toUpperCase()}${WHAT[field].slice(1)} ne peut pas être dans le futur : les chiffres d’un jour sont disponibles le lendemain (dernier jour mesuré : le ${frenchDay(yesterday)}).` });
    return day?.iso;
  };
  const du = read('du');
  const au = read('au');
  if (errors.length > 0) return { du: du ?? '', au: au ?? '', errors };
  // A start alone runs to yesterday; an end alone comes after the default 30 days.
  const to = au ?? (du && du > yesterday ? du : yesterday);
  const from = du ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) errors.push({ field: 'au', message: `La date de fin doit être le même jour que la date de début (${frenchDay(from)}) ou après.` });
  else if (from < addMonths(to, -MAX_MONTHS))
    errors.push({ field: 'du', message: `La période dépasse ${MAX_MONTHS} mois, la durée de conservation des statistiques : choisissez une date de début à partir du ${frenchDay(addMonths(to, -MAX_MONTHS))}.` });
  return errors.length > 0 ? { du: from, au: to, errors } : { du: from, au: to, errors, period: { from, to } };
}
