import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { parseRegister } from '../register/parse.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { purgeExpiredDrafts } from './draft-repository.ts';
import { formOf, openForm, postForm, trackingCodeIn, validFormData } from './testing.ts';

const parsed = parseRegister(new Uint8Array(readFileSync(EXAMPLE_REGISTERS.commune)));
if (!parsed.ok) throw new Error('invalid example');
const ENFANCE = formOf(parsed.register.processings.flatMap((p) => p.forms), 'inscription-enfance');
const PATH = '/val-fleuri/demarches/inscription-enfance';
const DAY = 86_400_000;

for (const kind of testDatabaseKinds()) {
  describe(`drafts of a long form (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune] });
    });
    after(async () => server.close());

    const drafts = () =>
      withPrincipal(server.database.db, { kind: 'system', tenantId: 'val-fleuri' }, (trx) => trx.selectFrom('drafts').selectAll().execute());

    async function saveDraft(fields: Record<string, string>) {
      const opened = await openForm(server.url, PATH);
      const body = new FormData();
      body.set('_rows[enfants]', '1');
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      const res = await postForm(server.url, PATH, opened, body, 'draft');
      const link = /href="(http:\/\/[^"]+\/brouillon\/([A-Za-z0-9_-]{43}))"/.exec(res.html);
      return { res, url: link?.[1] ?? '', token: link?.[2] ?? '' };
    }

    it('saves a draft sealed under the tenant key, storing only the hash of its link, and shows the link once', async () => {
      const { res, url, token } = await saveDraft({ nomResponsable: 'Brouillon-Martin', 'enfants[0][prenom]': 'Léa' });
      assert.equal(res.status, 200);
      assert.match(res.html, /Votre brouillon est enregistré/);
      assert.ok(url.startsWith(`${server.url}${PATH}/brouillon/`));
      assert.match(res.html, /Le brouillon est conservé jusqu’au \d+ \S+ \d{4}/);
      const rows = await drafts();
      const row = rows.find((r) => r.form_id === 'inscription-enfance')!;
      assert.ok(row, 'a draft row exists');
      assert.ok(!JSON.stringify(rows).includes('Brouillon-Martin'), 'the content is sealed');
      assert.ok(!JSON.stringify(rows).includes(token), 'the token is not stored');
      const days = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / DAY;
      assert.equal(Math.round(days), 30);
    });

    it('resumes a draft from its link, in another session, with the data typed and a way to save it again', async () => {
      const { url, token } = await saveDraft({ nomResponsable: 'Reprise-Durand', 'enfants[0][prenom]': 'Tom' });
      const res = await fetch(url);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /name="nomResponsable"[^>]*value="Reprise-Durand"/);
      assert.match(html, /name="enfants\[0\]\[prenom\]"[^>]*value="Tom"/);
      assert.match(html, /Votre brouillon a été repris/);
      assert.ok(html.includes(`name="_draft" value="${token}"`));
    });

    it('updates the same draft when saved again from its link', async () => {
      const { url, token } = await saveDraft({ nomResponsable: 'Premier' });
      const opened = await openForm(server.url, new URL(url).pathname);
      const body = new FormData();
      body.set('nomResponsable', 'Second');
      body.set('_draft', token);
      const res = await postForm(server.url, PATH, opened, body, 'draft');
      assert.ok(res.html.includes(token), 'the same link is kept');
      assert.match(await (await fetch(url)).text(), /value="Second"/);
    });

    it('submits a resumed draft, then deletes it: its link answers a French 404', async () => {
      const { url, token } = await saveDraft({ nomResponsable: 'Envoi' });
      const opened = await openForm(server.url, new URL(url).pathname);
      const body = validFormData(ENFANCE);
      body.set('_draft', token);
      const res = await postForm(server.url, PATH, opened, body);
      assert.equal(res.status, 200);
      assert.ok(trackingCodeIn(res.html));
      const gone = await fetch(url);
      assert.equal(gone.status, 404);
      assert.match(await gone.text(), /Brouillon introuvable/);
    });

    it('answers an unknown or malformed draft link with a French 404', async () => {
      for (const token of ['A'.repeat(43), 'court']) {
        const res = await fetch(`${server.url}${PATH}/brouillon/${token}`);
        assert.equal(res.status, 404);
        assert.match(await res.text(), /Brouillon introuvable/);
      }
    });

    it('does not open a draft under another form', async () => {
      const { token } = await saveDraft({ nomResponsable: 'Autre' });
      const res = await fetch(`${server.url}/val-fleuri/demarches/contact-mairie/brouillon/${token}`);
      assert.equal(res.status, 404);
    });

    it('says that files are not kept in a draft', async () => {
      const opened = await openForm(server.url, PATH);
      const res = await postForm(server.url, PATH, opened, validFormData(ENFANCE), 'draft');
      assert.match(res.html, /Les fichiers joints ne sont pas conservés dans le brouillon/);
    });

    it('purges drafts past their retention, and only those', async () => {
      const { url } = await saveDraft({ nomResponsable: 'À purger' });
      const early = await purgeExpiredDrafts(server.database.db, new Date(Date.now() + 29 * DAY));
      assert.equal(early.find((r) => r.tenantId === 'val-fleuri')?.deleted, 0);
      assert.equal((await fetch(url)).status, 200);
      const count = (await drafts()).length;
      const late = await purgeExpiredDrafts(server.database.db, new Date(Date.now() + 31 * DAY));
      assert.equal(late.find((r) => r.tenantId === 'val-fleuri')?.deleted, count);
      assert.equal((await drafts()).length, 0);
      assert.equal((await fetch(url)).status, 404);
    });
  });
}
