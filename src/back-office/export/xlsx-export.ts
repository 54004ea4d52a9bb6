/**
 * XLSX written as a stream: the sheet's XML is produced here row by row and
 * deflated into the zip as it goes (zip-stream.ts), the other parts are a few fixed
 * lines. Written for this export rather than through a spreadsheet library:
 * exceljs built an object per cell and spent twice the CSV's time per row.
 * Cells are typed (inline text, number, date with a French format), so
 * nothing a citizen typed can become a formula; the writer waits whenever
 * the client reads slower than the database gives.
 */
import type { Readable } from 'node:stream';
import type { Cell, Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';
import { ByteChunks } from './byte-chunks.ts';
import { parisWallClock, parisWallClockMs } from '../paris-time.ts';
import { ZipStream } from './zip-stream.ts';

/** Excel refuses to open a file with a longer cell. */
const MAX_CELL = 32_767;
const HEADER_STYLE = 1;
const DATE_STYLE = 2;
/** Days between 1899-12-30 (Excel's day 0) and 1970-01-01. */
const EPOCH_DAYS = 25_569;

// Characters XML 1.0 cannot hold at all (a file holding one does not open): dropped.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_SPECIAL = /[&<>"]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Anything either replacement below would touch; most cells hold none, and skip both. */
const NEEDS_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF&<>"]/;

export function xmlText(text: string): string {
  const cut = text.length > MAX_CELL ? text.slice(0, MAX_CELL) : text;
  return NEEDS_WORK.test(cut) ? cut.replace(NOT_XML, '').replace(XML_SPECIAL, (c) => ENTITIES[c]!) : cut;
}

/** Characters `\s` matches (the spaces a spreadsheet trims at the ends of a text). */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
const LINE_OR_TAB = /[\t\n\r]/;

/**
 * Text whose spaces a spreadsheet would trim or fold without xml:space (a
 * fifth of the sheet's bytes when written on every cell): a space at either
 * end, a tab or line break, two spaces in a row. Tested piece by piece: one
 * regular expression with these alternatives cost more than the rest of a
 * text cell.
 */
function keepsSpaces(text: string): boolean {
  return text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)) || LINE_OR_TAB.test(text) || text.includes('  '));
}

/** A, B, …, Z, AA, … */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const excelDate = (d: Date) => parisWallClockMs(d.getTime()) / 86_400_000 + EPOCH_DAYS;

/**
 * A cell as XML, written piece by piece into the chunks (an empty one is not
 * written: a row holds only the cells it fills). `open` is `<c r="` and the
 * column's letters, `row` the row's number; `style` for the header.
 */
function writeCell(out: ByteChunks, open: string, row: string, cell: Cell, style?: number): void {
  if (cell === null || cell === '') return;
  if (typeof cell === 'number' && !Number.isFinite(cell)) return;
  out.text(open);
  out.text(row);
  if (cell instanceof Date) {
    out.text(`" s="${DATE_STYLE}"><v>`);
    out.text(String(excelDate(cell)));
    return out.text('</v></c>');
  }
  if (style !== undefined) out.text(`" s="${style}`);
  if (typeof cell === 'number') {
    out.text('"><v>');
    out.text(String(cell));
    return out.text('</v></c>');
  }
  out.text(keepsSpaces(cell) ? '" t="inlineStr"><is><t xml:space="preserve">' : '" t="inlineStr"><is><t>');
  out.text(xmlText(cell));
  out.text('</t></is></c>');
}

/** The sheet's XML before its rows: frozen header row, column widths, then the header's cells in bold. */
function writeSheetStart(out: ByteChunks, columns: readonly Column[], opens: readonly string[]): void {
  const widths = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join('');
  out.text(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
      `<sheetFormatPr defaultRowHeight="15"/><cols>${widths}</cols><sheetData><row r="1">`,
  );
  columns.forEach((c, i) => writeCell(out, opens[i]!, '1', c.header, HEADER_STYLE));
  out.text('</row>');
}

const SHEET_END = '</sheetData></worksheet>';

function workbookParts(sheetName: string): Array<[string, string]> {
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const rels = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return [
    [
      '[Content_Types].xml',
      `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
    ],
    ['_rels/.rels', `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    [
      'xl/workbook.xml',
      `${xml}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${rels}"><sheets><sheet name="${xmlText(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rels}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${rels}/styles" Target="styles.xml"/></Relationships>`,
    ],
    [
      'xl/styles.xml',
      // Style 0: default; 1: bold (the header); 2: date and time as French spreadsheets show them.
      `${xml}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`,
    ],
  ];
}

export function xlsxStream(columns: readonly Column[], batches: AsyncIterable<ExportedRecord[]>, sheetName: string, onError: (error: unknown) => void): Readable {
  const zip = new ZipStream(parisWallClock(new Date()));
  const name = sheetName.slice(0, 31).replace(/[\\/?*[\]:]/g, ' ') || 'Demandes';
  const out = zip.output;
  // The client went away (or the file is done): stop reading the database.
  const gone = new AbortController();
  out.once('close', () => gone.abort());
  (async () => {
    for (const [path, text] of workbookParts(name)) zip.addFile(path, Buffer.from(text, 'utf8'));
    // The fastest deflate level: the sheet's XML repeats itself so much that it still shrinks about sixfold.
    const sheet = zip.addStream('xl/worksheets/sheet1.xml', 1);
    const opens = columns.map((_, i) => `<c r="${columnName(i)}`);
    const xml = new ByteChunks();
    writeSheetStart(xml, columns, opens);
    let n = 1;
    // Leaving the loop early closes the batches' generator (for await calls its return()).
    for await (const batch of batches) {
      if (gone.signal.aborted) return;
      for (const r of batch) {
        n += 1;
        const row = String(n);
        xml.text('<row r="');
        xml.text(row);
        xml.text('">');
        for (let i = 0; i < columns.length; i++) writeCell(xml, opens[i]!, row, columns[i]!.value(r));
        xml.text('</row>');
        for (const piece of xml.take()) await sheet.write(piece);
        if (gone.signal.aborted) return;
      }
    }
    xml.text(SHEET_END);
    for (const piece of xml.end()) await sheet.write(piece);
    await sheet.end();
    zip.end();
  })().catch((error: unknown) => {
    // A reader going away is not an error; compression failing is, though it ended the output too.
    if (gone.signal.aborted && !zip.failure) return;
    onError(zip.failure ?? error);
    out.destroy(error instanceof Error ? error : new Error('export failed'));
  });
  return out;
}
