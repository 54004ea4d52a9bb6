/**
 * ISO 8601 durations as the register uses them (`P2Y`, `P13M`, `P1Y6M`, `P7D`).
 * Retention is counted in calendar units, so time parts (`PT12H`) are refused.
 */

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
}

const PATTERN = /^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?$/;

/** Longest retention accepted: a longer one is almost surely a typo (`P200Y` for `P20Y`). */
export const MAX_RETENTION_YEARS = 99;

export type DurationResult = { ok: true; duration: Duration } | { ok: false; problem: string };

export function parseDuration(text: unknown): DurationResult {
  if (typeof text !== 'string') {
    return { ok: false, problem: 'une durée ISO 8601 est attendue (par exemple P2Y pour 2 ans, P13M pour 13 mois)' };
  }
  const match = PATTERN.exec(text.trim());
  if (!match || text.trim() === 'P') {
    const hint = /T/.test(text)
      ? ' ; les heures et minutes ne sont pas admises, exprimez la durée en jours (P7D)'
      : '';
    return {
      ok: false,
      problem: `durée invalide « ${text} » : une durée ISO 8601 est attendue, par exemple P2Y (2 ans), P13M (13 mois), P1Y6M, P7D (7 jours)${hint}`,
    };
  }
  const [, y, m, w, d] = match;
  const duration: Duration = {
    years: Number(y ?? 0),
    months: Number(m ?? 0),
    weeks: Number(w ?? 0),
    days: Number(d ?? 0),
  };
  if (totalDays(duration) === 0) {
    return { ok: false, problem: `durée nulle « ${text} » : une durée de conservation doit être d'au moins un jour` };
  }
  if (totalDays(duration) > MAX_RETENTION_YEARS * 366) {
    return { ok: false, problem: `durée « ${text} » supérieure à ${MAX_RETENTION_YEARS} ans : vérifiez la saisie` };
  }
  return { ok: true, duration };
}

/** Approximate length in days, for comparisons and sanity bounds only (never for expiry dates). */
export function totalDays(d: Duration): number {
  return d.years * 365.25 + d.months * 30.44 + d.weeks * 7 + d.days;
}

function unit(n: number, singular: string, plural: string): string {
  return `${n} ${n > 1 ? plural : singular}`;
}

/** "2 ans", "1 an et 6 mois", "13 mois", "1 semaine", "7 jours". */
export function durationInFrench(d: Duration): string {
  const parts: string[] = [];
  if (d.years) parts.push(unit(d.years, 'an', 'ans'));
  if (d.months) parts.push(`${d.months} mois`);
  if (d.weeks) parts.push(unit(d.weeks, 'semaine', 'semaines'));
  if (d.days) parts.push(unit(d.days, 'jour', 'jours'));
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} et ${parts[parts.length - 1]}`;
}

/** For callers that hold a duration already validated by the schema. */
export function frenchDuration(text: string): string {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(`unvalidated duration ${text}`);
  return durationInFrench(result.duration);
}

/** Adds a duration to a date in calendar terms (UTC), clamping to the month's end (31 Jan + 1 month = 28/29 Feb). */
export function addDuration(date: Date, d: Duration): Date {
  const targetMonth = date.getUTCMonth() + d.months + d.years * 12;
  const result = new Date(date.getTime());
  result.setUTCDate(1);
  result.setUTCFullYear(date.getUTCFullYear(), targetMonth, 1);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  result.setUTCDate(result.getUTCDate() + d.weeks * 7 + d.days);
  return result;
}
