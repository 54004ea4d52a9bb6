import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { formOf, openForm, postForm, validFormData } from '../forms/testing.ts';
import { parseRegister } from '../register/parse.ts';
import { contactData } from '../records/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';

const parsed = parseRegister(new Uint8Array(readFileSync(EXAMPLE_REGISTERS.commune)));
if (!parsed.ok) throw new Error('invalid example');
const FORMS = parsed.register.processings.flatMap((p) => p.forms);
const CONTACT = formOf(FORMS, 'contact-mairie');
const ENFANCE = formOf(FORMS, 'inscription-enfance');

function apiSubmit(server: TestServer, remoteAddress = '127.0.0.1') {
  return server.app.inject({
    method: 'POST',
    url: '/api/v1/val-fleuri/forms/contact-mairie/submissions',
    remoteAddress,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ data: contactData() }),
  });
}

describe('rate limits count what they are about, once, whichever way it comes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], submissionsPerMinute: 3, trackingLookupsPerMinute: 2, authFailuresPerMinute: 10 });
  });
  after(async () => server.close());

  it('shares one submissions counter between the API and the HTML form, and gives the form back at the limit', async () => {
    assert.equal((await apiSubmit(server)).statusCode, 201);
    assert.equal((await apiSubmit(server)).statusCode, 201);
    const path = '/val-fleuri/demarches/contact-mairie';
    const third = await postForm(server.url, path, await openForm(server.url, path), validFormData(CONTACT));
    assert.equal(third.status, 200, 'the third, through the form, is accepted');
    const fourth = await postForm(server.url, path, await openForm(server.url, path), validFormData(CONTACT, { message: 'Mon texte tapé avec soin' }));
    assert.equal(fourth.status, 429);
    assert.match(fourth.html, /Trop de demandes envoyées depuis cette adresse : réessayez dans (\d+ secondes?|1 minute)/);
    assert.match(fourth.html, /Mon texte tapé avec soin/, 'what was typed is still there');
    assert.match(fourth.html, /name="_csrf"/, 'ready to be sent later');
    assert.ok(Number(fourth.headers.get('retry-after')) > 0);
    const api = await apiSubmit(server);
    assert.equal(api.statusCode, 429, 'and the API shares the count');
    assert.equal(api.json().error, 'too-many-requests');
    assert.equal((await apiSubmit(server, '203.0.113.9')).statusCode, 201, 'another address has its own');
  });

  it('does not count adding or removing a group row', async () => {
    const own = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], submissionsPerMinute: 1 });
    try {
      const path = '/val-fleuri/demarches/inscription-enfance';
      const opened = await openForm(own.url, path);
      for (let i = 0; i < 5; i++) {
        const res = await postForm(own.url, path, opened, validFormData(ENFANCE), i % 2 === 0 ? 'add:enfants' : 'remove:enfants:1');
        assert.equal(res.status, 200);
      }
      const sent = await postForm(own.url, path, opened, validFormData(ENFANCE));
      assert.equal(sent.status, 200);
      assert.match(sent.html, /bien été (reçue|envoyée)|Numéro de suivi/);
    } finally {
      await own.close();
    }
  });

  it('makes an address that keeps sending wrong tokens wait, even with a right one', async () => {
    const bad = () => server.app.inject({ url: '/api/v1/val-fleuri/records', remoteAddress: '198.51.100.4', headers: { authorization: 'Bearer faux-jeton' } });
    for (let i = 0; i < 10; i++) assert.equal((await bad()).statusCode, 401);
    const waiting = await bad();
    assert.equal(waiting.statusCode, 429);
    assert.match(waiting.json().message, /Trop de jetons refusés/);
    assert.ok(Number(waiting.headers['retry-after']) > 0);
    const other = await server.app.inject({ url: '/api/v1/val-fleuri/records', remoteAddress: '198.51.100.5', headers: { authorization: 'Bearer faux-jeton' } });
    assert.equal(other.statusCode, 401, 'another address is not affected');
  });

  it('shares one tracking counter between the page and the API', async () => {
    const ip = '192.0.2.44';
    assert.equal((await server.app.inject({ url: '/val-fleuri/suivi?code=AAAA-BBBB-CCCC', remoteAddress: ip })).statusCode, 200);
    assert.equal((await server.app.inject({ url: '/api/v1/val-fleuri/tracking/AAAA-BBBB-CCCC', remoteAddress: ip })).statusCode, 404);
    assert.equal((await server.app.inject({ url: '/val-fleuri/suivi?code=AAAA-BBBB-CCCC', remoteAddress: ip })).statusCode, 429);
    assert.equal((await server.app.inject({ url: '/val-fleuri/suivi', remoteAddress: ip })).statusCode, 200, 'the empty page is not a look-up');
  });
});

describe('behind a proxy, only the proxy says who the client is', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], trackingLookupsPerMinute: 2, publicUrl: 'https://demarches.val-fleuri.example' });
  });
  after(async () => server.close());

  const lookUp = (remoteAddress: string, forwardedFor: string, forwardedHost?: string) =>
    server.app.inject({
      url: '/api/v1/val-fleuri/tracking/AAAA-BBBB-CCCC',
      remoteAddress,
      headers: { host: forwardedHost ? 'evil.example' : 'demarches.val-fleuri.example', 'x-forwarded-for': forwardedFor, ...(forwardedHost ? { 'x-forwarded-host': forwardedHost } : {}) },
    });

  it('ignores X-Forwarded-For from a client that is not the proxy', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await lookUp('203.0.113.5', `198.51.100.${i}`)).statusCode);
    assert.deepEqual(statuses, [404, 404, 429, 429], 'one client however it names itself');
  });

  it('takes the client address from the proxy on the same machine', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await lookUp('127.0.0.1', `192.0.2.${i}`)).statusCode);
    assert.deepEqual(statuses, [404, 404, 404, 404], 'four clients behind the proxy');
  });

  it('does not let a client name the host with X-Forwarded-Host', async () => {
    assert.equal((await lookUp('203.0.113.6', '203.0.113.6', 'demarches.val-fleuri.example')).statusCode, 421);
  });
});
