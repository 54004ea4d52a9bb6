import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { checkJson, MAX_DEPTH, MAX_STRING_LENGTH, MAX_VALUES, parseJsonBody, registerJsonBodyParser } from './json-body-parser.ts';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('checking a JSON body before parsing it', () => {
  it('accepts what JSON.parse accepts, within the limits', () => {
    for (const text of ['{}', '[]', '"x"', '-0.5e3', 'null', ' { "a" : [ 1 , true , null , { } ] } ', '{"a":"\\u00e9\\n\\"","b":"\\uD83D\\uDE00"}', `{"a":${nested(MAX_DEPTH - 1)}}`])
      assert.equal(checkJson(text), undefined, text);
  });

  it('refuses what JSON.parse refuses, as a syntax problem of data', () => {
    for (const text of ['{"a":1,}', '[1,]', '{,}', '{"a"}', '[1 2]', 'tru', '{"a":1}x', '{"a":01}', '{"a":"\\x"}', '{"a":"\u0001"}', "{'a':1}", '{"a":1'])
      assert.match(parseJsonBody(text).ok ? '' : (parseJsonBody(text) as { problem: { message: string } }).problem.message, /n’est pas du JSON valide/, text);
    assert.deepEqual(checkJson('  '), { field: 'data', message: 'Le corps de la requête est vide : un objet JSON est attendu.' });
  });

  it(`refuses nesting deeper than ${MAX_DEPTH}, even 5,000 levels, without recursion, naming the field`, () => {
    assert.deepEqual(checkJson(`{"data":{"nom":${nested(5000)}}}`), { field: 'data.nom', message: `Les données sont imbriquées trop profondément (au plus ${MAX_DEPTH} niveaux).` });
    assert.equal(checkJson(nested(MAX_DEPTH)), undefined);
    assert.equal(checkJson(nested(MAX_DEPTH + 1))?.field, 'data');
    assert.equal(checkJson(`{"data":${'{"a":'.repeat(200000)}1${'}'.repeat(200000)}}`)?.message.includes('trop profondément'), true);
  });

  it(`refuses more than ${MAX_VALUES.toLocaleString('en')} keys and values, naming the object that holds them`, () => {
    const keys = (n: number) => `{"data":{"nom":{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}}}`;
    assert.equal(checkJson(keys(4000)), undefined);
    const many = checkJson(keys(6000));
    assert.equal(many?.field, 'data.nom');
    assert.match(many?.message ?? '', /^La requête contient trop de valeurs \(au plus 10\s000\)\.$/);
    assert.equal(checkJson(`{"data":[${Array(MAX_VALUES).fill('0').join(',')}]}`)?.field, 'data');
  });

  it('refuses a string longer than the base64 of the largest upload, counting escapes as one character', () => {
    assert.equal(checkJson(`{"a":"${'x'.repeat(50)}"}`, 50), undefined);
    assert.deepEqual(checkJson(`{"data":{"nom":"${'x'.repeat(51)}"}}`, 50), { field: 'data.nom', message: 'Cette valeur est trop longue (au plus 50 caractères).' });
    assert.equal(checkJson(`{"a":"${'\\/'.repeat(50)}"}`, 50), undefined, 'an escaped slash is one character');
    assert.ok(MAX_STRING_LENGTH > (20_000_000 / 3) * 4);
  });

  it('refuses a key twice in one object, even spelt with an escape', () => {
    assert.deepEqual(checkJson('{"data":{"nom":"a","nom":"b"}}'), { field: 'data.nom', message: 'Cette clé figure deux fois dans le même objet : une seule valeur est admise.' });
    assert.equal(checkJson('{"data":{"n\\u006fm":"a","nom":"b"}}')?.field, 'data.nom');
    assert.equal(checkJson('{"data":{"enfants":[{"prenom":"a"},{"prenom":"b","prenom":"c"}]}}')?.field, 'data.enfants[1].prenom');
    assert.equal(checkJson('[{"a":1},{"a":1}]'), undefined, 'the same key in two objects is fine');
  });

  it('refuses a lone surrogate written as an escape, high or low, in a value or a key', () => {
    for (const s of ['\\uD800', '\\uDBFFx', '\\uDC00', 'a\\uD800\\u0041', '\\uD800\\uD800'])
      assert.deepEqual(checkJson(`{"data":{"nom":"${s}"}}`), {
        field: 'data.nom',
        message: 'Cette valeur contient un caractère Unicode invalide (une moitié de paire de substitution UTF-16, \\uD800 à \\uDFFF, isolée).',
      }, s);
    assert.equal(checkJson('{"data":{"\\uD800":"x"}}')?.field, 'data');
    assert.equal(checkJson('{"data":{"nom":"\\uD83D\\uDE00"}}'), undefined);
  });

  it('refuses __proto__ and constructor.prototype keys, as Fastify does', () => {
    assert.match(checkJson('{"data":{"__proto__":{"admin":true}}}')?.message ?? '', /__proto__/);
    assert.match(checkJson('{"data":{"constructor":{"prototype":{"admin":true}}}}')?.message ?? '', /constructor\.prototype/);
    assert.equal(checkJson('{"data":{"constructor":"x","prototype":"y"}}'), undefined);
  });

  it('never echoes what was sent: keys that do not look like field names end the path', () => {
    assert.equal(checkJson('{"data":{"<script>":{"nom":"\\uD800"}}}')?.field, 'data');
    assert.equal(checkJson('{"data":{"nom":["a","\\uD800"]}}')?.field, 'data.nom');
  });

  it('strips a byte order mark, as Fastify does', () => {
    assert.deepEqual(parseJsonBody('\uFEFF{"a":1}'), { ok: true, value: { a: 1 } });
  });
});

