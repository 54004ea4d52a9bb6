/**
 * POST /api/v1/{tenant}/consent: the proof a visitor's choice leaves (and
 * what it never holds), the signed cookie it answers, and every bad input a
 * careless or hostile client sends: unknown services, wrong types, another
 * site, a flood, a text or version the platform did not show.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../db/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { consentConfig } from './consent-config.ts';
import { readConsentCookie } from './consent-cookie.ts';

const TENANT = 'val-fleuri';

for (const kind of testDatabaseKinds()) {
  describe(`consent proofs through the API (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune] });
    });
    after(async () => server.close());

    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1/${TENANT}/consent`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const proofs = async () => (await server.database.db.selectFrom('consent_proofs').selectAll().where('tenant_id', '=', TENANT).orderBy('id').execute()).map((r) => ({ ...r, choices: typeof r.choices === 'string' ? (JSON.parse(r.choices) as Record<string, boolean>) : r.choices }));
    const config = async () => consentConfig((await server.registers.current(TENANT))!);

    it('records every service as allowed or refused, with the version and the text shown, and nothing about the person', async () => {
      const before = (await proofs()).length;
      const c = await config();
      const res = await post({ choices: { youtube: true }, version: c.version, textHash: c.textHash.fr, lang: 'fr', source: 'banner' }, { 'user-agent': 'Navigateur-Temoin/1.0', 'x-forwarded-for': '203.0.113.77' });
      assert.equal(res.status, 201);
      const body = (await res.json()) as { consentId: string; cookie: string; choices: Record<string, boolean>; expiresAt: string };
      assert.deepEqual(body.choices, { youtube: true, facebook: false, audience: true });
      const rows = await proofs();
      assert.equal(rows.length, before + 1);
      const row = rows.at(-1)!;
      assert.equal(row.consent_id, body.consentId);
      assert.deepEqual(row.choices, { youtube: true, facebook: false, audience: true });
      assert.equal(row.register_version, c.version);
      assert.equal(row.text_hash, c.textHash.fr);
      assert.equal(row.source, 'banner');
      assert.equal(row.site, server.url);
      const stored = JSON.stringify(row);
      for (const planted of ['127.0.0.1:', '203.0.113', 'Navigateur-Temoin']) assert.ok(!stored.replace(server.url, '').includes(planted), `${planted} stored: ${stored}`);
      // Six months, as the cookie.
      const days = (new Date(body.expiresAt).getTime() - Date.now()) / 86_400_000;
      assert.ok(days > 182 && days < 184, String(days));
      const read = await readConsentCookie(server.ctx.keys, c, body.cookie, new Date());
      assert.deepEqual(read?.allowed, { youtube: true, facebook: false, audience: true });
    });

    it('keeps the visitor’s consent id across a change of mind, and a category sets its services', async () => {
      const first = (await (await post({ choices: { video: true, social: true } })).json()) as { consentId: string; choices: Record<string, boolean> };
      assert.deepEqual(first.choices, { youtube: true, facebook: true, audience: true });
      const second = (await (await post({ choices: { social: false, audience: false }, consentId: first.consentId })).json()) as { consentId: string; choices: Record<string, boolean> };
      assert.equal(second.consentId, first.consentId);
      assert.deepEqual(second.choices, { youtube: false, facebook: false, audience: false });
      const mine = (await proofs()).filter((p) => p.consent_id === first.consentId);
      assert.equal(mine.length, 2);
      assert.equal(mine[0]!.source, 'api');
      assert.equal(mine[0]!.text_hash, null, 'no text of ours was shown through the bare API');
    });

    it('refuses unknown services, wrong types and a text it did not show, in French, field by field, storing nothing', async () => {
      const before = (await proofs()).length;
      const cases: Array<[unknown, string, RegExp]> = [
        [{ choices: { tiktok: true } }, 'choices.tiktok', /ni un service, ni une catégorie/],
        [{ choices: { youtube: 'oui' } }, 'choices.youtube', /true \(autoriser\) ou false/],
        [{ choices: ['youtube'] }, 'choices', /objet/],
        [{}, 'choices', /objet/],
        [[1, 2], 'choices', /corps attendu/],
        [{ choices: {}, consentId: 'pas-un-uuid' }, 'consentId', /UUID/],
        [{ choices: {}, lang: 'de' }, 'lang', /fr ou en/],
        [{ choices: {}, source: 'robot' }, 'source', /origine du choix/],
        [{ choices: {}, textHash: 'f'.repeat(64), source: 'panel' }, 'textHash', /ont changé depuis l’affichage de la page : rechargez-la/],
        [{ choices: {}, source: 'panel' }, 'textHash', /quel texte a été lu/],
        [{ choices: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}`, true])) }, 'choices', /au plus 100/],
      ];
      for (const [body, field, message] of cases) {
        const res = await post(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        const { errors } = (await res.json()) as { errors: Array<{ field: string; message: string }> };
        assert.ok(errors.some((e) => e.field === field && message.test(e.message)), `${JSON.stringify(body)} → ${JSON.stringify(errors)}`);
      }
      const bad = await post('{"choices": {"youtube": tru');
      assert.equal(bad.status, 400);
      assert.equal((await proofs()).length, before);
    });

    it('takes choices from the sites the register lists (CORS for those alone) and refuses any other site', async () => {
      const before = (await proofs()).length;
      const listed = 'https://www.val-fleuri.example';
      const ok = await post({ choices: { youtube: false } }, { origin: listed });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('access-control-allow-origin'), listed);
      assert.equal((await proofs()).at(-1)!.site, listed);
      const evil = await post({ choices: { youtube: true } }, { origin: 'https://evil.example' });
      assert.equal(evil.status, 403);
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      assert.match(((await evil.json()) as { message: string }).message, /n’est pas déclaré/);
      assert.equal((await proofs()).length, before + 1);

      const preflight = (origin: string) =>
        fetch(`${server.url}/api/v1/${TENANT}/consent`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      const allowed = await preflight(listed);
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), listed);
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /content-type/);
      const refused = await preflight('https://evil.example');
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
    });

    it('answers 404 in French for an unknown authority', async () => {
      const res = await fetch(`${server.url}/api/v1/nulle-part/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"choices":{}}' });
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as { message: string }).message, /n’existe pas/);
    });

    it('stops a flood of choices from one address with a 429 that says when to retry', async () => {
      let last: Response | undefined;
      for (let i = 0; i < 40; i++) {
        last = await post({ choices: {} }, { 'x-test': String(i) });
        if (last.status === 429) break;
      }
      assert.equal(last?.status, 429);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.match(((await last!.json()) as { errors: Array<{ message: string }> }).errors[0]!.message, /réessayez dans/);
    });
  });
}

describe('the consent cookie', () => {
  it('holds only what the server signed, for this configuration, for six months', async () => {
    const server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
    try {
      const c = consentConfig((await server.registers.current(TENANT))!);
      const other = consentConfig((await server.registers.current('haute-vallee'))!);
      const { cookie } = (await (await fetch(`${server.url}/api/v1/${TENANT}/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choices: { youtube: true } }) })).json()) as { cookie: string };
      const now = new Date();
      const read = (value: string | undefined, config = c, at = now) => readConsentCookie(server.ctx.keys, config, value, at);
      assert.ok(await read(cookie));
      const parts = cookie.split('.');
      const tampered = {
        'choices widened': [...parts.slice(0, 4), 'youtube+facebook', parts[5]].join('.'),
        'MAC changed': [...parts.slice(0, 5), `${parts[5]!.slice(0, -1)}${parts[5]!.endsWith('A') ? 'B' : 'A'}`].join('.'),
        'another configuration': [parts[0], parts[1], 'f'.repeat(16), ...parts.slice(3)].join('.'),
        'no MAC (set by the script when the proof could not be sent)': [...parts.slice(0, 5), ''].join('.'),
        'an unknown service': [...parts.slice(0, 4), 'youtube+tiktok', parts[5]].join('.'),
        garbage: '<script>alert(1)</script>',
        empty: '',
      };
      for (const [what, value] of Object.entries(tampered)) assert.equal(await read(value), null, what);
      assert.equal(await read(cookie, other), null, 'another authority’s configuration');
      assert.equal(await read(cookie, c, new Date(now.getTime() + 184 * 86_400_000)), null, 'older than six months');
      assert.equal(await read(undefined), null);
    } finally {
      await server.close();
    }
  });
});
