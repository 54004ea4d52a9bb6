/**
 * CSV as French spreadsheet software opens it: UTF-8 with a byte-order mark
 * (without it, accents are garbled), `;` between cells (`,` is the decimal
 * separator), CRLF between lines. A cell a citizen typed that starts like a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed with `'`,
 * so the spreadsheet shows it as text and never runs it.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Cell, Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const PARIS = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return PARIS.format(cell).replace(',', '');
  if (typeof cell === 'number') return String(cell).replace('.', ',');
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const lines = (rows: string[][]) => stringify(rows, { delimiter: ';', record_delimiter: '\r\n' });

export function csvStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>): Readable {
  async function* produce() {
    yield `\uFEFF${lines([columns.map((c) => csvCell(c.header))])}`;
    for await (const batch of batches) if (batch.length > 0) yield lines(batch.map((r) => columns.map((c) => csvCell(c.value(r)))));
  }
  return Readable.from(produce(), { objectMode: false });
}
