/**
 * The period the dashboard shows, from `?du=…&au=…` (both days included),
 * read with the list filter's date rules (AAAA-MM-JJ from a date picker,
 * JJ/MM/AAAA typed where there is none). Without dates: the last 30 days
 * ending yesterday in Paris, the last day the hourly job has aggregated.
 */
import { todayInFrance } from '../../register/date-bound.ts';
import { addDays, addMonths, endBeforeStart, FIELD_WORDS, readDayField, type PeriodField } from '../period-fields.ts';

export { addDays, addMonths, frenchDay, type PeriodField } from '../period-fields.ts';
import { frenchDay } from '../period-fields.ts';

/** Statistics are kept 25 months at most (CNIL): a longer period would show nothing more. */
export const MAX_MONTHS = 25;
const DEFAULT_DAYS = 30;


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

/** Every day from `from` to `to`, both included. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) days.push(day);
  return days;
}

export function readPeriod(query: Record<string, unknown>, now: Date): PeriodForm {
  const today = todayInFrance(now);
  const yesterday = addDays(today, -1);
  const errors: PeriodForm['errors'] = [];
  const read = (field: PeriodField): string | undefined => {
    const day = readDayField(query, field, errors, false);
    // Today's figures come tomorrow; later days have none at all.
    if (day && day.iso > today)
      errors.push({ field, message: `${FIELD_WORDS[field][0]!.toUpperCase()}${FIELD_WORDS[field].slice(1)} ne peut pas être dans le futur : les chiffres d’un jour sont disponibles le lendemain (dernier jour mesuré : le ${frenchDay(yesterday)}).` });
    return day?.iso;
  };
  const du = read('du');
  const au = read('au');
  if (errors.length > 0) return { du: du ?? '', au: au ?? '', errors };
  // A start alone runs to yesterday; an end alone comes after the default 30 days.
  const to = au ?? (du && du > yesterday ? du : yesterday);
  const from = du ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) errors.push(endBeforeStart(from));
  else if (from < addMonths(to, -MAX_MONTHS))
    errors.push({ field: 'du', message: `La période dépasse ${MAX_MONTHS} mois, la durée de conservation des statistiques : choisissez une date de début à partir du ${frenchDay(addMonths(to, -MAX_MONTHS))}.` });
  return errors.length > 0 ? { du: from, au: to, errors } : { du: from, au: to, errors, period: { from, to } };
}
