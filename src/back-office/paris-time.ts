/**
 * Times as a clock in Paris shows them, for exports of many rows: asking
 * Intl for every date costs microseconds each (most of an XLSX row's time in
 * a profile of 200,000 rows). The offset from UTC is asked once per UTC hour
 * instead: France changes its clocks at 01:00 UTC, on the hour, so an offset
 * holds for a whole UTC hour.
 */
const PARIS_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const HOUR = 3_600_000;
const offsets = new Map<number, number>();

function offsetMs(hour: number): number {
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const p = Object.fromEntries(PARIS_PARTS.formatToParts(new Date(hour * HOUR)).map((x) => [x.type, Number(x.value)]));
    offset = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) - hour * HOUR;
    // A year of hours is 8,760 entries: the map stays small, and is dropped if an export spans decades.
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/** The same instant's Paris wall clock, to the second, as milliseconds of a UTC date (no Date made: exports call it per cell). */
export function parisWallClockMs(ms: number): number {
  return Math.floor((ms + offsetMs(Math.floor(ms / HOUR))) / 1000) * 1000;
}

/** The same instant's Paris wall clock, to the second, as a UTC date (spreadsheet dates have no time zone). */
export function parisWallClock(d: Date): Date {
  return new Date(parisWallClockMs(d.getTime()));
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `JJ/MM/AAAA HH:MM` in Paris, as French spreadsheets read a date and time. */
export function parisDateTime(d: Date): string {
  const w = parisWallClock(d);
  return `${two(w.getUTCDate())}/${two(w.getUTCMonth() + 1)}/${w.getUTCFullYear()} ${two(w.getUTCHours())}:${two(w.getUTCMinutes())}`;
}

/**
 * The instant a Paris clock shows 00:00 on that day (month 1 to 12; days
 * past the month's end roll over, as Date.UTC does). Clocks change at 01:00
 * UTC, never near Paris midnight (22:00 or 23:00 UTC the day before), so the
 * offset of 22:00 UTC that day before is the one in force at midnight.
 */
export function parisMidnight(year: number, month: number, day: number): Date {
  const utcMidnight = Date.UTC(year, month - 1, day);
  return new Date(utcMidnight - offsetMs(Math.floor((utcMidnight - 2 * HOUR) / HOUR)));
}
