import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { Column } from './export-columns.ts';
import type { ExportedRecord } from './export-batches.ts';
import { xlsxStream } from './xlsx-export.ts';

const record = (id: string, text: string, createdAt: Date): ExportedRecord => ({
  id,
  formId: 'contact-mairie',
  formTitle: 'Contacter la mairie',
  status: 'received',
  createdAt,
  expiresAt: null,
  claimedBy: null,
  data: { message: text, n: 2.5 },
  files: new Map(),
});

const COLUMNS: Column[] = [
  { header: 'Identifiant', width: 38, value: (r) => r.id },
  { header: 'Reçue le', width: 18, value: (r) => r.createdAt },
  { header: 'Message', width: 40, value: (r) => String(r.data['message']) },
  { header: 'Nombre', width: 10, value: (r) => r.data['n'] as number },
  { header: 'Vide', width: 10, value: () => null },
];

async function* batches(records: ExportedRecord[][]) {
  for (const b of records) yield b;
}

async function read(records: ExportedRecord[][], sheetName = 'Demandes'): Promise<ExcelJS.Worksheet> {
  const chunks: Buffer[] = [];
  for await (const chunk of xlsxStream(COLUMNS, batches(records), sheetName, () => {})) chunks.push(chunk as Buffer);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return book.worksheets[0]!;
}

describe('the XLSX writer', () => {
  it('writes a sheet a spreadsheet opens: bold frozen header, typed cells, Paris time, rows in order over batches', async () => {
    const winter = new Date('2026-01-15T09:30:00Z');
    const summer = new Date('2026-07-15T09:30:00Z');
    const sheet = await read([[record('a', 'Bonjour', winter)], [record('b', '=1+1', summer)]], 'Demandes/2026');
    assert.equal(sheet.name, 'Demandes 2026', 'a character Excel forbids in a sheet name is replaced');
    assert.equal(sheet.rowCount, 3);
    assert.deepEqual([1, 2, 3, 4, 5].map((i) => sheet.getRow(1).getCell(i).value), ['Identifiant', 'Reçue le', 'Message', 'Nombre', 'Vide']);
    assert.equal(sheet.getRow(1).getCell(1).font?.bold, true);
    assert.equal(sheet.views[0]?.state, 'frozen');
    assert.equal(sheet.getColumn(1).width, 38);
    // Wall-clock time in Paris, as the agent saw it in the back office: 10:30 in winter, 11:30 in summer.
    assert.deepEqual(sheet.getRow(2).getCell(2).value, new Date('2026-01-15T10:30:00Z'));
    assert.deepEqual(sheet.getRow(3).getCell(2).value, new Date('2026-07-15T11:30:00Z'));
    assert.equal(sheet.getRow(2).getCell(2).numFmt, 'dd/mm/yyyy hh:mm');
    assert.equal(sheet.getRow(3).getCell(3).value, '=1+1', 'text, not a formula');
    assert.equal(sheet.getRow(3).getCell(3).formula, undefined);
    assert.equal(sheet.getRow(2).getCell(4).value, 2.5);
    assert.equal(sheet.getRow(2).getCell(5).value, null);
  });

  it('keeps markup as text, drops what XML cannot hold, and cuts a cell at Excel’s limit, so the file always opens', async () => {
    const sheet = await read([[record('a', `<b>gras</b> & "cité"\u0000\u0007 fin \uD800`, new Date()), record('b', 'x'.repeat(40_000), new Date())]]);
    assert.equal(sheet.getRow(2).getCell(3).value, '<b>gras</b> & "cité" fin ');
    assert.equal(String(sheet.getRow(3).getCell(3).value).length, 32_767);
  });

  it('fails the download alone when reading fails partway, and says why once', async () => {
    async function* failing() {
      yield [record('a', 'premier lot', new Date())];
      throw new Error('base indisponible');
    }
    const reported: unknown[] = [];
    const stream = xlsxStream(COLUMNS, failing(), 'Demandes', (e) => reported.push(e));
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    }, /base indisponible/);
    assert.equal(reported.length, 1);
    // The process is still here: an unheard error would have ended it before this line.
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('stops reading batches once the client goes away', async () => {
    let read = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          read += 1;
          yield Array.from({ length: 200 }, (_, i) => record(`r${read}-${i}`, 'x'.repeat(500), new Date()));
        }
      } finally {
        closed = true;
      }
    }
    const reported: unknown[] = [];
    const stream = xlsxStream(COLUMNS, endless(), 'Demandes', (e) => reported.push(e));
    for await (const chunk of stream) {
      void chunk;
      break;
    }
    for (let i = 0; i < 100 && !closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(closed, `the batches' generator was closed after ${read} batches`);
    const after = read;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(read, after, 'no batch read after the client left');
    assert.deepEqual(reported, [], 'a client leaving is not an error');
  });

  it('writes the header alone for an empty list', async () => {
    const sheet = await read([]);
    assert.equal(sheet.rowCount, 1);
  });

  it('keeps the spaces a citizen typed at the ends of a cell, twice in a row and across lines, and marks only those cells', async () => {
    const texts = ['  retrait en tête', 'fin avec espace ', 'deux  espaces', 'ligne 1\nligne 2', 'texte ordinaire'];
    const rows = [texts.map((t, i) => record(`id-${i}`, t, new Date('2026-03-01T10:00:00Z')))];
    const sheet = await read(rows);
    assert.deepEqual(texts.map((_, i) => sheet.getCell(`C${i + 2}`).value), texts);
    // Excel trims a cell's spaces unless its text says xml:space="preserve" (exceljs does not, hence the XML itself).
    const xml = await sheetXml(rows);
    for (const t of texts.slice(0, 4)) assert.ok(xml.includes(`<t xml:space="preserve">${t}</t>`), t);
    assert.ok(xml.includes('<t>texte ordinaire</t>'));
  });
});

/** The sheet's XML, inflated from the zip as written (its local header, then the deflated bytes). */
async function sheetXml(records: ExportedRecord[][]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of xlsxStream(COLUMNS, batches(records), 'Demandes', () => {})) chunks.push(chunk as Buffer);
  const zip = Buffer.concat(chunks);
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const at = zip.indexOf(name) - 30;
  assert.equal(zip.readUInt32LE(at), 0x04034b50, 'a local file header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  return inflateRawSync(zip.subarray(start), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
}
