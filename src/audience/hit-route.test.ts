/**
 * POST /api/v1/{tenant}/hit under bad input: malformed bodies, pages of
 * another authority or another site, absurd fields, a tampered visitor id,
 * a site the register does not list, a flood from one address. Each is
 * ignored (204, stored nowhere; 413 over the body limit), never a 5xx; what is
 * counted is stored as the statistics need it and no more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../db/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { sendHit, storedHits } from './testing.ts';

const VID = 'AbCdEfGhIjKlMnOpQrStUv';

for (const kind of testDatabaseKinds()) {
  describe(`audience hits under bad input (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement], hitsPerMinute: 100 });
    });
    after(async () => server.close());
    const page = (path: string) => `${server.url}${path}`;

    it('counts a page view: its path without query or fragment, an outside site’s host, the form event, the server’s time', async () => {
      const before = (await storedHits(server, 'val-fleuri')).length;
      const res = await sendHit(server, 'val-fleuri', {
        url: page('/val-fleuri/demarches/demande-urbanisme?code=ABCD-EFGH-JKMN&email=anne%40example.org#top'),
        referrer: 'https://www.moteur.example/recherche?q=permis+de+construire+anne+martin',
        vid: VID,
        first: true,
        event: 'form-viewed',
        form: 'demande-urbanisme',
        at: '1970-01-01T00:00:00Z',
        userAgent: 'Navigateur-Temoin',
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('x-bastide-hit'), 'counted');
      const rows = await storedHits(server, 'val-fleuri');
      assert.equal(rows.length, before + 1);
      const hit = rows.at(-1)!;
      assert.equal(hit.path, '/val-fleuri/demarches/demande-urbanisme');
      assert.equal(hit.referrer, 'www.moteur.example');
      assert.equal(hit.event, 'form-viewed');
      assert.equal(hit.form_id, 'demande-urbanisme');
      assert.equal(hit.new_visitor, true);
      assert.ok(Math.abs(new Date(hit.at).getTime() - Date.now()) < 60_000, 'the server’s time, not the body’s');
      assert.notEqual(String(hit.visitor), VID);
      const stored = JSON.stringify(rows.at(-1), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const planted of [VID, 'anne', 'ABCD-EFGH', 'permis', 'Navigateur-Temoin', '1970', '127.0']) assert.ok(!stored.includes(planted), `${planted} stored: ${stored}`);
    });

    it('replaces identifiers in a path (a request’s id, a draft token, a tracking code) and ignores a referrer of the same site', async () => {
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/mon-compte/demandes/3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c'), referrer: page('/val-fleuri/demarches') });
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/demarches/demande-urbanisme/brouillon/Zk3Qv9sLm2Rx8TwY4Np7Hb6JdFc5GaE1Ku0Xo') });
      // One draft token in about 1,500 has no digit at all: it goes all the same.
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/demarches/demande-urbanisme/brouillon/ZkQvsLmRxTwYNpHbJdFcGaEKuXoAbCdEfGhIjKl') });
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/demarches/demande-urbanisme/brouillon/court') });
      const rows = (await storedHits(server, 'val-fleuri')).slice(-4);
      assert.deepEqual(
        rows.map((r) => [r.path, r.referrer]),
        [
          ['/val-fleuri/mon-compte/demandes/:id', null],
          ['/val-fleuri/demarches/demande-urbanisme/brouillon/:id', null],
          ['/val-fleuri/demarches/demande-urbanisme/brouillon/:id', null],
          ['/val-fleuri/demarches/demande-urbanisme/brouillon/:id', null],
        ],
      );
    });

    it('ignores what is not a hit (a 204, as for any hit not counted: CONTRACT.md), never a 5xx, storing nothing', async () => {
      const before = (await storedHits(server, 'val-fleuri')).length;
      const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
      const cases = [
        '{"url": ',
        '[1,2,3]',
        '"juste une chaîne"',
        JSON.stringify({}),
        JSON.stringify({ url: 42 }),
        JSON.stringify({ url: 'http://[pas une adresse' }),
        JSON.stringify({ url: 'javascript:alert(1)' }),
        JSON.stringify({ url: page(`/val-fleuri/${'a'.repeat(3000)}`) }),
        '\u0000\u0001\u0002',
        deep,
        `{"url": ${JSON.stringify(page('/val-fleuri/'))}, "url": ${JSON.stringify(page('/val-fleuri/autre'))}}`,
        `{"url": ${JSON.stringify(page('/val-fleuri/'))}, "referrer": "\\ud800"}`,
        `{"__proto__": {"url": ${JSON.stringify(page('/val-fleuri/'))}}}`,
      ];
      for (const body of cases) {
        const res = await sendHit(server, 'val-fleuri', body);
        assert.equal(res.status, 204, body.slice(0, 40));
        assert.equal(res.headers.get('x-bastide-hit'), 'ignored; malformed', body.slice(0, 40));
      }
      const huge = await sendHit(server, 'val-fleuri', JSON.stringify({ url: page('/val-fleuri/'), pad: 'x'.repeat(20_000) }));
      assert.equal(huge.status, 413);
      assert.equal((await storedHits(server, 'val-fleuri')).length, before);
    });

    it('counts a path alone as a page of the site it comes from, and a form step only on that form’s own page', async () => {
      assert.equal((await sendHit(server, 'val-fleuri', { url: '/val-fleuri/demarches/contact-mairie', event: 'form-viewed', form: 'contact' })).headers.get('x-bastide-hit'), 'counted');
      const [hit] = (await storedHits(server, 'val-fleuri')).slice(-1);
      assert.equal(hit!.path, '/val-fleuri/demarches/contact-mairie');
      assert.equal(hit!.form_id, null, '« contact » is not the form of /demarches/contact-mairie');
    });

    it('ignores, with a 204 and nothing stored, the pages of another authority or site, a tampered visitor id, an unlisted site', async () => {
      const before = (await storedHits(server, 'val-fleuri')).length;
      const cases: Array<[unknown, Record<string, string>, string]> = [
        [{ url: page('/haute-vallee/demarches') }, {}, 'other-tenant'],
        [{ url: page('/val-fleurie/demarches') }, {}, 'other-tenant'],
        [{ url: 'https://www.autre-site.example/val-fleuri/' }, {}, 'other-site'],
        [{ url: page('/val-fleuri/demarches'), vid: 'trop-court' }, {}, 'visitor-id'],
        [{ url: page('/val-fleuri/demarches'), vid: { $ne: null } }, {}, 'visitor-id'],
        [{ url: 'https://evil.example/val-fleuri/' }, { origin: 'https://evil.example' }, 'origin'],
        [{ url: page('/val-fleuri/demarches') }, { 'sec-gpc': '1' }, 'do-not-track'],
        [{ url: page('/val-fleuri/demarches') }, { dnt: '1' }, 'do-not-track'],
      ];
      for (const [body, headers, why] of cases) {
        const res = await sendHit(server, 'val-fleuri', body, headers);
        assert.equal(res.status, 204, JSON.stringify(body));
        assert.equal(res.headers.get('x-bastide-hit'), `ignored; ${why}`, JSON.stringify(body));
      }
      // A form event for a form that does not exist, or another page: the view counts, the event does not.
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/demarches'), event: 'form-submitted', form: 'demande-urbanisme' });
      await sendHit(server, 'val-fleuri', { url: page('/val-fleuri/demarches/inexistante'), event: 'form-viewed', form: 'inexistante' });
      const rows = await storedHits(server, 'val-fleuri');
      assert.equal(rows.length, before + 2);
      assert.deepEqual(
        rows.slice(-2).map((r) => [r.event, r.form_id]),
        [
          [null, null],
          [null, null],
        ],
      );
      assert.equal((await fetch(`${server.url}/api/v1/nulle-part/hit`, { method: 'POST', body: '{}' })).status, 404);
    });

    it('counts the hits of the authority’s other sites, listed in its register, with CORS for them alone', async () => {
      const site = 'https://portail-famille.val-fleuri.example';
      const res = await sendHit(server, 'val-fleuri', { url: `${site}/inscriptions?enfant=Lucas`, referrer: 'https://www.val-fleuri.example/actualites' }, { origin: site });
      assert.equal(res.headers.get('x-bastide-hit'), 'counted');
      assert.equal(res.headers.get('access-control-allow-origin'), site);
      const hit = (await storedHits(server, 'val-fleuri')).at(-1)!;
      assert.equal(hit.path, 'portail-famille.val-fleuri.example/inscriptions', 'another site’s page is named with its host');
      assert.equal(hit.referrer, null, 'another site of the same authority is no referring site');
    });

    it('ignores a flood from one truncated address once its limit is reached, still without an error', async () => {
      const flood = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], hitsPerMinute: 5 });
      try {
        const verdicts: string[] = [];
        for (let i = 0; i < 8; i++) {
          const res = await sendHit(flood, 'val-fleuri', { url: `${flood.url}/val-fleuri/demarches` });
          assert.equal(res.status, 204);
          verdicts.push(res.headers.get('x-bastide-hit')!);
        }
        assert.deepEqual(verdicts, [...Array(5).fill('counted'), ...Array(3).fill('ignored; flood')]);
        assert.equal((await storedHits(flood, 'val-fleuri')).length, 5);
      } finally {
        await flood.close();
      }
    });
  });
}
