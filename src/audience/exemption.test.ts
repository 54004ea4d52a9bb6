/**
 * The CNIL's conditions for an audience measurement exempt from consent,
 * one test each, against the platform as it runs: the hit route, what is
 * stored, the aggregation, the retention run, consent.js itself (run as
 * served, in client-harness.ts) and the notice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { consentConfig } from '../consent/consent-config.ts';
import { consentScriptSource } from '../consent/consent-script.ts';
import { runConsentClient } from '../consent/client/client-harness.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { buildNotice } from '../notice/notice.ts';
import { parseRegister } from '../register/parse.ts';
import { runRetention } from '../retention/retention-run.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { aggregateAudience } from './aggregate.ts';
import { sendHit, storedHits } from './testing.ts';
import { insertHits } from './hit-buffer.ts';
import { truncateIp } from './truncate-ip.ts';
import { VisitorKeys } from './visitor-key.ts';
import { rateLimitsFor } from '../server/app-context.ts';

const VID = 'Zyxwvutsrqponmlkjihgfe';
const DAY = 86_400_000;

async function columns(server: TestServer, table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = ${table} and table_schema = current_schema() order by column_name`.execute(server.database.db);
  return rows.map((r) => r.column_name);
}

for (const kind of testDatabaseKinds()) {
  describe(`audience measurement within the CNIL exemption (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
    });
    after(async () => server.close());
    const url = (path: string) => `${server.url}${path}`;

    it('1. serves this site’s audience only: another authority’s or site’s pages are not counted', async () => {
      const before = (await storedHits(server, 'val-fleuri')).length;
      const ignored = [
        await sendHit(server, 'val-fleuri', { url: url('/haute-vallee/demarches') }),
        await sendHit(server, 'val-fleuri', { url: 'https://www.ailleurs.example/' }),
        await sendHit(server, 'val-fleuri', { url: 'https://www.ailleurs.example/' }, { origin: 'https://www.ailleurs.example' }),
      ];
      for (const res of ignored) assert.match(res.headers.get('x-bastide-hit') ?? '', /^ignored/);
      assert.equal((await storedHits(server, 'val-fleuri')).length, before);
      // A register that names no audience processing measures nothing at all.
      const off = new TextDecoder().decode(readFileSync(EXAMPLE_REGISTERS.commune)).replace(/^audienceProcessing: .*$/m, '').replace(/^ {2}id: val-fleuri$/m, '  id: sans-mesure');
      await server.load(off);
      const res = await sendHit(server, 'sans-mesure', { url: url('/sans-mesure/demarches') });
      assert.equal(res.headers.get('x-bastide-hit'), 'ignored; not-measured');
      assert.equal((await storedHits(server, 'sans-mesure')).length, 0);
    });

    it('2. produces anonymous statistics only: a page view holds a path, a referring host, a form step, a day’s hash; the statistics hold counts', async () => {
      assert.deepEqual(await columns(server, 'audience_hits'), ['at', 'event', 'form_id', 'new_visitor', 'path', 'referrer', 'tenant_id', 'visitor']);
      for (const table of ['audience_days', 'audience_pages', 'audience_referrers', 'audience_forms']) {
        const names = await columns(server, table);
        assert.ok(!names.some((n) => /visitor$|ip|agent|vid/.test(n) && n !== 'visitors' && n !== 'new_visitors'), `${table}: ${names.join(', ')}`);
      }
      // Aggregated, the raw page views are gone: nothing per visitor remains.
      await insertHits(server.database.db, 'val-fleuri', [{ at: new Date(Date.now() - 3 * DAY), visitor: '42', newVisitor: true, path: '/val-fleuri/demarches', referrer: null, formId: null, event: null }]);
      await aggregateAudience(server.database.db, 'val-fleuri', 'communication', new Date());
      const left = await server.database.db.selectFrom('audience_hits').select('at').where('tenant_id', '=', 'val-fleuri').where('at', '<', new Date(Date.now() - 2 * DAY)).execute();
      assert.equal(left.length, 0);
    });

    it('3. is never cross-referenced with other processings: no link to requests or accounts, the same row whoever is signed in', async () => {
      for (const table of ['audience_hits', 'audience_days', 'audience_pages', 'audience_referrers', 'audience_forms'])
        assert.ok(!(await columns(server, table)).some((n) => /record|citizen|subject|email|account|session|agent/.test(n)), table);
      const { rows: keys } = await sql<{ n: string }>`select count(*) as n from information_schema.table_constraints where constraint_type = 'FOREIGN KEY' and table_schema = current_schema() and table_name like 'audience%'`.execute(server.database.db);
      assert.equal(Number(keys[0]!.n), 0);
      const body = { url: url('/val-fleuri/mes-droits'), vid: VID };
      await sendHit(server, 'val-fleuri', body);
      await sendHit(server, 'val-fleuri', body, { cookie: 'bastide_citoyen=session-d-un-usager; bastide_session=abc; bastide_consent=1.x' });
      const [a, b] = (await storedHits(server, 'val-fleuri')).slice(-2);
      const strip = (r: typeof a) => ({ ...r, at: null });
      assert.deepEqual(strip(a!), strip(b!));
    });

    it('4. shares no identifier across sites, authorities or days: the same cookie is another visitor elsewhere and tomorrow', async () => {
      await sendHit(server, 'val-fleuri', { url: url('/val-fleuri/demarches'), vid: VID });
      await sendHit(server, 'haute-vallee', { url: url('/haute-vallee/demarches'), vid: VID });
      const here = (await storedHits(server, 'val-fleuri')).at(-1)!.visitor;
      const there = (await storedHits(server, 'haute-vallee')).at(-1)!.visitor;
      assert.notEqual(String(here), String(there));
      const keys = new VisitorKeys(server.ctx.keys);
      const today = await keys.visitor('val-fleuri', new Date('2026-12-06T10:00:00Z'), VID);
      assert.equal(await keys.visitor('val-fleuri', new Date('2026-12-06T22:00:00Z'), VID), today, 'the same Paris day');
      assert.notEqual(await keys.visitor('val-fleuri', new Date('2026-12-07T10:00:00Z'), VID), today);
      assert.ok(!String(today).includes(VID));
    });

    it('5. sets its visitor identifier for 13 months at most, once, never extended by later visits', async () => {
      const loaded = (await server.registers.current('val-fleuri'))!;
      const source = consentScriptSource(consentConfig(loaded), 'fr');
      const run = (now: Date, jar?: Map<string, { value: string; expires: Date | null }>) =>
        runConsentClient(source, { pageUrl: url('/val-fleuri/demarches'), scriptUrl: url('/val-fleuri/consent.js'), now, ...(jar ? { jar } : {}) });
      const first = run(new Date('2026-01-31T10:00:00Z'));
      const vid = first.writes.filter((w) => w.name === 'bastide_vid');
      assert.equal(vid.length, 1);
      assert.equal(vid[0]!.path, '/val-fleuri', 'one authority’s pages only on the platform');
      // 13 calendar months from 31 January 2026 end with February 2027, never in March.
      const end = vid[0]!.expires!;
      assert.ok(end.getTime() > Date.parse('2027-02-27T00:00:00Z') && end.getTime() <= Date.parse('2027-02-28T23:59:59Z'), end.toISOString());
      const later = run(new Date('2026-09-01T10:00:00Z'), first.jar);
      assert.equal(later.writes.filter((w) => w.name === 'bastide_vid').length, 0, 'a later visit leaves the cookie and its end as they are');
      assert.equal(later.beacons[0]!.body['vid'], first.beacons[0]!.body['vid']);
      assert.equal(later.beacons[0]!.body['first'], false);
      // The register cannot declare it longer.
      const longer = new TextDecoder().decode(readFileSync(EXAMPLE_REGISTERS.commune)).replace(/(name: bastide_vid\n\s+category: audience-exempt\n(?:.*\n)?\s+lifetime: )P13M/, '$1P14M');
      const parsed = parseRegister(new TextEncoder().encode(longer));
      assert.ok(!parsed.ok && parsed.problems.some((p) => /13 mois/.test(p.message)), 'P14M refused');
    });

    it('6. keeps the collected data 25 months at most, by the retention engine', async () => {
      const t = 'val-fleuri';
      const asOf = new Date();
      const old = new Date(asOf.getTime() - 26 * 31 * DAY);
      const young = new Date(asOf.getTime() - 24 * 30 * DAY);
      await insertHits(server.database.db, t, [old, young].map((at) => ({ at, visitor: '7', newVisitor: false, path: '/val-fleuri/x', referrer: 'ailleurs.example', formId: null, event: null })));
      await aggregateAudience(server.database.db, t, 'communication', asOf);
      const report = await runRetention(server.database.db, t, { asOf, keys: () => server.ctx.keys });
      assert.ok((report.stores.audience?.daysDeleted ?? 0) >= 1);
      assert.equal(report.stores.audience?.duration, 'P25M');
      const days = (await server.database.db.selectFrom('audience_days').select(sql<string>`day::text`.as('day')).where('tenant_id', '=', t).execute()).map((d) => d.day);
      const cutoff = new Date(asOf.getTime() - 25 * 31 * DAY).toISOString().slice(0, 10);
      assert.ok(days.every((d) => d >= cutoff), days.join(', '));
      assert.ok(days.length >= 1, 'the younger day stays');
      const refs = await server.database.db.selectFrom('audience_referrers').select(sql<string>`day::text`.as('day')).where('tenant_id', '=', t).execute();
      assert.ok(refs.every((d) => d.day >= cutoff));
      const parsed = parseRegister(new TextEncoder().encode(new TextDecoder().decode(readFileSync(EXAMPLE_REGISTERS.commune)).replace(/(id: audience-statistiques[\s\S]*?duration: )P25M/, '$1P26M')));
      assert.ok(!parsed.ok && parsed.problems.some((p) => /25 mois/.test(p.message)), 'P26M refused');
    });

    it('7. truncates IP addresses before anything: nothing of the address is stored, the flood limit counts per truncated prefix', async () => {
      assert.equal(truncateIp('203.0.113.195'), '203.0.0.0');
      assert.equal(truncateIp('::ffff:198.51.100.7'), '198.51.0.0');
      assert.equal(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348'), '2001:db8:85a3::');
      assert.equal(truncateIp('2001:db8::1'), '2001:db8:0::');
      // The route counts floods on the truncated address: two addresses of one /16 share a counter, another /16 has its own.
      const limits = rateLimitsFor({ publicUrl: undefined, submissionsPerMinute: 30, hitsPerMinute: 2 });
      assert.deepEqual(
        ['203.0.113.7', '203.0.99.8', '203.0.1.1', '198.51.100.7'].map((ip) => limits.hit('hit', truncateIp(ip)).ok),
        [true, true, false, true],
      );
      const limited = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune], hitsPerMinute: 2, publicUrl: undefined });
      try {
        const verdicts = [];
        for (let i = 0; i < 3; i++) verdicts.push((await sendHit(limited, 'val-fleuri', { url: `${limited.url}/val-fleuri/` })).headers.get('x-bastide-hit'));
        assert.deepEqual(verdicts, ['counted', 'counted', 'ignored; flood']);
        const stored = JSON.stringify(await storedHits(limited, 'val-fleuri'), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        assert.ok(!/127\.0|::1/.test(stored.replaceAll(limited.url, '')), stored);
      } finally {
        await limited.close();
      }
    });

    it('8. stops every read and write once the visitor objects in the panel', async () => {
      const loaded = (await server.registers.current('val-fleuri'))!;
      const config = consentConfig(loaded);
      const { cookie } = (await (await fetch(url('/api/v1/val-fleuri/consent'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ choices: { audience: false } }) })).json()) as { cookie: string };
      assert.ok(!cookie.split('.')[4]!.split('+').includes('audience'));
      const jar = new Map([
        ['bastide_consent', { value: cookie, expires: null }],
        ['bastide_vid', { value: VID, expires: new Date(Date.now() + 100 * DAY) }],
      ]);
      const run = runConsentClient(consentScriptSource(config, 'fr'), { pageUrl: url('/val-fleuri/demarches'), scriptUrl: url('/val-fleuri/consent.js'), jar });
      assert.deepEqual(run.beacons, []);
      // The identifier an objection made elsewhere (the cookies page) left behind is deleted, and nothing else is written.
      const vid = run.writes.filter((w) => w.name === 'bastide_vid');
      assert.equal(vid.length, 1);
      assert.ok(vid[0]!.expires!.getTime() <= Date.now(), 'deleted');
      assert.equal(run.jar.get('bastide_vid')?.expires?.getTime(), 0);
    });

    it('9. is described in the notice: own measurement, identifier, truncation, retention, opposition', async () => {
      const notice = buildNotice((await server.registers.current('val-fleuri'))!);
      assert.deepEqual(notice.consent.audience, {
        processingId: 'audience-statistiques',
        cookie: 'bastide_vid',
        identifierLifetime: 'P13M',
        identifierExtended: false,
        ipAddress: 'truncated-never-stored',
        statisticsRetention: 'P25M',
        statisticsRetentionText: '25 mois',
        thirdParty: false,
        honoursGlobalPrivacyControl: true,
        optOut: '/val-fleuri/cookies',
      });
      const html = await (await fetch(url('/val-fleuri/donnees-personnelles'))).text();
      assert.match(html, /<h3>Mesure d’audience<\/h3>/);
      assert.match(html, /tronquée dès réception et n’est jamais enregistrée/);
      assert.match(html, /vous y opposer à tout moment sur la page <a href="\/val-fleuri\/cookies">Gestion des cookies<\/a>/);
      assert.ok(notice.processings.some((p) => p.id === 'audience-statistiques'));
    });

    it('10. measures nobody whose browser sends Global Privacy Control or Do Not Track', async () => {
      const loaded = (await server.registers.current('val-fleuri'))!;
      const source = consentScriptSource(consentConfig(loaded), 'fr');
      for (const signal of [{ globalPrivacyControl: true }, { doNotTrack: '1' }]) {
        const run = runConsentClient(source, { pageUrl: url('/val-fleuri/demarches'), scriptUrl: url('/val-fleuri/consent.js'), ...signal });
        assert.deepEqual(run.beacons, [], JSON.stringify(signal));
        assert.equal(run.writes.filter((w) => w.name === 'bastide_vid').length, 0, JSON.stringify(signal));
      }
      const before = (await storedHits(server, 'val-fleuri')).length;
      for (const headers of [{ 'sec-gpc': '1' }, { dnt: '1' }] as Array<Record<string, string>>) assert.equal((await sendHit(server, 'val-fleuri', { url: url('/val-fleuri/'), vid: VID }, headers)).headers.get('x-bastide-hit'), 'ignored; do-not-track');
      assert.equal((await storedHits(server, 'val-fleuri')).length, before);
      // Without either signal the same page is measured, its beacon carrying the page and nothing else about the visitor.
      const measured = runConsentClient(source, { pageUrl: url('/val-fleuri/demarches/demande-urbanisme'), scriptUrl: url('/val-fleuri/consent.js'), meta: 'form-viewed demande-urbanisme' });
      assert.equal(measured.beacons.length, 1);
      assert.equal(measured.beacons[0]!.url, url('/api/v1/val-fleuri/hit'));
      assert.deepEqual(Object.keys(measured.beacons[0]!.body).sort(), ['event', 'first', 'form', 'referrer', 'url', 'vid']);
    });
  });
}
