import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../db/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';

const COMMUNE = readFileSync(EXAMPLE_REGISTERS.commune, 'utf8');

for (const kind of testDatabaseKinds()) {
  describe(`the published notice over HTTP (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
    });
    after(async () => server.close());

    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

    it('serves the commune’s notice as a French HTML page with a strict Content-Security-Policy', async () => {
      const res = await get('/val-fleuri/donnees-personnelles');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const body = await res.text();
      assert.match(body, /<html lang="fr">/);
      assert.match(body, /<h1>Données personnelles<\/h1>/);
      assert.match(body, /Mairie de Val-Fleuri/);
    });

    it('serves the département’s notice under its own tenant', async () => {
      const body = await (await get('/haute-vallee/donnees-personnelles')).text();
      assert.match(body, /Département de la Haute-Vallée/);
      assert.doesNotMatch(body, /Mairie de Val-Fleuri/);
    });

    it('answers 304 when the browser already has this version', async () => {
      const first = await get('/val-fleuri/donnees-personnelles');
      const etag = first.headers.get('etag');
      assert.ok(etag);
      const again = await get('/val-fleuri/donnees-personnelles', { 'if-none-match': etag });
      assert.equal(again.status, 304);
    });

    it('gives each representation (HTML or JSON, raw or gzip) its own ETag, and answers 304 only for that one', async () => {
      const page = '/haute-vallee/donnees-personnelles';
      const api = '/api/v1/haute-vallee/notice';
      const tagOf = async (path: string, encoding: string) => {
        const res = await get(path, { 'accept-encoding': encoding });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-encoding') ?? 'identity', encoding);
        assert.match(res.headers.get('vary') ?? '', /accept-encoding/i);
        await res.arrayBuffer();
        return res.headers.get('etag') ?? '';
      };
      const tags = { html: await tagOf(page, 'identity'), htmlGzip: await tagOf(page, 'gzip'), json: await tagOf(api, 'identity'), jsonGzip: await tagOf(api, 'gzip') };
      assert.equal(new Set(Object.values(tags)).size, 4, JSON.stringify(tags));
      for (const tag of Object.values(tags)) assert.match(tag, /^"[\w-]+"$/);

      const revalidate = async (path: string, encoding: string, ifNoneMatch: string) => {
        const res = await get(path, { 'accept-encoding': encoding, 'if-none-match': ifNoneMatch });
        await res.arrayBuffer();
        return res;
      };
      const notModified = await revalidate(page, 'gzip', tags.htmlGzip);
      assert.equal(notModified.status, 304);
      assert.equal(notModified.headers.get('etag'), tags.htmlGzip);
      assert.match(notModified.headers.get('vary') ?? '', /accept-encoding/i);
      assert.equal((await revalidate(page, 'identity', tags.html)).status, 304);
      assert.equal((await revalidate(api, 'identity', tags.json)).status, 304);
      assert.equal((await revalidate(api, 'gzip', tags.jsonGzip)).status, 304);
      // A tag names one representation: the raw page's does not validate the gzip bytes, nor the JSON.
      assert.equal((await revalidate(page, 'gzip', tags.html)).status, 200);
      assert.equal((await revalidate(page, 'identity', tags.htmlGzip)).status, 200);
      assert.equal((await revalidate(api, 'identity', tags.html)).status, 200);
      // A cache holding several representations lists their tags; a proxy may have weakened one.
      assert.equal((await revalidate(page, 'gzip', `${tags.html}, ${tags.htmlGzip}`)).status, 304);
      assert.equal((await revalidate(api, 'identity', `W/${tags.json}`)).status, 304);
    });

    it('serves the notice as JSON with every transparency item', async () => {
      const res = await get('/api/v1/val-fleuri/notice');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const notice = (await res.json()) as Record<string, any>;
      for (const key of ['controller', 'dpo', 'processings', 'cookies', 'embeds', 'version', 'publishedAt']) assert.ok(key in notice, key);
      for (const p of notice['processings'])
        for (const item of ['purposes', 'legalBasis', 'data', 'source', 'subjects', 'recipients', 'retention', 'security', 'transfersOutsideEU', 'automatedDecision', 'rights'])
          assert.ok(p[item] !== undefined && p[item] !== null, `${p.id}.${item}`);
    });

    it('answers an unknown tenant with a French 404 page, and in JSON on the API', async () => {
      const page = await get('/commune-inconnue/donnees-personnelles');
      assert.equal(page.status, 404);
      assert.match(await page.text(), /Cette collectivité n’existe pas/);
      const api = await get('/api/v1/commune-inconnue/notice');
      assert.equal(api.status, 404);
      assert.deepEqual(await api.json(), { error: 'tenant-not-found', message: 'Cette collectivité n’existe pas sur cette plateforme.' });
      const odd = await get('/%3Cscript%3E/donnees-personnelles');
      assert.equal(odd.status, 404);
      assert.doesNotMatch(await odd.text(), /<script>/);
    });

    it('answers an unknown page of a known tenant with a 404 in the tenant’s layout', async () => {
      const res = await get('/val-fleuri/nulle-part');
      assert.equal(res.status, 404);
      const body = await res.text();
      assert.match(body, /La page demandée n’existe pas/);
      assert.match(body, /Commune de Val-Fleuri/);
    });

    it('publishes a new version when the register changes, and keeps the earlier one readable', async () => {
      const { version } = await server.load(COMMUNE.replace('name: Mairie de Val-Fleuri', 'name: Mairie de Val-Fleuri (nouvelle adresse)'));
      assert.equal(version, 2);
      const current = await (await get('/val-fleuri/donnees-personnelles')).text();
      assert.match(current, /Version 2, publiée le/);
      assert.match(current, /nouvelle adresse/);
      const list = await (await get('/val-fleuri/donnees-personnelles/versions')).text();
      assert.match(list, /Version 2/);
      assert.match(list, /href="\/val-fleuri\/donnees-personnelles\/versions\/1"/);
      const old = await get('/val-fleuri/donnees-personnelles/versions/1');
      assert.equal(old.status, 200);
      const oldBody = await old.text();
      assert.match(oldBody, /Version archivée/);
      assert.doesNotMatch(oldBody, /nouvelle adresse/);
      const oldJson = (await (await get('/api/v1/val-fleuri/notice?version=1')).json()) as { version: number };
      assert.equal(oldJson.version, 1);
      const currentAsVersion = await get('/val-fleuri/donnees-personnelles/versions/2');
      assert.equal(currentAsVersion.status, 302);
    });

    it('answers 404 for a version that does not exist or is not a number', async () => {
      for (const v of ['99', '0', 'abc', '-1', '1e3']) {
        const res = await get(`/val-fleuri/donnees-personnelles/versions/${v}`);
        assert.equal(res.status, 404, v);
        assert.match(await res.text(), /Cette version/);
      }
      assert.equal((await get('/api/v1/val-fleuri/notice?version=abc')).status, 404);
    });

    it('lists the authorities, their online procedures and how to exercise rights', async () => {
      assert.match(await (await get('/')).text(), /Département de la Haute-Vallée/);
      const demarches = await (await get('/val-fleuri/demarches')).text();
      assert.match(demarches, /Signaler un problème/);
      const droits = await (await get('/val-fleuri/mes-droits')).text();
      assert.match(droits, /mailto:dpo@cdg-haute-vallee\.example/);
      assert.equal((await get('/val-fleuri')).status, 302);
    });

    it('answers /healthz when the database is up', async () => {
      const res = await get('/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', database: kind });
    });
  });
}
