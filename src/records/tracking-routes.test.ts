import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { formOf, openForm, postForm, trackingCodeIn, validFormData } from '../forms/testing.ts';
import { parseRegister } from '../register/parse.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { trackingHash } from './tracking-code.ts';

const parsed = parseRegister(new Uint8Array(readFileSync(EXAMPLE_REGISTERS.commune)));
if (!parsed.ok) throw new Error('invalid example');
const CONTACT = formOf(parsed.register.processings.flatMap((p) => p.forms), 'contact-mairie');

for (const kind of testDatabaseKinds()) {
  describe(`following a request with its tracking code (${kind})`, () => {
    let server: TestServer;
    let code = '';
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
      const path = '/val-fleuri/demarches/contact-mairie';
      const res = await postForm(server.url, path, await openForm(server.url, path), validFormData(CONTACT, { nom: 'Secret-Nom', message: 'Message très personnel' }));
      code = trackingCodeIn(res.html)!;
    });
    after(async () => server.close());

    it('offers a form asking for the code, its label tied to the field', async () => {
      const res = await fetch(`${server.url}/val-fleuri/suivi`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<label for="code">Numéro de suivi/);
      assert.match(html, /<title>Suivre une demande – Commune de Val-Fleuri<\/title>/);
    });

    it('shows the form title, status in French and dates, and no personal data', async () => {
      const html = await (await fetch(`${server.url}/val-fleuri/suivi?code=${code}`)).text();
      assert.match(html, /Contacter la mairie|<dd>[^<]+<\/dd>/);
      assert.ok(html.includes(`<dd>${CONTACT.title.replace(/'/g, '&#39;')}</dd>`));
      assert.match(html, /<strong class="status">Reçue<\/strong>/);
      assert.match(html, /Envoyée le<\/dt><dd>\d+ \S+ \d{4}/);
      assert.match(html, /Dernière mise à jour/);
      assert.ok(!html.includes('Secret-Nom') && !html.includes('Message très personnel') && !html.includes('camille'));
    });

    it('reads the code as people type it: lower case, spaces, O for 0', async () => {
      const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
      const html = await (await fetch(`${server.url}/val-fleuri/suivi?code=${encodeURIComponent(typed)}`)).text();
      assert.match(html, /Reçue/);
    });

    it('shows the status an agent set', async () => {
      await withPrincipal(server.database.db, { kind: 'system', tenantId: 'val-fleuri' }, (trx) =>
        trx.updateTable('records').set({ status: 'in-progress', updated_at: new Date() }).where('tracking_hash', '=', trackingHash('val-fleuri', code)).execute(),
      );
      assert.match(await (await fetch(`${server.url}/val-fleuri/suivi?code=${code}`)).text(), /En cours de traitement/);
      const api = await (await fetch(`${server.url}/api/v1/val-fleuri/tracking/${code}`)).json();
      assert.equal(api.status, 'in-progress');
    });

    for (const [name, typed, message] of [
      ['an unknown code', 'ABCD-EFGH-JKMN', /Aucune demande ne correspond au numéro ABCD-EFGH-JKMN/],
      ['a malformed code', 'pas un code <b>', /compte 12 lettres et chiffres/],
      ['an empty code', '', /Saisissez votre numéro de suivi/],
    ] as const) {
      it(`answers ${name} with a 200 page whose error is tied to the field`, async () => {
        const res = await fetch(`${server.url}/val-fleuri/suivi?code=${encodeURIComponent(typed)}`);
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /<title>Erreur : Suivre une demande/);
        assert.match(html, message);
        assert.match(html, /aria-describedby="code-hint code-error" aria-invalid="true"/);
        assert.ok(!html.includes('<b>'));
      });
    }

    it('does not find a code of one tenant under another', async () => {
      const html = await (await fetch(`${server.url}/haute-vallee/suivi?code=${code}`)).text();
      assert.match(html, /Aucune demande ne correspond/);
      assert.equal((await fetch(`${server.url}/api/v1/haute-vallee/tracking/${code}`)).status, 404);
    });

    it('answers the API with {form, status, submittedAt, updatedAt}, or a 404', async () => {
      const res = await fetch(`${server.url}/api/v1/val-fleuri/tracking/${code}`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), ['form', 'status', 'submittedAt', 'updatedAt']);
      assert.equal(body.form, CONTACT.title);
      const missing = await fetch(`${server.url}/api/v1/val-fleuri/tracking/ABCD-EFGH-JKMN`);
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).error, 'record-not-found');
    });
  });
}

describe('tracking look-ups are rate-limited per address', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], trackingLookupsPerMinute: 3 });
  });
  after(async () => server.close());

  it('answers 429 in French once the limit is reached', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.url}/val-fleuri/suivi?code=ABCD-EFGH-JKMN`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const res = await fetch(`${server.url}/val-fleuri/suivi?code=ABCD-EFGH-JKMN`);
    assert.match(await res.text(), /Trop de requêtes/);
  });
});
