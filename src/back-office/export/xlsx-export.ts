/**
 * XLSX written as a stream (exceljs's streaming writer, without a shared
 * string table, which would grow with the file): each row is committed and
 * forgotten, and the writer waits whenever the client reads slower than the
 * database gives. Cells are typed (text, number, date), so nothing a citizen
 * typed can become a formula.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { Cell, Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';
import { parisWallClock } from './paris-time.ts';

const xlsxCell = (cell: Cell) => (cell instanceof Date ? parisWallClock(cell) : cell);

export function xlsxStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>, sheetName: string, onError: (error: unknown) => void): Readable {
  const out = new PassThrough();
  (async () => {
    // Loaded on the first XLSX export: a server that never writes one does not carry exceljs in memory.
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = book.addWorksheet(sheetName.slice(0, 31).replace(/[\\/?*[\]:]/g, ' ') || 'Demandes', { views: [{ state: 'frozen', ySplit: 1 }] });
    // One style object per column, given to each of its cells: exceljs recognises an object it has seen
    // (a WeakMap), where a fresh one per cell made it render and look up the style for every cell.
    const styles = columns.map((c) => (c.header.endsWith(' le') ? { numFmt: 'dd/mm/yyyy hh:mm' } : {}));
    sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width, style: styles[i]! }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    for await (const batch of batches) {
      for (const r of batch) {
        const row = sheet.addRow(columns.map((c) => xlsxCell(c.value(r))));
        row.eachCell({ includeEmpty: true }, (cell, n) => {
          cell.style = styles[n - 1]!;
        });
        row.commit();
      }
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
