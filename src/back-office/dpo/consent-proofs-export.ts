/**
 * The proofs of consent of a period as CSV for French spreadsheets (the
 * helpers of ../export/: BOM, `;`, formulas neutralised), streamed as the
 * proofs are read page by page, so that memory stays the same whatever the
 * period holds. One column per choice of the register in force (its
 * services, then the audience measurement): « oui », « non », or empty when
 * the proof was made before that service was declared.
 */
import { Readable } from 'node:stream';
import type { ConsentConfig } from '../../consent/consent-config.ts';
import { AUDIENCE } from '../../consent/consent-config.ts';
import type { Proof } from '../../consent/consent-proofs.ts';
import { addMonths, endBeforeStart, frenchDay, readDayField, type PeriodField } from '../period-fields.ts';
import { csvLine } from '../export/csv-export.ts';
import { parisWallClock } from '../paris-time.ts';
import { SOURCE_LABELS } from './consent-proofs-page.ts';

/** An export covers two years at most: a longer one is asked in several. */
export const MAX_YEARS = 2;
/** Lines gathered before each write: fewer, larger chunks, still small. */
const LINES_PER_CHUNK = 500;

export interface ExportForm {
  /** What the date inputs show back: a real day (AAAA-MM-JJ), else nothing (the message quotes what was typed). */
  du: string;
  au: string;
  errors: Array<{ field: PeriodField; message: string }>;
  /** Set when there is no error: from the first instant of `du` in Paris to the first instant after `au`. */
  period?: { from: Date; until: Date; du: string; au: string };
}

/** `?du=…&au=…`, both days included, both required. */
export function readExportPeriod(query: Record<string, unknown>): ExportForm {
  const errors: ExportForm['errors'] = [];
  const du = readDayField(query, 'du', errors, true);
  const au = readDayField(query, 'au', errors, true);
  const shown = { du: du?.iso ?? '', au: au?.iso ?? '' };
  if (!du || !au) return { ...shown, errors };
  if (au.iso < du.iso) errors.push(endBeforeStart(du.iso));
  else if (du.iso <= addMonths(au.iso, -12 * MAX_YEARS))
    errors.push({ field: 'du', message: `La période dépasse ${MAX_YEARS} ans : choisissez une date de début après le ${frenchDay(addMonths(au.iso, -12 * MAX_YEARS))}, ou exportez en plusieurs fois.` });
  if (errors.length > 0) return { ...shown, errors };
  return { ...shown, errors, period: { from: du.start, until: au.next, du: du.iso, au: au.iso } };
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `JJ/MM/AAAA HH:MM:SS` in Paris: to the second, as two choices of one visitor may come within a minute. */
function parisSeconds(d: Date): string {
  const w = parisWallClock(d);
  return `${two(w.getUTCDate())}/${two(w.getUTCMonth() + 1)}/${w.getUTCFullYear()} ${two(w.getUTCHours())}:${two(w.getUTCMinutes())}:${two(w.getUTCSeconds())}`;
}

export function proofsCsv(config: ConsentConfig, proofs: AsyncIterable<Proof>): Readable {
  const names = new Map(config.services.map((s) => [s.id, s.name]));
  const choiceHeaders = config.choiceIds.map((id) => (id === AUDIENCE ? 'Mesure d’audience' : (names.get(id) ?? id)));
  const header = csvLine(['Date (heure de Paris)', 'Identifiant de consentement', 'Source', 'Site', 'Version du registre', 'Empreinte du texte', ...choiceHeaders]);
  const line = (p: Proof) =>
    csvLine([
      parisSeconds(p.at),
      p.consentId,
      SOURCE_LABELS[p.source],
      p.site,
      p.registerVersion,
      p.textHash,
      ...config.choiceIds.map((id) => (id in p.choices ? (p.choices[id] ? 'oui' : 'non') : null)),
    ]);
  async function* produce() {
    yield `\uFEFF${header}`;
    let chunk = '';
    let count = 0;
    for await (const proof of proofs) {
      chunk += line(proof);
      if (++count === LINES_PER_CHUNK) {
        yield chunk;
        chunk = '';
        count = 0;
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(produce(), { objectMode: false });
}
