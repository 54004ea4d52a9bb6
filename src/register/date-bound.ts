/**
 * Bounds of a date field (`notBefore`, `notAfter`), fixed or relative to the
 * day of the submission: `today`, a duration before or after today
 * (`-P120Y`, `+P1Y`, ISO 8601 as retention durations are) or a date
 * (`2024-09-01`). A birth date is `notAfter: today`, and `notBefore: -P120Y`
 * catches a year typed as 1026 for 2026.
 */
import { addDuration, type Duration } from './duration.ts';

export type DateBound = { kind: 'fixed'; date: string } | { kind: 'relative'; sign: 1 | -1; duration: Duration };

export type DateBoundResult = { ok: true; bound: DateBound } | { ok: false; problem: string };

const RELATIVE = /^([+-])P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?$/;
const FIXED = /^(\d{4})-(\d{2})-(\d{2})$/;
/** The years a date field accepts at all (as validation does), so that a bound stays among them. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;
const MAX_OFFSET_YEARS = 200;

const EXPECTED = 'une borne de date est attendue : today (aujourd’hui), une durée avant ou après aujourd’hui (-P120Y, +P1Y, -P18Y6M) ou une date AAAA-MM-JJ';

export function parseDateBound(text: unknown): DateBoundResult {
  if (typeof text !== 'string') return { ok: false, problem: EXPECTED };
  const value = text.trim();
  if (value === 'today') return { ok: true, bound: { kind: 'relative', sign: 1, duration: { years: 0, months: 0, weeks: 0, days: 0 } } };
  const fixed = FIXED.exec(value);
  if (fixed) {
    const [y, m, d] = [Number(fixed[1]), Number(fixed[2]), Number(fixed[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, problem: `date « ${value} » impossible` };
    if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, problem: `date « ${value} » hors des années admises (${MIN_YEAR} à ${MAX_YEAR})` };
    return { ok: true, bound: { kind: 'fixed', date: value } };
  }
  const relative = RELATIVE.exec(value);
  if (!relative || value.length === 2) return { ok: false, problem: `borne de date invalide « ${value} » : ${EXPECTED}` };
  const duration: Duration = { years: Number(relative[2] ?? 0), months: Number(relative[3] ?? 0), weeks: Number(relative[4] ?? 0), days: Number(relative[5] ?? 0) };
  if (duration.years + duration.months / 12 + duration.weeks / 52 + duration.days / 365 > MAX_OFFSET_YEARS)
    return { ok: false, problem: `borne de date « ${value} » à plus de ${MAX_OFFSET_YEARS} ans d’aujourd’hui : vérifiez la saisie` };
  if (duration.years + duration.months + duration.weeks + duration.days === 0)
    return { ok: false, problem: `durée nulle « ${value} » : écrivez today pour aujourd’hui` };
  return { ok: true, bound: { kind: 'relative', sign: relative[1] === '-' ? -1 : 1, duration } };
}

/** Built once: a formatter costs far more to make than to use. */
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

let cachedMinute = -1;
let cachedDay = '';

/**
 * The date in France (where the authorities are) of an instant, as YYYY-MM-DD: a citizen's "today" is not UTC's.
 * Asked of Intl once a minute, not on every call: audience hits and submissions ask it on their hot path.
 */
export function todayInFrance(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedDay = PARIS_DAY.format(now);
  }
  return cachedDay;
}

/** The bound as a date (YYYY-MM-DD), for the day `today`. */
export function boundDate(bound: DateBound, today: string): string {
  if (bound.kind === 'fixed') return bound.date;
  const { years, months, weeks, days } = bound.duration;
  const s = bound.sign;
  return addDuration(new Date(`${today}T00:00:00Z`), { years: s * years, months: s * months, weeks: s * weeks, days: s * days }).toISOString().slice(0, 10);
}

export function isToday(bound: DateBound): boolean {
  return bound.kind === 'relative' && bound.duration.years + bound.duration.months + bound.duration.weeks + bound.duration.days === 0;
}
