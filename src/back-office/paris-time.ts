/**
 * Times as a clock in Paris shows them, for exports of many rows: asking
 * Intl for every date costs microseconds each (most of an XLSX row's time in
 * a profile of 200,000 rows). The offset from UTC is asked twice per UTC day
 * instead, and per hour on the days the clocks change: France changes them
 * at 01:00 UTC, on the hour, so an offset holds for a whole UTC hour.
 */
const PARIS_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const HOUR = 3_600_000;

/** The offset of Paris from UTC at the start of this UTC hour, asked of Intl (microseconds: the caches below ask rarely). */
function askedOffset(hour: number): number {
  const p = Object.fromEntries(PARIS_PARTS.formatToParts(new Date(hour * HOUR)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) - hour * HOUR;
}

/**
 * UTC day → the offset of the whole day, or NaN on the two days a year the
 * clocks change (then asked per hour). A year of days is 365 entries; the
 * maps are dropped if an export spans centuries.
 */
const dayOffsets = new Map<number, number>();
const hourOffsets = new Map<number, number>();
// The hour asked last: the rows of an export are in date order, so most follow one another within an hour.
let lastHour = Number.NaN;
let lastOffset = 0;

function offsetMs(hour: number): number {
  if (hour === lastHour) return lastOffset;
  const day = Math.floor(hour / 24);
  let offset = dayOffsets.get(day);
  if (offset === undefined) {
    // One change at most in a day, on the hour: the same offset at its first and last hour holds all day.
    const first = askedOffset(day * 24);
    offset = first === askedOffset(day * 24 + 23) ? first : Number.NaN;
    if (dayOffsets.size > 100_000) dayOffsets.clear();
    dayOffsets.set(day, offset);
  }
  if (Number.isNaN(offset)) {
    offset = hourOffsets.get(hour);
    if (offset === undefined) {
      offset = askedOffset(hour);
      if (hourOffsets.size > 100_000) hourOffsets.clear();
      hourOffsets.set(hour, offset);
    }
  }
  lastHour = hour;
  lastOffset = offset;
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

const DAY = 86_400_000;
/** `JJ/MM/AAAA ` of Paris days already written (an export asks for the same few days row after row). */
const dayTexts = new Map<number, string>();

/** `JJ/MM/AAAA HH:MM` in Paris, as French spreadsheets read a date and time. */
export function parisDateTime(d: Date): string {
  const wall = parisWallClockMs(d.getTime());
  const day = Math.floor(wall / DAY);
  let text = dayTexts.get(day);
  if (text === undefined) {
    const w = new Date(day * DAY);
    text = `${two(w.getUTCDate())}/${two(w.getUTCMonth() + 1)}/${w.getUTCFullYear()} `;
    if (dayTexts.size > 100_000) dayTexts.clear();
    dayTexts.set(day, text);
  }
  const minutes = Math.floor((wall - day * DAY) / 60_000);
  return `${text}${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
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
