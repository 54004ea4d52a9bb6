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

/** Lines of cells, each ended by CRLF (written here rather than by a CSV library: this runs for every cell of 200,000 rows). */
function lines(rows: string[][]): string {
  let out = '';
  for (const row of rows) out += `${row.map(quoted).join(';')}\r\n`;
  return out;
}

export function csvStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>): Readable {
  async function* produce() {
    yield `\uFEFF${lines([columns.map((c) => csvCell(c.header))])}`;
    for await (const batch of batches) if (batch.length > 0) yield lines(batch.map((r) => columns.map((c) => csvCell(c.value(r)))));
  }
  return Readable.from(produce(), { objectMode: false });
}
