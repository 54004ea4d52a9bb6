/**
 * The DPO's proofs of consent: a consent id looked up on the page and through
 * the API (choices made through POST /api/v1/{tenant}/consent, in order, in
 * French), the export of a period as CSV, the errors of each form, and what
 * another role or another authority never gets.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { consentConfig } from '../../consent/consent-config.ts';
import { proofsBetween, recordProof, type Proof } from '../../consent/consent-proofs.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { accountWithToken, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { signInEnrolling } from '../admin/testing.ts';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../testing.ts';
import { proofsCsv } from './consent-proofs-export.ts';

interface ApiProofs {
  consentId: string;
  proofs: Array<{ at: string; choices: Record<string, boolean>; registerVersion: number; configHash: string; textHash: string | null; textMatches: boolean | null; lang: string; source: string; site: string }>;
}

/** The sections of the page, one per proof, in the order shown. */
const sections = (body: string) => body.split('<section aria-labelledby="proof-').slice(1);
const row = (name: string, value: string) => new RegExp(`<th scope="row">${name}</th><td>${value}</td>`);

for (const kind of testDatabaseKinds()) {
  describe(`DPO proofs of consent (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let b: LoadedRegister;
    let dpo: TestBrowser;
    let lea: TestBrowser;
    let dpoId = '';
    let dpoToken = '';
    let agentToken = '';
    let otherDpoToken = '';
    const page = (tenantId: string, q = '') => `/${tenantId}/back-office/consentements${q}`;
    const api = (tenantId: string, id: string, token: string) => fetch(`${server.url}/api/v1/${tenantId}/consent/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const choose = async (tenantId: string, body: Record<string, unknown>) => {
      const r = await fetch(`${server.url}/api/v1/${tenantId}/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(r.status, 201);
      return ((await r.json()) as { consentId: string }).consentId;
    };
    const journalRows = async () => (await server.database.db.selectFrom('journal').select('seq').where('tenant_id', '=', a.tenantId).execute()).length;
    const csv = async (q: string) => {
      const r = await fetch(`${server.url}${page(a.tenantId, `.csv${q}`)}`, { headers: { cookie: `bastide_agent=${dpo.cookie('bastide_agent')}` } });
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const proof = (overrides: Partial<Proof>): Proof => ({
      consentId: randomUUID(),
      choices: { youtube: true, facebook: false, audience: true },
      registerVersion: a.version,
      configHash: consentConfig(a).configHash,
      textHash: consentConfig(a).textHash.fr,
      lang: 'fr',
      source: 'panel',
      site: 'https://www.val-fleuri.example',
      at: new Date(),
      ...overrides,
    });

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('bo-preuves'));
      b = await loadCommune(db, uniqueTenantId('bo-preuves-b'));
      const dpoAccount = await agentWithPassword(db, a, 'dpo', [], 'dpo@preuves.example.fr');
      await agentWithPassword(db, a, 'agent', ['accueil'], 'lea@preuves.example.fr');
      dpo = new TestBrowser(server.url);
      dpoId = dpoAccount.id;
      await signInEnrolling(server, dpo, a.tenantId, dpoAccount.id, 'dpo@preuves.example.fr');
      lea = new TestBrowser(server.url);
      await signInWithPassword(lea, a.tenantId, 'lea@preuves.example.fr');
      dpoToken = (await accountWithToken(db, a, 'dpo')).token;
      agentToken = (await accountWithToken(db, a, 'agent', ['accueil'])).token;
      otherDpoToken = (await accountWithToken(db, b, 'dpo')).token;
    });
    after(() => server.close());

    it('shows every choice of a consent id, oldest first, in French, with the texts read when their hash matches, and journals nothing', async () => {
      const c = consentConfig(a);
      const id = await choose(a.tenantId, { choices: { youtube: true }, version: c.version, textHash: c.textHash.fr, lang: 'fr', source: 'banner' });
      // A change of mind, under the same id, through the bare API (no text of ours).
      assert.equal(await choose(a.tenantId, { choices: { youtube: false, audience: false }, consentId: id }), id);
      const journaled = await journalRows();

      const res = await dpo.get(page(a.tenantId, `?id=${id.toUpperCase()}`));
      assert.equal(res.status, 200);
      assert.match(res.body, /aria-current="page">Preuves de consentement/);
      assert.match(res.body, /<label for="id-consentement">Identifiant de consentement<\/label>/);
      assert.match(res.body, /2 choix enregistrés sous l’identifiant/);
      const [first, second, third] = sections(res.body);
      assert.ok(first && second && !third, 'two proofs');
      assert.match(first, /Choix n° 1/);
      assert.match(first, /<dt>Fait depuis<\/dt><dd>bannière<\/dd>/);
      assert.ok(first.includes(`<dt>Site</dt><dd>${server.url}</dd>`));
      assert.match(first, new RegExp(`version ${c.version}</a>`));
      assert.match(first, row('YouTube', 'autorisé'));
      assert.match(first, row('Facebook', 'refusé'));
      assert.match(first, row('Mesure d’audience', 'acceptée'));
      assert.match(first, /Correspond aux textes que la version \d+ présente aujourd’hui \(en français\)/);
      assert.match(first, /<details><summary>Textes lus par le visiteur<\/summary>[\s\S]*<li>Tout accepter<\/li>[\s\S]*<\/details>/);
      assert.match(second, /Choix n° 2/);
      assert.match(second, /<dt>Fait depuis<\/dt><dd>API<\/dd>/);
      assert.match(second, row('YouTube', 'refusé'));
      assert.match(second, row('Mesure d’audience', 'refusée'));
      assert.match(second, /aucune : choix envoyé par l’API/);
      assert.doesNotMatch(second, /<details>/);
      assert.equal(await journalRows(), journaled, 'a proof holds no personal data: nothing journaled');

      const json = await api(a.tenantId, id, dpoToken);
      assert.equal(json.status, 200);
      assert.equal(json.headers.get('cache-control'), 'no-store');
      const body = (await json.json()) as ApiProofs;
      assert.equal(body.consentId, id);
      assert.deepEqual(
        body.proofs.map((p) => [p.source, p.choices, p.textHash, p.textMatches, p.lang, p.registerVersion, p.configHash, p.site]),
        [
          ['banner', { youtube: true, facebook: false, audience: true }, c.textHash.fr, true, 'fr', c.version, c.configHash, server.url],
          ['api', { youtube: false, facebook: false, audience: false }, null, null, 'fr', c.version, c.configHash, server.url],
        ],
      );
      assert.ok(body.proofs[0]!.at <= body.proofs[1]!.at);
      assert.equal(await journalRows(), journaled);
    });

    it('says when a proof’s text hash is no longer that of its version’s texts, and shows no text then', async () => {
      const p = proof({ textHash: 'ab'.repeat(32), source: 'embed' });
      await recordProof(server.database.db, a.tenantId, p);
      const res = await dpo.get(page(a.tenantId, `?id=${p.consentId}`));
      assert.equal(res.status, 200);
      assert.match(res.body, /<dd>bouton d’un contenu<\/dd>/);
      assert.match(res.body, /Ne correspond pas aux textes que la version \d+ présente aujourd’hui/);
      assert.doesNotMatch(res.body, /<details>/);
      const body = (await (await api(a.tenantId, p.consentId, dpoToken)).json()) as ApiProofs;
      assert.equal(body.proofs[0]!.textMatches, false);
    });

    it('refuses a malformed id with a French message tied to the field, and says when an id has no proof', async () => {
      const bad = await dpo.get(page(a.tenantId, '?id=12345'));
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<title>Erreur : Preuves de consentement/);
      assert.match(bad.body, /href="#id-consentement">Saisissez l’identifiant de consentement complet : 36 caractères/);
      assert.match(bad.body, /aria-describedby="id-consentement-hint id-consentement-error" aria-invalid="true"/);
      assert.match(bad.body, /value="12345"/);

      const unknown = await dpo.get(page(a.tenantId, `?id=${randomUUID()}`));
      assert.equal(unknown.status, 200);
      assert.match(unknown.body, /Aucune preuve pour cet identifiant\./);
      assert.doesNotMatch(unknown.body, /Erreur/);

      for (const id of [randomUUID(), 'pas-un-uuid']) {
        const r = await api(a.tenantId, id, dpoToken);
        assert.equal(r.status, 404, id);
        assert.deepEqual(await r.json(), { error: 'consent-not-found', message: 'Aucune preuve de consentement pour cet identifiant.' });
      }
    });

    it('refuses the page, the export and the API to any other role', async () => {
      const id = randomUUID();
      for (const path of [page(a.tenantId), page(a.tenantId, `?id=${id}`), page(a.tenantId, '.csv?du=01/01/2026&au=31/01/2026')]) {
        const r = await lea.get(path);
        assert.equal(r.status, 403, path);
        assert.match(r.body, /Accès réservé/);
      }
      assert.doesNotMatch((await lea.get(`/${a.tenantId}/back-office`)).body, /Preuves de consentement/);
      const r = await api(a.tenantId, id, agentToken);
      assert.equal(r.status, 403);
      assert.match(((await r.json()) as { message: string }).message, /délégué à la protection des données/);
      assert.equal((await fetch(`${server.url}/api/v1/${a.tenantId}/consent/${id}`)).status, 401);
    });

    it('never shows another authority’s proofs, even under the same consent id', async () => {
      const shared = randomUUID();
      await choose(b.tenantId, { choices: { youtube: true }, consentId: shared });
      const onlyB = randomUUID();
      await choose(b.tenantId, { choices: { facebook: true }, consentId: onlyB });
      await choose(a.tenantId, { choices: { youtube: false }, consentId: shared });

      assert.match((await dpo.get(page(a.tenantId, `?id=${onlyB}`))).body, /Aucune preuve pour cet identifiant\./);
      assert.equal((await api(a.tenantId, onlyB, dpoToken)).status, 404);
      const mine = (await (await api(a.tenantId, shared, dpoToken)).json()) as ApiProofs;
      assert.deepEqual(
        mine.proofs.map((p) => p.choices['youtube']),
        [false],
      );
      assert.equal(sections((await dpo.get(page(a.tenantId, `?id=${shared}`))).body).length, 1);
      // The other authority's DPO token is unknown here, and its own API shows its own proof only.
      assert.equal((await api(a.tenantId, shared, otherDpoToken)).status, 401);
      const theirs = (await (await api(b.tenantId, shared, otherDpoToken)).json()) as ApiProofs;
      assert.deepEqual(
        theirs.proofs.map((p) => p.choices['youtube']),
        [true],
      );
      const all = (await csv(`?du=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}&au=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`)).bytes.toString('utf8');
      assert.ok(all.includes(shared));
      assert.ok(!all.includes(onlyB), 'another authority’s proof in the export');
    });

    it('exports the proofs of a period as CSV for French spreadsheets, Paris days included, with a column per service', async () => {
      // March 2026 in Paris: from 2026-02-28T23:00Z (UTC+1) to 2026-03-31T22:00Z (UTC+2 after the 29th).
      const inside = [
        proof({ at: new Date('2026-02-28T23:00:00Z'), source: 'banner' }),
        proof({ at: new Date('2026-03-15T10:20:30Z'), choices: { youtube: true, audience: false }, textHash: null, source: 'api' }),
        proof({ at: new Date('2026-03-31T21:59:59Z'), site: '=HYPERLINK("https://evil.example")', source: 'page' }),
      ];
      const outside = [proof({ at: new Date('2026-02-28T22:59:59Z') }), proof({ at: new Date('2026-03-31T22:00:00Z') })];
      for (const p of [...inside, ...outside]) await recordProof(server.database.db, a.tenantId, p);
      await recordProof(server.database.db, b.tenantId, { ...proof({ at: new Date('2026-03-10T12:00:00Z') }), registerVersion: b.version });

      const res = await csv('?du=01/03/2026&au=2026-03-31');
      assert.equal(res.status, 200);
      assert.equal(res.type, 'text/csv; charset=utf-8');
      assert.match(res.disposition ?? '', new RegExp(`attachment; filename="preuves-consentement-${a.tenantId}-2026-03-01-2026-03-31\\.csv"`));
      assert.deepEqual([...res.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
      const lines = res.bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
      assert.equal(lines.pop(), '', 'each line ends with CRLF');
      assert.equal(lines[0], 'Date (heure de Paris);Identifiant de consentement;Source;Site;Version du registre;Empreinte du texte;YouTube;Facebook;Mesure d’audience');
      assert.equal(lines.length, 1 + inside.length, lines.join('\n'));
      for (const p of outside) assert.ok(!lines.some((l) => l.includes(p.consentId)), 'a proof outside the period');
      const c = consentConfig(a);
      assert.deepEqual(lines.slice(1), [
        `01/03/2026 00:00:00;${inside[0]!.consentId};bannière;https://www.val-fleuri.example;${a.version};${c.textHash.fr};oui;non;oui`,
        `15/03/2026 11:20:30;${inside[1]!.consentId};API;https://www.val-fleuri.example;${a.version};;oui;;non`,
        `31/03/2026 23:59:59;${inside[2]!.consentId};page Gestion des cookies;"'=HYPERLINK(""https://evil.example"")";${a.version};${c.textHash.fr};oui;non;oui`,
      ]);
      // Read page by page (two proofs a page here, 2,000 in the route): the same bytes.
      const paged = proofsCsv(c, proofsBetween(server.database.db, a.tenantId, dpoId, new Date('2026-02-28T23:00:00Z'), new Date('2026-03-31T22:00:00Z'), 2));
      const chunks: Buffer[] = [];
      for await (const chunk of paged) chunks.push(Buffer.from(chunk as string));
      assert.deepEqual(Buffer.concat(chunks), res.bytes);
    });

    it('refuses bad export dates on the page, each message on its field, never a 500', async () => {
      const cases: Array<[string, 'du' | 'au', RegExp]> = [
        ['?du=31/02/2026&au=31/03/2026', 'du', /« 31\/02\/2026 » n’est pas une date valide : saisissez la date de début au format JJ\/MM\/AAAA/],
        ['?du=01/03/2026&au=demain', 'au', /« demain » n’est pas une date valide : saisissez la date de fin/],
        ['?au=31/03/2026', 'du', /Saisissez la date de début au format JJ\/MM\/AAAA/],
        ['?du=01/03/2026&au=28/02/2026', 'au', /La date de fin doit être le même jour que la date de début \(1 mars 2026\) ou après/],
        ['?du=31/03/2024&au=31/03/2026', 'du', /La période dépasse 2 ans : choisissez une date de début après le 31 mars 2024/],
        ['?du=01/03/2026&du=02/03/2026&au=31/03/2026', 'du', /Saisissez la date de début/],
        ['?du=0001-01-01&au=9999-12-31', 'du', /n’est pas une date valide/],
      ];
      for (const [q, field, message] of cases) {
        const res = await dpo.get(page(a.tenantId, `.csv${q}`));
        assert.equal(res.status, 400, q);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(res.body, /<title>Erreur : Preuves de consentement/, q);
        assert.match(res.body, new RegExp(`href="#${field}">`), q);
        assert.match(res.body, message, q);
        assert.match(res.body, new RegExp(`aria-describedby="${field}-hint ${field}-error" aria-invalid="true"`), q);
      }
      // Exactly two years is accepted.
      assert.equal((await csv('?du=01/04/2024&au=31/03/2026')).status, 200);
    });
  });
}
