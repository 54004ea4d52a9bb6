import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { withPrincipal } from '../../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import { listJournal } from '../../journal/journal-repository.ts';
import { verifyJournal } from '../../journal/journal-verify.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { applicationData, contactData, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { agentWithPassword, signInWithPassword, submitRecord, TestBrowser } from '../testing.ts';
import { csvCell } from './csv-export.ts';

async function download(browser: TestBrowser, path: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const cookie = ['bastide_agent'].map((n) => `${n}=${browser.cookie(n)}`).join('; ');
  const r = await fetch(`${browser.base}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
}

describe('CSV cells', () => {
  it('neutralises what a spreadsheet would run as a formula, and only that', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) assert.equal(csvCell(`${start}HYPERLINK("x")`), `'${start}HYPERLINK("x")`);
    assert.equal(csvCell('Rue = place'), 'Rue = place');
    assert.equal(csvCell(-12.5), '-12,5', 'a number stays a number, with the French decimal comma');
    assert.equal(csvCell(null), '');
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`back-office exports (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let reception: TestBrowser;
    const ids: string[] = [];
    let application = '';
    const t = () => a.tenantId;
    const system = () => ({ kind: 'system' as const, tenantId: t() });

    const submit = (formId: string, data: unknown) => submitRecord(server.url, t(), formId, data);

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-exp'));
      await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'lea@exp.example.fr');
      reception = new TestBrowser(server.url);
      await signInWithPassword(reception, t(), 'lea@exp.example.fr');
      ids.push(await submit('contact-mairie', contactData({ nom: 'Éloïse', message: '=HYPERLINK("https://evil.example","clic")' })));
      ids.push(await submit('contact-mairie', contactData({ nom: 'Zoé', message: 'Bonjour;\n"la mairie"' })));
      application = await submit('postuler', applicationData());
    });
    after(() => server.close());

    it('exports CSV that French spreadsheets open: BOM, semicolons, accents, formulas neutralised, own services only', async () => {
      const r = await download(reception, `/${t()}/back-office/export.csv?form=contact-mairie`);
      assert.equal(r.status, 200);
      assert.equal(r.type, 'text/csv; charset=utf-8');
      assert.match(r.disposition ?? '', /^attachment; filename="demandes-.+\.csv"$/);
      assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const text = r.bytes.toString('utf8').slice(1);
      const [header] = text.split('\r\n');
      assert.match(header!, /^Identifiant;Démarche;Statut;Reçue le;/);
      assert.ok(header!.includes(';Nom;'));
      assert.ok(text.includes(`;"'=HYPERLINK(""https://evil.example"",""clic"")"`), 'the formula starts with an apostrophe, so it is text');
      assert.ok(text.includes('Éloïse') && text.includes('"Bonjour;\n""la mairie"""'));
      for (const id of ids) assert.ok(text.includes(id));
      assert.ok(!text.includes(application), 'another service’s request is not exported');
    });

    it('journals one export entry naming exactly the records exported, and journal verify checks that list', async () => {
      const before = await withPrincipal(server.database.db, system(), (trx) => listJournal(trx, t()));
      const r = await download(reception, `/${t()}/back-office/export.csv`);
      assert.equal(r.status, 200);
      const entries = await withPrincipal(server.database.db, system(), (trx) => listJournal(trx, t()));
      const added = entries.slice(before.length);
      assert.equal(added.length, 1, 'one entry for the whole export');
      assert.equal(added[0]!.action, 'export');
      assert.equal(added[0]!.actor, 'lea@exp.example.fr');
      assert.match(added[0]!.purpose, /— 2 demandes, sha-256/);
      const aboutFirst = await withPrincipal(server.database.db, system(), (trx) => listJournal(trx, t(), { recordId: ids[0]! }));
      assert.ok(aboutFirst.some((e) => e.seq === added[0]!.seq), 'the per-record journal finds the export');
      assert.deepEqual(await verifyJournal(server.database.db, t()), { ok: true, tenantId: t(), rows: entries.length, pruned: 0 });
      // Removing a record from the list the entry names breaks verification.
      await withPrincipal(server.database.db, system(), (trx) => trx.deleteFrom('journal_records').where('tenant_id', '=', t()).where('seq', '=', String(added[0]!.seq)).where('record_id', '=', ids[1]!).execute());
      const broken = await verifyJournal(server.database.db, t());
      assert.equal(broken.ok, false);
      assert.match(JSON.stringify(broken), /la liste des demandes qu’elle nomme a été modifiée/);
    });

    it('exports XLSX whose cells are typed text and dates, never formulas', async () => {
      const r = await download(reception, `/${t()}/back-office/export.xlsx?form=contact-mairie&sort=oldest`);
      assert.equal(r.status, 200);
      assert.equal(r.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(r.bytes as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      assert.equal(sheet.getRow(1).getCell(1).value, 'Identifiant');
      assert.equal(sheet.getRow(2).getCell(1).value, ids[0], 'oldest first, as asked');
      const cells = sheet.getRow(2).values as unknown[];
      assert.ok(cells.includes('=HYPERLINK("https://evil.example","clic")'), 'kept as the citizen typed it, as text');
      assert.equal(sheet.getRow(2).getCell(1).formula, undefined);
      assert.ok(sheet.getRow(2).getCell(4).value instanceof Date);
      assert.equal(sheet.rowCount, 3);
    });

    it('sends an invalid filter back to the list with its message, journaling nothing; refuses without a session', async () => {
      const count = async () => (await withPrincipal(server.database.db, system(), (trx) => listJournal(trx, t()))).length;
      const n = await count();
      const r = await download(reception, `/${t()}/back-office/export.csv?from=2026-02-31`);
      assert.equal(r.status, 303);
      assert.equal(await count(), n);
      const anonymous = await fetch(`${server.url}/${t()}/back-office/export.xlsx`, { redirect: 'manual' });
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.headers.get('location') ?? '', /connexion/);
    });
  });
}
