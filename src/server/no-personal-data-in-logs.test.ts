/**
 * Drives each failure path of a submission with distinctive values and reads
 * every line the server logged: none of the values may appear, on either
 * database (PGlite puts a query's parameters on its errors, PostgreSQL a
 * fragment of the value in `detail`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { seal } from '../crypto/aead.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import { contactData } from '../records/testing.ts';
import { loggerOptions } from './log-redaction.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from './testing.ts';
import { describeSafely, safeError } from './safe-error.ts';

const PLANTED = {
  nom: 'Zéphyrine-Quillebœuf',
  prenom: 'Anatolie',
  courriel: 'zephyrine.quilleboeuf@example.fr',
  message: 'Mon-secret-de-famille-7391',
};
const IP = '198.51.100.77';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: { ...loggerOptions('trace'), stream } };
}

function assertNothingPlanted(lines: string[]) {
  const all = lines.join('');
  assert.ok(lines.length > 0, 'something was logged');
  for (const value of [...Object.values(PLANTED), 'zephyrine', 'Quille', IP])
    assert.ok(!all.toLowerCase().includes(value.toLowerCase()), `« ${value} » was logged:\n${all.slice(0, 3000)}`);
}

function submitJson(server: TestServer, data: Record<string, unknown>) {
  return server.app.inject({
    method: 'POST',
    url: '/api/v1/val-fleuri/forms/contact-mairie/submissions',
    remoteAddress: IP,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ data }),
  });
}

for (const kind of testDatabaseKinds()) {
  describe(`nothing personal reaches the logs (${kind})`, () => {
    let smtp: TestSmtpServer;
    let server: TestServer;
    const { lines, logger } = capture();
    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url, logger });
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('when the input is bad', async () => {
      lines.length = 0;
      const res = await submitJson(server, { ...contactData(PLANTED), courriel: `${PLANTED.courriel}\u0000`, objet: PLANTED.message });
      assert.equal(res.statusCode, 400);
      assertNothingPlanted(lines);
    });

    it('when the database refuses the record (API and HTML form)', async () => {
      lines.length = 0;
      await sql`ALTER TABLE records ADD CONSTRAINT refuse_all CHECK (data->>'nom' IS NULL) NOT VALID`.execute(server.database.db);
      try {
        const res = await submitJson(server, contactData(PLANTED));
        assert.equal(res.statusCode, 500);
        assert.ok(!res.body.includes(PLANTED.nom));
        const opened = await server.app.inject({ url: '/val-fleuri/demarches/contact-mairie' });
        const form = new FormData();
        form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(opened.body)![1]!);
        for (const [k, v] of Object.entries(contactData(PLANTED))) form.set(k, v);
        const body = new Response(form);
        const page = await server.app.inject({
          method: 'POST',
          url: '/val-fleuri/demarches/contact-mairie',
          remoteAddress: IP,
          headers: { cookie: String(opened.headers['set-cookie']).split(';')[0]!, 'content-type': body.headers.get('content-type')! },
          payload: Buffer.from(await body.arrayBuffer()),
        });
        assert.equal(page.statusCode, 503);
      } finally {
        await sql`ALTER TABLE records DROP CONSTRAINT refuse_all`.execute(server.database.db);
      }
      assert.ok(lines.some((l) => /"code":"23514"/.test(l)), 'the failure itself is logged, with its SQLSTATE');
      assertNothingPlanted(lines);
    });

    it('when the mail server refuses the receipt', async () => {
      lines.length = 0;
      smtp.rejectRecipients(1, 550);
      const res = await submitJson(server, contactData(PLANTED));
      assert.equal(res.statusCode, 201);
      assert.equal(await server.ctx.mail.drain(), 0);
      assert.ok(lines.some((l) => l.includes('e-mail not delivered')), 'the failure is logged');
      assertNothingPlanted(lines);
    });
  });

  describe(`nothing personal reaches the logs when a data key cannot be opened (${kind})`, () => {
    const { lines, logger } = capture();
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, logger });
      // The tenant's data key sealed under another master key: opening it fails.
      await server.load(await (await import('node:fs/promises')).readFile(EXAMPLE_REGISTERS.commune));
      await server.database.db
        .insertInto('tenant_keys')
        .values({ tenant_id: 'val-fleuri', version: 1, wrapped: seal(randomBytes(32), randomBytes(32), 'bastide:tenant-key:val-fleuri:1').toString('base64'), master_key_id: 'test' })
        .execute();
    });
    after(async () => server.close());

    it('answers 500 in French and logs the failure without the values', async () => {
      lines.length = 0;
      const res = await submitJson(server, contactData(PLANTED));
      assert.equal(res.statusCode, 500);
      assert.match(res.body, /erreur inattendue/i);
      assertNothingPlanted(lines);
    });
  });
}

describe('the error serializer', () => {
  it('keeps codes and frames, drops messages and what drivers attach', () => {
    const e = Object.assign(new Error(`invalid input syntax for type json: "${PLANTED.nom}"`), {
      code: '22P02',
      detail: `Token "${PLANTED.nom}" is invalid.`,
      query: 'insert into records values ($1)',
      params: [PLANTED.courriel],
      constraint: 'records_pkey',
      cause: new Error(PLANTED.message),
    });
    const safe = JSON.stringify(safeError(e));
    for (const v of Object.values(PLANTED)) assert.ok(!safe.includes(v), safe);
    assert.ok(!safe.includes('insert into'));
    assert.match(safe, /"code":"22P02"/);
    assert.match(safe, /"constraint":"records_pkey"/);
    assert.match(safe, /no-personal-data-in-logs\.test\.ts/, 'where it was thrown');
    assert.ok(!describeSafely(e).includes(PLANTED.nom));
  });

  it('drops a message whose lines look like stack frames', () => {
    const e = new SyntaxError(`Unexpected token\n    at ${PLANTED.courriel} is not valid JSON`);
    const safe = JSON.stringify(safeError(e));
    assert.ok(!safe.includes(PLANTED.courriel), safe);
    assert.match(safe, /no-personal-data-in-logs\.test\.ts/);
  });
});
