/**
 * XLSX written as a stream (exceljs's streaming writer, without a shared
 * string table, which would grow with the file): each row is committed and
 * forgotten, and the writer waits whenever the client reads slower than the
 * database gives. Cells are typed (text, number, date), so nothing a citizen
 * typed can become a formula.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';

const PARIS_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** Spreadsheet dates have no time zone: write the time as a clock in Paris shows it. */
export function parisWallClock(d: Date): Date {
  const p = Object.fromEntries(PARIS_PARTS.formatToParts(d).map((x) => [x.type, Number(x.value)]));
  return new Date(Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!));
}

const xlsxCell = (cell: Cell) => (cell instanceof Date ? parisWallClock(cell) : cell);

export function xlsxStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>, sheetName: string, onError: (error: unknown) => void): Readable {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet(sheetName.slice(0, 31).replace(/[\\/?*[\]:]/g, ' ') || 'Demandes', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width, style: c.header.endsWith(' le') ? { numFmt: 'dd/mm/yyyy hh:mm' } : {} }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  (async () => {
    for await (const batch of batches) {
      for (const r of batch) sheet.addRow(columns.map((c) => xlsxCell(c.value(r)))).commit();
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
    await book.commit();
  })().catch((error: unknown) => {
    onError(error);
    out.destroy(error instanceof Error ? error : new Error('export failed'));
  });
  return out;
}
