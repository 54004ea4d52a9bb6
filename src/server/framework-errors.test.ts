/**
 * What Fastify and Node refuse before any route runs, over a real socket
 * (`inject` bypasses Node's parser): French, from the error catalogue, with
 * the security headers of every page, and never repeating what was sent.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from './testing.ts';

/** Placed in the URL, a header or the body: it must come back nowhere. */
const MARKER = 'MarqueurZq7';

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
  text: string;
}

/** Sends bytes as they are and reads until the server closes the connection. */
function send(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
      const status = Number(statusLine.split(' ')[1]);
      if (!status) reject(new Error(`no response: ${JSON.stringify(text.slice(0, 200))}`));
      else resolve({ status, headers, body: rest.join('\r\n\r\n'), text });
    };
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', done);
    // The server may close while this side still writes (a body it will not read): what it sent is still there.
    socket.on('error', () => {});
    socket.write(request);
  });
}

const request = (line: string, headers: string[] = [], body = '') =>
  [line, 'Host: 127.0.0.1', 'Connection: close', ...headers, ''].join('\r\n') + `\r\n${body}`;

describe('errors raised by Fastify and Node, over a real socket', () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune] });
    port = Number(new URL(server.url).port);
  });
  after(async () => server.close());

  /** What every one of these answers shares. */
  function assertSafeFrench(res: RawResponse, status: number, message: RegExp, kind: 'html' | 'json') {
    assert.equal(res.status, status, res.text.slice(0, 300));
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-type') ?? '', kind === 'html' ? /^text\/html; charset=utf-8/ : /^application\/json; charset=utf-8/);
    if (kind === 'html') assert.match(res.body, /<html lang="fr">/);
    assert.match(res.body, message);
    assert.equal(Buffer.byteLength(res.body), Number(res.headers.get('content-length')));
    assert.doesNotMatch(res.text, new RegExp(MARKER, 'i'));
  }

  it('answers a URL that does not decode with a French 400 (HTML page, JSON on the API)', async () => {
    const page = await send(port, request(`GET /val-fleuri/%E0%A4%A${MARKER} HTTP/1.1`));
    assertSafeFrench(page, 400, /Cette adresse est mal formée/, 'html');
    const api = await send(port, request(`GET /api/v1/%E0%A4%A${MARKER}/notice HTTP/1.1`));
    assertSafeFrench(api, 400, /mal formée/, 'json');
    assert.equal(JSON.parse(api.body).error, 'bad-url');
  });

  it('answers a route parameter over Fastify’s maxParamLength (100) with a French 414', async () => {
    const res = await send(port, request(`GET /${MARKER}${'a'.repeat(200)}/donnees-personnelles HTTP/1.1`));
    assertSafeFrench(res, 414, /Cette adresse est trop longue/, 'html');
  });

  it('answers a URL over Node’s 16 KiB header limit with a French 414 written on the socket', async () => {
    const res = await send(port, request(`GET /api/v1/val-fleuri/notice?q=${MARKER}${'a'.repeat(20_000)} HTTP/1.1`));
    assertSafeFrench(res, 414, /trop longue/, 'json');
    assert.deepEqual(JSON.parse(res.body), { error: 'uri-too-long', message: 'Cette adresse est trop longue pour être traitée : vérifiez le lien.' });
  });

  it('answers headers over Node’s limit with a French 431 carrying the same security headers as any page', async () => {
    const res = await send(port, request('GET /val-fleuri/donnees-personnelles HTTP/1.1', [`Cookie: x=${MARKER}${'a'.repeat(20_000)}`]));
    assertSafeFrench(res, 431, /supprimez les cookies de ce site/, 'html');
    // Helmet's headers on an ordinary page, and the ones written by hand on the socket, are the same.
    const ordinary = await send(port, request('GET /val-fleuri/donnees-personnelles HTTP/1.1'));
    const helmetNames = [...ordinary.headers.keys()].filter((h) => /^(content-security-policy|cross-origin-|origin-agent|referrer-policy|x-|strict-transport)/.test(h));
    assert.ok(helmetNames.length >= 8, helmetNames.join());
    for (const name of helmetNames) assert.equal(res.headers.get(name), ordinary.headers.get(name), name);
  });

  it('answers what is not HTTP with a French 400', async () => {
    const res = await send(port, `GET /val-fleuri ${MARKER}\r\n\r\n`);
    assertSafeFrench(res, 400, /La requête est invalide/, 'html');
  });

  it('answers a body over the limit with a French 413, before reading it', async () => {
    const api = await send(port, request('PATCH /api/v1/val-fleuri/records/x HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 2000000'], `{"status":"${MARKER}`));
    assertSafeFrench(api, 413, /dépassent la taille autorisée/, 'json');
    assert.equal(JSON.parse(api.body).error, 'payload-too-large');
    const page = await send(port, request('POST /val-fleuri/nulle-part HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 2000000'], `{"a":"${MARKER}`));
    assertSafeFrench(page, 413, /dépassent la taille autorisée/, 'html');
  });

  it('answers an unsupported media type with a French 415 that does not repeat it', async () => {
    const body = 'a=1';
    const res = await send(port, request('PATCH /api/v1/val-fleuri/records/x HTTP/1.1', [`Content-Type: application/x-${MARKER}`, `Content-Length: ${body.length}`], body));
    assertSafeFrench(res, 415, /n’est pas pris en charge/, 'json');
    assert.equal(JSON.parse(res.body).error, 'unsupported-media-type');
  });

  it('answers a body that is not JSON with a French 400 that does not repeat it', async () => {
    const body = `{"status": ${MARKER}`;
    const api = await send(port, request('PATCH /api/v1/val-fleuri/records/x HTTP/1.1', ['Content-Type: application/json', `Content-Length: ${body.length}`], body));
    assertSafeFrench(api, 400, /JSON/, 'json');
    const page = await send(port, request('POST /val-fleuri/nulle-part HTTP/1.1', ['Content-Type: application/json', `Content-Length: ${body.length}`], body));
    assertSafeFrench(page, 400, /invalide/, 'html');
  });
});

describe('a request arriving while the server closes', () => {
  it('gets a French 503 with the security headers, not Fastify’s bare English one', async () => {
    const server = await startTestServer();
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString('utf8')));
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 200));
    // Headers under way keep the connection open through close(); the request starts once they are complete.
    socket.write('GET /api/v1/val-fleuri/notice HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await pause();
    const closed = server.app.close();
    await pause();
    socket.write('\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await closed;
    await server.database.close();
    assert.match(text, /^HTTP\/1\.1 503 /);
    assert.match(text, /content-security-policy: default-src 'none'/i);
    assert.match(text, /x-content-type-options: nosniff/i);
    assert.match(text, /"error":"service-unavailable","message":"Le service redémarre/);
  });
});
