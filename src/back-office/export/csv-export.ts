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
import { ByteChunks } from './byte-chunks.ts';
import { parisDateTime } from '../paris-time.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
/** A cell holding one of these is quoted (RFC 4180), its quotes doubled. */
const NEEDS_QUOTES = /[;"\r\n]/;
const SEMICOLON = 0x3b;
const CR = 0x0d;
const LF = 0x0a;

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return parisDateTime(cell);
  if (typeof cell === 'number') return String(cell).replace('.', ',');
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const quoted = (text: string) => (NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One line of cells, ended by CRLF. */
export const csvLine = (cells: readonly Cell[]) => `${cells.map((c) => quoted(csvCell(c))).join(';')}\r\n`;

export function csvStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>): Readable {
  async function* produce() {
    const out = new ByteChunks();
    out.text(`\uFEFF${csvLine(columns.map((c) => c.header))}`);
    for await (const batch of batches)
      for (const r of batch) {
        // Cell by cell into the buffer: no string per row (this runs 200,000 times).
        for (let i = 0; i < columns.length; i++) {
          if (i > 0) out.byte(SEMICOLON);
          const cell = columns[i]!.value(r);
          if (cell !== null) out.text(quoted(csvCell(cell)));
        }
        out.byte(CR);
        out.byte(LF);
        for (const piece of out.take()) yield piece;
      }
    for (const piece of out.end()) yield piece;
  }
  return Readable.from(produce(), { objectMode: false });
}
