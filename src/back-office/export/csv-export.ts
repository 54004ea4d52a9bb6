/**
 * CSV as French spreadsheet software opens it: UTF-8 with a byte-order mark
 * (without it, accents are garbled), `;` between cells (`,` is the decimal
 * separator), CRLF between lines. A cell a citizen typed that starts like a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed with `'`,
 * so the spreadsheet shows it as text and never runs it.
 */
import { Readable } from 'node:stream';
import type { Cell, Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';
import { parisDateTime } from '../paris-time.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
/** A cell holding one of these is quoted (RFC 4180), its quotes doubled. */
const NEEDS_QUOTES = /[;"\r\n]/;

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return parisDateTime(cell);
  if (typeof cell === 'number') return String(cell).replace('.', ',');
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const quoted = (text: string) => (NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One line of cells, ended by CRLF. */
export const csvLine = (cells: readonly Cell[]) => `${cells.map((c) => quoted(csvCell(c))).join(';')}\r\n`;

/**
 * Chunks of at most about 16 KB: a string past V8's regular object size
 * (128 KB) is born in the old generation and lives there until a full
 * collection, so one string per batch of 1,000 rows made the resident
 * memory grow with the file; short strings die young instead.
 */
export const CHUNK_CHARS = 16_384;

export function csvStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>): Readable {
  async function* produce() {
    let out = `\uFEFF${csvLine(columns.map((c) => c.header))}`;
    for await (const batch of batches)
      for (const r of batch) {
        // Cell by cell into the chunk: no array per row (this runs 200,000 times).
        for (let i = 0; i < columns.length; i++) out += (i === 0 ? '' : ';') + quoted(csvCell(columns[i]!.value(r)));
        out += '\r\n';
        if (out.length >= CHUNK_CHARS) {
          yield out;
          out = '';
        }
      }
    if (out !== '') yield out;
  }
  return Readable.from(produce(), { objectMode: false });
}