describe('the parser in a server', () => {
  async function app() {
    const server = Fastify();
    registerJsonBodyParser(server);
    server.post('/api/echo', { bodyLimit: 1000 }, async (request) => ({ body: request.body }));
    server.post('/page', async () => 'page');
    await server.ready();
    return server;
  }

  it('hands the parsed body to the route', async () => {
    const server = await app();
    const res = await server.inject({ method: 'POST', url: '/api/echo', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"data":{"nom":"Zoé"}}' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { body: { data: { nom: 'Zoé' } } });
    await server.close();
  });

  it('answers an API refusal with 400 {errors: [{field, message}]}, before the handler', async () => {
    const server = await app();
    const res = await server.inject({ method: 'POST', url: '/api/echo', headers: { 'content-type': 'application/json' }, payload: '{"data":{"nom":"a","nom":"b"}}' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { errors: [{ field: 'data.nom', message: 'Cette clé figure deux fois dans le même objet : une seule valeur est admise.' }] });
    assert.equal(res.headers['cache-control'], 'no-store');
    const deep = await server.inject({ method: 'POST', url: '/api/echo', headers: { 'content-type': 'application/json' }, payload: nested(400) });
    assert.equal(deep.statusCode, 400);
    await server.close();
  });

  it('keeps the route body limit (413) and refuses JSON sent to a page (400)', async () => {
    const server = await app();
    const big = await server.inject({ method: 'POST', url: '/api/echo', headers: { 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(2000)}"}` });
    assert.equal(big.statusCode, 413);
    const page = await server.inject({ method: 'POST', url: '/page', headers: { 'content-type': 'application/json' }, payload: '{"a":"\\uD800"}' });
    assert.equal(page.statusCode, 400);
    await server.close();
  });
});

describe('the JSON check against hostile bodies', () => {
  it('refuses an escaped key with a raw control character instead of throwing', () => {
    assert.equal(checkJson('{"data":{"\n\\u0041":1}}')?.message, 'Le corps de la requête n’est pas du JSON valide.');
  });

  it('answers such a key in a large body (parsed in a task of its own) with a 400, and keeps serving', async () => {
    const app = Fastify();
    registerJsonBodyParser(app);
    app.post('/api/x', async () => ({ ok: true }));
    try {
      const payload = `{"pad":"${'x'.repeat(300_000)}","data":{"\n\\u0041":1}}`;
      const res = await app.inject({ method: 'POST', url: '/api/x', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 400);
      const ok = await app.inject({ method: 'POST', url: '/api/x', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' });
      assert.equal(ok.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
