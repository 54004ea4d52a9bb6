import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { readMail, startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { readFileSync } from 'node:fs';
import { formOf, openForm, postForm, trackingCodeIn, validFormData } from '../forms/testing.ts';
import { parseRegister } from '../register/parse.ts';
import { contactData } from './testing.ts';

const parsed = parseRegister(new Uint8Array(readFileSync(EXAMPLE_REGISTERS.commune)));
if (!parsed.ok) throw new Error('invalid example');
const CONTACT = formOf(parsed.register.processings.flatMap((p) => p.forms), 'contact-mairie');

const PATH = '/api/v1/val-fleuri/forms/contact-mairie/submissions';
const PUBLIC_URL = 'https://demarches.val-fleuri.example';

function submit(server: TestServer, data: Record<string, unknown>, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ data }) });
}

async function countRecords(server: TestServer): Promise<number> {
  return withPrincipal(server.database.db, { kind: 'system', tenantId: 'val-fleuri' }, async (trx) => Number((await trx.selectFrom('records').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n));
}

for (const kind of testDatabaseKinds()) {
  describe(`links come from configuration, never from the Host header (${kind})`, () => {
    let smtp: TestSmtpServer;
    let open: TestServer;
    let configured: TestServer;
    before(async () => {
      smtp = await startTestSmtpServer();
      open = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url });
      configured = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url, publicUrl: PUBLIC_URL });
    });
    after(async () => {
      await open.close();
      await configured.close();
      await smtp.close();
    });

    it('without a public URL, a receipt asked for with Host: evil.example links to the address the server listens on', async () => {
      smtp.received.length = 0;
      const res = await submit(open, contactData({ courriel: 'hote@example.fr' }), { host: 'evil.example' });
      assert.equal(res.statusCode, 201);
      const receipt = res.json().receipt;
      assert.ok(receipt.trackingUrl.startsWith(`${open.url}/val-fleuri/suivi?code=`), receipt.trackingUrl);
      assert.equal(await open.ctx.mail.drain(), 0);
      const mail = readMail(smtp.received.find((m) => m.to.includes('hote@example.fr'))!.raw).decoded;
      assert.ok(!mail.includes('evil.example'), 'no link to the host the client named');
      assert.ok(mail.includes(`${open.url}/val-fleuri/suivi?code=${receipt.trackingCode}`));
      assert.ok(mail.includes(`${open.url}/val-fleuri/donnees-personnelles`));
    });

    it('with a public URL, a request for another host is refused in French, and health probes still answer', async () => {
      const res = await submit(configured, contactData(), { host: 'evil.example' });
      assert.equal(res.statusCode, 421);
      assert.equal(res.json().error, 'misdirected-request');
      const page = await configured.app.inject({ url: '/val-fleuri/demarches', headers: { host: 'evil.example' } });
      assert.equal(page.statusCode, 421);
      assert.match(page.body, /Adresse inattendue/);
      assert.equal((await configured.app.inject({ url: '/healthz', headers: { host: '10.0.0.7:3000' } })).statusCode, 200);
    });

    it('with a public URL, links point there', async () => {
      const res = await submit(configured, contactData(), { host: 'demarches.val-fleuri.example' });
      assert.equal(res.statusCode, 201);
      assert.ok(res.json().receipt.trackingUrl.startsWith(`${PUBLIC_URL}/val-fleuri/suivi?code=`));
    });
  });

  describe(`a replayed Idempotency-Key gets the first answer back (${kind})`, () => {
    let smtp: TestSmtpServer;
    let server: TestServer;
    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url });
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('answers the same 201, tracking code included, stores one record and sends one receipt', async () => {
      smtp.received.length = 0;
      const before = await countRecords(server);
      const data = contactData({ courriel: 'rejoue@example.fr' });
      const first = await submit(server, data, { 'idempotency-key': 'b6c1e0a2-5f7d-4b8e-9a31-0c2d4e6f8a10' });
      const again = await submit(server, data, { 'idempotency-key': 'b6c1e0a2-5f7d-4b8e-9a31-0c2d4e6f8a10' });
      assert.equal(first.statusCode, 201);
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.json(), first.json());
      assert.equal(await countRecords(server), before + 1);
      assert.equal(await server.ctx.mail.drain(), 0);
      assert.equal(smtp.received.filter((m) => m.to.includes('rejoue@example.fr')).length, 1);
    });

    it('refuses the same key with another request (422), storing nothing', async () => {
      const before = await countRecords(server);
      assert.equal((await submit(server, contactData(), { 'idempotency-key': 'cle-1' })).statusCode, 201);
      const other = await submit(server, contactData({ message: 'Une autre demande' }), { 'idempotency-key': 'cle-1' });
      assert.equal(other.statusCode, 422);
      assert.equal(other.json().error, 'idempotency-key-reused');
      assert.ok(!other.body.includes('trackingCode'));
      assert.equal(await countRecords(server), before + 1);
    });

    it('refuses an over-long or unprintable key with a 400 instead of ignoring it', async () => {
      const before = await countRecords(server);
      for (const key of ['k'.repeat(201), 'avec espace', 'é']) {
        const res = await submit(server, contactData(), { 'idempotency-key': key });
        assert.equal(res.statusCode, 400, key);
        assert.equal(res.json().error, 'idempotency-key-invalid');
      }
      assert.equal(await countRecords(server), before);
    });

    it('shows the first tracking code to the same page sent twice, never to another person resending the page with their own details', async () => {
      const path = '/val-fleuri/demarches/contact-mairie';
      const opened = await openForm(server.url, path);
      const first = await postForm(server.url, path, opened, validFormData(CONTACT, { nom: 'Premier' }));
      const code = trackingCodeIn(first.html);
      assert.ok(code, 'the first is accepted');
      const again = await postForm(server.url, path, opened, validFormData(CONTACT, { nom: 'Premier' }));
      assert.equal(again.status, 409);
      assert.ok(again.html.includes(code), 'the same page sent again is told its code');
      const other = await postForm(server.url, path, opened, validFormData(CONTACT, { nom: 'Seconde', courriel: 'seconde@example.fr' }));
      assert.equal(other.status, 409);
      assert.ok(!other.html.includes(code), 'another person is not shown the first one’s code');
    });

    it('gives the HTML form back, with what was typed, when the database refuses the record', async () => {
      const opened = await server.app.inject({ url: '/val-fleuri/demarches/contact-mairie' });
      const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(opened.body)![1]!;
      const form = new FormData();
      form.set('_csrf', token);
      for (const [k, v] of Object.entries(contactData({ message: 'Texte-saisi-à-garder' }))) form.set(k, v);
      const body = new Response(form);
      const payload = Buffer.from(await body.arrayBuffer());
      await sql`ALTER TABLE records ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`.execute(server.database.db);
      try {
        const res = await server.app.inject({ method: 'POST', url: '/val-fleuri/demarches/contact-mairie', headers: { cookie, 'content-type': body.headers.get('content-type')! }, payload });
        assert.equal(res.statusCode, 503);
        assert.match(res.body, /Votre demande n’a pas pu être enregistrée/);
        assert.match(res.body, /Texte-saisi-à-garder/);
        assert.match(res.body, /name="_csrf"/, 'with a fresh token, ready to send again');
      } finally {
        await sql`ALTER TABLE records DROP CONSTRAINT refuse_all`.execute(server.database.db);
      }
    });
  });
}
