import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { listJournal } from '../journal/journal-repository.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { applicationData, contactData, loadCommune } from '../records/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, submitRecord, TestBrowser } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`back-office request pages (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let reception: TestBrowser; // accueil
    let colleague: TestBrowser; // accueil too
    let recruiter: TestBrowser; // rh
    const ids = { contact: '', application: '' };
    /** AAAA-MM-JJ in Paris, `offsetDays` from the day the fixtures were sent (fixed then, so a run across midnight still agrees). */
    let sentAt = 0;
    const paris = (offsetDays: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(sentAt + offsetDays * 86_400_000));
    const t = () => a.tenantId;
    const rec = (id: string) => `/${t()}/back-office/demandes/${id}`;

    const submit = (formId: string, data: unknown) => submitRecord(server.url, t(), formId, data);

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('bo-rec'));
      await agentWithPassword(db, a, 'agent', ['accueil'], 'lea@bo.example.fr');
      await agentWithPassword(db, a, 'agent', ['accueil'], 'marc@bo.example.fr');
      await agentWithPassword(db, a, 'agent', ['rh'], 'rh@bo.example.fr');
      reception = new TestBrowser(server.url);
      colleague = new TestBrowser(server.url);
      recruiter = new TestBrowser(server.url);
      await signInWithPassword(reception, t(), 'lea@bo.example.fr');
      await signInWithPassword(colleague, t(), 'marc@bo.example.fr');
      await signInWithPassword(recruiter, t(), 'rh@bo.example.fr');
      sentAt = Date.now();
      ids.contact = await submit('contact-mairie', contactData({ message: '<script>alert(1)</script> =HYPERLINK("x")' }));
      ids.application = await submit('postuler', applicationData());
    });
    after(() => server.close());

    it('lists only the records of the agent’s services, without personal data', async () => {
      const list = await reception.get(`/${t()}/back-office`);
      assert.equal(list.status, 200);
      assert.ok(list.body.includes(ids.contact.slice(0, 8)));
      assert.ok(!list.body.includes(ids.application.slice(0, 8)));
      assert.ok(!list.body.includes('HYPERLINK'), 'the list shows no field a citizen typed');
      const rh = await recruiter.get(`/${t()}/back-office`);
      assert.ok(rh.body.includes(ids.application.slice(0, 8)));
      assert.ok(!rh.body.includes(ids.contact.slice(0, 8)));
    });

    it('filters by status and refuses a malformed date with a message on the field', async () => {
      const done = await reception.get(`/${t()}/back-office?status=done`);
      assert.ok(!done.body.includes(ids.contact.slice(0, 8)));
      const bad = await reception.get(`/${t()}/back-office?from=2026-02-31`);
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<title>Erreur : /);
      assert.match(bad.body, /id="from-error"/);
    });

    it('filters by the days a request was received, in Paris time, the end day included', async () => {
      const today = await reception.get(`/${t()}/back-office?from=${paris(0)}&to=${paris(0)}`);
      assert.equal(today.status, 200, today.body.slice(0, 300));
      assert.ok(today.body.includes(ids.contact.slice(0, 8)), 'received today, listed');
      const before = await reception.get(`/${t()}/back-office?to=${paris(-1)}`);
      assert.equal(before.status, 200);
      assert.match(before.body, /Aucune demande ne correspond/);
      const after = await reception.get(`/${t()}/back-office?from=${paris(1)}`);
      assert.match(after.body, /Aucune demande ne correspond/);
      const [y, m, d] = paris(0).split('-');
      const typed = await reception.get(`/${t()}/back-office?from=${d}%2F${m}%2F${y}`);
      assert.equal(typed.status, 200, 'JJ/MM/AAAA, typed where there is no date picker');
      assert.ok(typed.body.includes(ids.contact.slice(0, 8)));
      assert.ok(typed.body.includes(`value="${paris(0)}"`), 'shown back in the date input’s format');
      assert.equal((await reception.get(`/${t()}/back-office?from=0099-01-01`)).status, 400, 'a year before 1900 is a typo');
      const reversed = await reception.get(`/${t()}/back-office?from=${paris(0)}&to=${paris(-1)}`);
      assert.equal(reversed.status, 400);
      assert.match(reversed.body, /La date de fin doit suivre la date de début/);
    });

    it('shows a record escaped, journals the read, and answers 404 for another service’s record', async () => {
      const page = await reception.get(rec(ids.contact));
      assert.equal(page.status, 200);
      assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.ok(!page.body.includes('<script>alert(1)'));
      const journal = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => listJournal(trx, t()));
      assert.ok(journal.some((e) => e.recordId === ids.contact && e.action === 'read' && e.actor === 'lea@bo.example.fr'));
      const other = await reception.get(rec(ids.application));
      assert.equal(other.status, 404);
      assert.equal((await reception.get(rec('00000000-0000-4000-8000-000000000000'))).status, 404);
      assert.equal((await reception.get(rec('pas-un-uuid'))).status, 404);
    });

    it('lets one agent claim a request; a colleague sees who holds it and must take it over explicitly', async () => {
      const claimed = await reception.submit(rec(ids.contact), `${rec(ids.contact)}/prise-en-charge`, {});
      assert.equal(claimed.status, 303);
      const seen = await colleague.get(rec(ids.contact));
      assert.match(seen.body, /par lea@bo\.example\.fr/);
      // A second claim without "reprendre" is refused with the holder's name.
      const second = await colleague.post(`${rec(ids.contact)}/prise-en-charge`, { csrf: csrfOf(seen.body) });
      const after = await colleague.get(second.location!);
      assert.match(after.body, /déjà prise en charge par lea@bo\.example\.fr/);
      const taken = await colleague.submit(rec(ids.contact), `${rec(ids.contact)}/prise-en-charge`, { reprendre: '1' });
      assert.equal(taken.status, 303);
      assert.match((await reception.get(rec(ids.contact))).body, /par marc@bo\.example\.fr/);
      assert.match((await reception.get(`/${t()}/back-office?holder=nobody`)).body, /Aucune demande ne correspond/);
    });

    it('keeps private notes sealed, refuses an empty or over-long one without losing the text', async () => {
      const ok = await reception.submit(rec(ids.contact), `${rec(ids.contact)}/notes`, { note: 'Rappeler <b>demain</b>' });
      assert.equal(ok.status, 303);
      const page = await colleague.get(rec(ids.contact));
      assert.ok(page.body.includes('Rappeler &lt;b&gt;demain&lt;/b&gt;'));
      const row = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.selectFrom('record_notes').select('sealed').executeTakeFirstOrThrow());
      assert.ok(!row.sealed.includes('Rappeler'));
      const long = 'x'.repeat(5001);
      const refused = await reception.submit(rec(ids.contact), `${rec(ids.contact)}/notes`, { note: long });
      assert.equal(refused.status, 400);
      assert.ok(refused.body.includes(long), 'the text typed comes back');
      assert.match(refused.body, /5001 caractères/);
      // Another service's agent cannot add a note to it.
      assert.equal((await recruiter.submit(`/${t()}/back-office`, `${rec(ids.contact)}/notes`, { note: 'intrus' })).status, 404);
    });

    it('refuses a state-changing POST without the session’s CSRF token', async () => {
      const r = await reception.post(`${rec(ids.contact)}/statut`, { status: 'done' });
      assert.equal(r.status, 403);
      const forged = await reception.post(`${rec(ids.contact)}/statut`, { status: 'done', csrf: 'v1.abc.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
      assert.equal(forged.status, 403);
      assert.match((await reception.get(rec(ids.contact))).body, /<dt>Statut<\/dt><dd>Reçue/);
    });

    it('changes the status of a selection, only for records the agent may see', async () => {
      const list = await reception.get(`/${t()}/back-office`);
      const r = await reception.post(`/${t()}/back-office/demandes/statut`, { csrf: csrfOf(list.body), status: 'in-progress', ids: [ids.contact, ids.application], retour: `/${t()}/back-office` });
      assert.equal(r.status, 303);
      const back = await reception.get(r.location!);
      assert.match(back.body, /Statut changé pour 1 demande/);
      assert.match((await recruiter.get(rec(ids.application))).body, /<dt>Statut<\/dt><dd>Reçue/);
    });

    it('searches fields stored in clear and the id’s start, literally, journaling the records it shows', async () => {
      const byName = await reception.get(`/${t()}/back-office?q=${encodeURIComponent('martin')}`);
      assert.equal(byName.status, 200);
      assert.ok(byName.body.includes(ids.contact.slice(0, 8)));
      assert.match(byName.body, /1 demande,/);
      const byId = await reception.get(`/${t()}/back-office?q=${ids.contact.slice(0, 8)}`);
      assert.ok(byId.body.includes(ids.contact.slice(0, 8)));
      // `%` and `_` are letters here, not wildcards.
      assert.match((await reception.get(`/${t()}/back-office?q=%25`)).body, /Aucune demande ne correspond/);
      assert.match((await reception.get(`/${t()}/back-office?q=Bernard`)).body, /Aucune demande ne correspond/, 'another service’s record is not found');
      const journal = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => listJournal(trx, t(), { recordId: ids.contact }));
      const search = journal.filter((e) => e.action === 'list');
      assert.ok(search.length >= 2);
      assert.ok(search.every((e) => !e.purpose.includes('martin')), 'the words searched are not journaled');
      const long = await reception.get(`/${t()}/back-office?q=${'a'.repeat(101)}`);
      assert.equal(long.status, 400);
      assert.match(long.body, /id="q-error"/);
    });

    it('leaves a restricted request’s status as it is, alone or in a selection, and says so', async () => {
      const restricted = await submit('contact-mairie', contactData({ nom: 'Limitée' }));
      await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => trx.updateTable('records').set({ frozen: true }).where('tenant_id', '=', t()).where('id', '=', restricted).execute());
      const page = await reception.get(rec(restricted));
      const alone = await reception.post(`${rec(restricted)}/statut`, { csrf: csrfOf(page.body), status: 'done' });
      assert.equal(alone.status, 409);
      assert.match(alone.body, /limité \(RGPD, article 18\)/);
      const list = await reception.get(`/${t()}/back-office`);
      const bulk = await reception.post(`/${t()}/back-office/demandes/statut`, { csrf: csrfOf(list.body), status: 'done', ids: [ids.contact, restricted], retour: `/${t()}/back-office` });
      assert.match((await reception.get(bulk.location!)).body, /Statut changé pour 1 demande\(s\)\. 1 demande\(s\) limitée\(s\) \(RGPD, article 18\) n’ont pas été modifiées\./);
      assert.match((await reception.get(rec(restricted))).body, /<dt>Statut<\/dt><dd>Reçue/);
    });
  });
}
