/** Dates as French pages write them: "22 novembre 2026", in the authority's time zone. */
const FORMAT = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
const FORMAT_TIME = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

export function frenchDate(iso: string | Date): string {
  return FORMAT.format(new Date(iso));
}

export function frenchDateTime(iso: string | Date): string {
  return FORMAT_TIME.format(new Date(iso));
}

const FORMAT_MONTH = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

/** "mai 2023": a date known to the month only (an anonymised record's). */
export function frenchMonth(iso: string | Date): string {
  return FORMAT_MONTH.format(new Date(iso));
}
