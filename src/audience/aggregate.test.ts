import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { bastide, withDatabaseAt } from '../cli/testing.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadRegister } from '../register/register-loader.ts';
import { communeYaml } from '../records/testing.ts';
import { aggregateAudience } from './aggregate.ts';
import { audienceJob } from './audience-job.ts';
import { insertHits, type HitRow } from './hit-buffer.ts';

const SERVICE = 'communication';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const VAL_FLEURI = readFileSync(new URL('../../examples/val-fleuri.yaml', import.meta.url), 'utf8');

/** The demo commune's register without the audience measurement, under another tenant id. */
function unmeasuredYaml(tenantId: string): string {
  const yaml = communeYaml(tenantId);
  const without = yaml.replace(/^audienceProcessing: .*\n/m, '');
  assert.notEqual(without, yaml, 'the example names an audienceProcessing to remove');
  return without;
}

async function load(db: Kysely<Tables>, yaml: string): Promise<string> {
  const r = await loadRegister(db, new TextEncoder().encode(yaml), 'test');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  return r.tenantId;
}

const at = (iso: string) => new Date(iso);

function hit(when: Date | string, path: string, extra: Partial<Omit<HitRow, 'at' | 'path'>> = {}): HitRow {
  return { at: typeof when === 'string' ? at(when) : when, path, visitor: null, newVisitor: false, referrer: null, formId: null, event: null, ...extra };
}

interface DayFigures {
  day: string;
  serviceId: string;
  pageViews: number;
  visits: number;
  visitors: number;
  newVisitors: number;
}

/** What the communication service reads: the aggregate tables, as plain numbers. */
async function figures(db: Kysely<Tables>, tenantId: string) {
  return withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
    const days = await sql<{ day: string; service_id: string; page_views: string | number; visits: string | number; visitors: string | number; new_visitors: string | number }>`
      select day::text as day, service_id, page_views, visits, visitors, new_visitors from audience_days where tenant_id = ${tenantId} order by day`.execute(trx);
    const pages = await sql<{ day: string; path: string; views: string | number }>`
      select day::text as day, path, views from audience_pages where tenant_id = ${tenantId} order by day, path`.execute(trx);
    const referrers = await sql<{ day: string; host: string; visits: string | number }>`
      select day::text as day, host, visits from audience_referrers where tenant_id = ${tenantId} order by day, host`.execute(trx);
    const forms = await sql<{ day: string; form_id: string; viewed: string | number; submitted: string | number }>`
      select day::text as day, form_id, viewed, submitted from audience_forms where tenant_id = ${tenantId} order by day, form_id`.execute(trx);
    return {
      days: days.rows.map(
        (r): DayFigures => ({ day: r.day, serviceId: r.service_id, pageViews: Number(r.page_views), visits: Number(r.visits), visitors: Number(r.visitors), newVisitors: Number(r.new_visitors) }),
      ),
      pages: pages.rows.map((r) => [r.day, r.path, Number(r.views)] as const),
      referrers: referrers.rows.map((r) => [r.day, r.host, Number(r.visits)] as const),
      forms: forms.rows.map((r) => [r.day, r.form_id, Number(r.viewed), Number(r.submitted)] as const),
    };
  });
}

/** The raw hits still waiting, as ISO instants in order. */
async function rawHits(db: Kysely<Tables>, tenantId: string): Promise<string[]> {
  const rows = await withPrincipal(db, { kind: 'system', tenantId }, (trx) => trx.selectFrom('audience_hits').select('at').where('tenant_id', '=', tenantId).orderBy('at').execute());
  return rows.map((r) => new Date(r.at).toISOString());
}

describeEachDatabase('the daily audience aggregation', (database, kind) => {
  const db = () => database().db;

  it('turns a day of page views into page views, visits, unique and new visitors, top pages, referring sites and form funnels', async () => {
    const t = uniqueTenantId('aud');
    const p = (path: string) => `/${t}${path}`;
    const form = p('/demarches/contact-mairie');
    // 2026-03-10 in Paris is UTC+1: 09:00 Paris is 08:00Z.
    const paris = (hh: number, mm: number) => new Date(Date.UTC(2026, 2, 10, hh - 1, mm));
    await insertHits(db(), t, [
      // Visitor 101 (new today): 09:00, 09:29 and 09:58 (29 minutes apart each time: one visit), then 10:29 (31 minutes: a second visit).
      hit(paris(9, 0), p('/accueil'), { visitor: '101', newVisitor: true, referrer: 'www.google.com' }),
      hit(paris(9, 29), form, { visitor: '101', formId: 'contact-mairie', event: 'form-viewed' }),
      hit(paris(9, 58), form, { visitor: '101', formId: 'contact-mairie', event: 'form-submitted' }),
      hit(paris(10, 29), p('/accueil'), { visitor: '101' }),
      // Visitor -202 (a hash is a signed 64-bit number), seen before: one visit of two page views, in the middle of 101's.
      hit(paris(9, 5), p('/accueil'), { visitor: '-202', referrer: 'www.qwant.com' }),
      hit(paris(9, 10), form, { visitor: '-202', formId: 'contact-mairie', event: 'form-viewed' }),
      // Visitor 303 (new), late in the evening.
      hit(paris(23, 50), p('/accueil'), { visitor: '303', newVisitor: true }),
      // Without a cookie, each page view is a visit and a visitor of its own, even at the same instant.
      hit(paris(11, 0), p('/accueil')),
      hit(paris(11, 0), p('/accueil')),
      hit(paris(11, 1), p('/mentions-legales'), { referrer: 'www.google.com' }),
    ]);

    const report = await aggregateAudience(db(), t, SERVICE, at('2026-03-12T09:00:00Z'));
    assert.deepEqual(report, { tenantId: t, days: ['2026-03-10'], hits: 10 });

    const f = await figures(db(), t);
    assert.deepEqual(f.days, [{ day: '2026-03-10', serviceId: SERVICE, pageViews: 10, visits: 7, visitors: 6, newVisitors: 2 }]);
    assert.deepEqual(f.pages, [
      ['2026-03-10', p('/accueil'), 6],
      ['2026-03-10', form, 3],
      ['2026-03-10', p('/mentions-legales'), 1],
    ]);
    assert.deepEqual(f.referrers, [
      ['2026-03-10', 'www.google.com', 2],
      ['2026-03-10', 'www.qwant.com', 1],
    ]);
    assert.deepEqual(f.forms, [['2026-03-10', 'contact-mairie', 2, 1]], 'viewed twice, sent once');
    assert.deepEqual(await rawHits(db(), t), [], 'the raw hits of an aggregated day are gone');
  });

  it('starts a new visit after 30 minutes without a page view, and never joins two visitors’ page views', async () => {
    const t = uniqueTenantId('aud-visits');
    const base = Date.UTC(2026, 4, 20, 8, 0); // 10:00 in Paris (summer time)
    const m = (minutes: number) => new Date(base + minutes * MINUTE);
    await insertHits(db(), t, [
      // 7: a chain of page views each 29 minutes after the last (87 minutes in all) is one visit.
      hit(m(0), '/a', { visitor: '7' }),
      hit(m(29), '/a', { visitor: '7' }),
      hit(m(58), '/a', { visitor: '7' }),
      hit(m(87), '/a', { visitor: '7' }),
      // 8: 31 minutes of silence, twice: three visits.
      hit(m(10), '/b', { visitor: '8' }),
      hit(m(41), '/b', { visitor: '8' }),
      hit(m(72), '/b', { visitor: '8' }),
      // 9: its page views fall in the gaps of 8's, and do not join 8's visits.
      hit(m(20), '/c', { visitor: '9' }),
      hit(m(35), '/c', { visitor: '9' }),
      hit(m(60), '/c', { visitor: '9' }),
    ]);
    await aggregateAudience(db(), t, SERVICE, at('2026-05-21T12:00:00Z'));
    const [day] = (await figures(db(), t)).days;
    assert.deepEqual([day?.pageViews, day?.visits, day?.visitors, day?.newVisitors], [10, 1 + 3 + 1, 3, 0]);
  });

  it('counts each hit in its day in Paris, summer and winter time, on the days the clocks change too', async () => {
    const t = uniqueTenantId('aud-days');
    await insertHits(db(), t, [
      hit('2026-03-28T23:30:00Z', '/a'), // 00:30 on 29 March (UTC+1 until 01:00Z that day)
      hit('2026-03-29T21:59:00Z', '/a'), // 23:59 on 29 March (UTC+2 by then): a 23-hour day
      hit('2026-07-06T21:59:59Z', '/a'), // 23:59:59 on 6 July
      hit('2026-07-06T23:30:00Z', '/a'), // 01:30 on 7 July (summer time)
      hit('2026-10-24T22:00:00Z', '/a'), // midnight exactly on 25 October, still UTC+2
      hit('2026-10-25T22:30:00Z', '/a'), // 23:30 on 25 October, UTC+1 since 01:00Z: a 25-hour day
      hit('2026-12-06T22:59:59Z', '/a'), // 23:59:59 on 6 December
      hit('2026-12-06T23:00:00Z', '/a'), // midnight exactly on 7 December (winter time)
      hit('2026-12-06T23:30:00Z', '/a'), // 00:30 on 7 December
    ]);
    const report = await aggregateAudience(db(), t, SERVICE, at('2026-12-10T12:00:00Z'));
    assert.deepEqual(report.days, ['2026-03-29', '2026-07-06', '2026-07-07', '2026-10-25', '2026-12-06', '2026-12-07']);
    assert.equal(report.hits, 9);
    assert.deepEqual(
      (await figures(db(), t)).days.map((d) => [d.day, d.pageViews]),
      [
        ['2026-03-29', 2],
        ['2026-07-06', 1],
        ['2026-07-07', 1],
        ['2026-10-25', 2],
        ['2026-12-06', 1],
        ['2026-12-07', 2],
      ],
    );
  });

  it('leaves today’s hits (in Paris) and later ones raw, and a second run as of the same moment changes nothing', async () => {
    const t = uniqueTenantId('aud-today');
    await insertHits(db(), t, [
      hit('2026-12-05T12:00:00Z', '/hier', { visitor: '1', newVisitor: true }),
      hit('2026-12-05T22:59:00Z', '/hier', { visitor: '1' }), // 23:59 on the 5th in Paris
      hit('2026-12-05T23:30:00Z', '/aujourdhui', { visitor: '2' }), // 00:30 on the 6th in Paris: today, though the 5th in UTC
      hit('2026-12-06T08:00:00Z', '/aujourdhui'),
      hit('2026-12-07T08:00:00Z', '/demain'), // a clock ahead: not a past day
    ]);
    const now = at('2026-12-06T10:00:00Z');
    assert.deepEqual(await aggregateAudience(db(), t, SERVICE, now), { tenantId: t, days: ['2026-12-05'], hits: 2 });
    const first = await figures(db(), t);
    assert.deepEqual(first.days.map((d) => [d.day, d.pageViews, d.visits, d.visitors, d.newVisitors]), [['2026-12-05', 2, 2, 1, 1]]);
    assert.deepEqual(await rawHits(db(), t), ['2026-12-05T23:30:00.000Z', '2026-12-06T08:00:00.000Z', '2026-12-07T08:00:00.000Z']);

    assert.deepEqual(await aggregateAudience(db(), t, SERVICE, now), { tenantId: t, days: [], hits: 0 }, 'nothing left to aggregate');
    assert.deepEqual(await figures(db(), t), first, 'the figures are not counted twice');

    // The next morning, yesterday is aggregated in turn; tomorrow's hit still waits.
    assert.deepEqual(await aggregateAudience(db(), t, SERVICE, at('2026-12-07T06:00:00Z')), { tenantId: t, days: ['2026-12-06'], hits: 2 });
    assert.deepEqual(await rawHits(db(), t), ['2026-12-07T08:00:00.000Z']);
  });

  it('adds a late hit of a day already aggregated to that day’s figures, page by page', async () => {
    const t = uniqueTenantId('aud-late');
    await insertHits(db(), t, [hit('2026-11-02T10:00:00Z', '/a', { referrer: 'example.org', formId: 'f', event: 'form-viewed' })]);
    await aggregateAudience(db(), t, SERVICE, at('2026-11-03T00:30:00Z'));
    // Written by the hit buffer after the hourly job had passed midnight.
    await insertHits(db(), t, [hit('2026-11-02T22:59:59Z', '/a', { referrer: 'example.org', formId: 'f', event: 'form-submitted' }), hit('2026-11-02T22:59:59Z', '/b')]);
    assert.deepEqual(await aggregateAudience(db(), t, SERVICE, at('2026-11-03T01:30:00Z')), { tenantId: t, days: ['2026-11-02'], hits: 2 });
    const f = await figures(db(), t);
    assert.deepEqual(f.days.map((d) => [d.day, d.pageViews, d.visits]), [['2026-11-02', 3, 3]]);
    assert.deepEqual(f.pages, [
      ['2026-11-02', '/a', 2],
      ['2026-11-02', '/b', 1],
    ]);
    assert.deepEqual(f.referrers, [['2026-11-02', 'example.org', 2]]);
    assert.deepEqual(f.forms, [['2026-11-02', 'f', 1, 1]]);
  });

  it(`counts each hit once when two aggregations run at once (${kind === 'postgres' ? 'concurrent connections' : 'serialised by PGlite'})`, async () => {
    const t = uniqueTenantId('aud-race');
    const days = ['2026-09-01', '2026-09-02', '2026-09-03', '2026-09-04'];
    const rows: HitRow[] = [];
    for (const day of days)
      for (let i = 0; i < 400; i++)
        // Paris is UTC+2 in September: 06:00Z to about 12:40Z is daytime there. Visitor i % 50 comes back every 50 page views.
        rows.push(hit(new Date(Date.parse(`${day}T06:00:00Z`) + i * MINUTE), `/page-${i % 7}`, { visitor: String(i % 50), newVisitor: i < 50, referrer: i % 4 === 0 ? 'www.google.com' : null }));
    await insertHits(db(), t, rows);
    const now = at('2026-09-10T12:00:00Z');
    const reports = await Promise.all([aggregateAudience(db(), t, SERVICE, now), aggregateAudience(db(), t, SERVICE, now), aggregateAudience(db(), t, SERVICE, now)]);
    assert.equal(
      reports.reduce((n, r) => n + r.hits, 0),
      rows.length,
      'the runs together took every hit once',
    );
    const f = await figures(db(), t);
    // Each hit 1 minute after the last of 50 visitors: a visitor's page views are 50 minutes apart, each a visit.
    assert.deepEqual(
      f.days.map((d) => [d.day, d.pageViews, d.visits, d.visitors, d.newVisitors]),
      days.map((day) => [day, 400, 400, 50, 50]),
    );
    assert.deepEqual(
      f.referrers.map(([, host, n]) => [host, n]),
      days.map(() => ['www.google.com', 100]),
    );
    assert.equal(
      f.pages.reduce((n, [, , views]) => n + views, 0),
      rows.length,
    );
    assert.deepEqual(await rawHits(db(), t), []);
  });

  it('aggregates one authority without touching another’s hits or figures', async () => {
    const mine = uniqueTenantId('aud-mine');
    const other = uniqueTenantId('aud-other');
    await insertHits(db(), other, [hit('2026-08-01T10:00:00Z', '/x', { visitor: '5' }), hit('2026-08-02T10:00:00Z', '/x')]);
    await aggregateAudience(db(), other, SERVICE, at('2026-08-02T12:00:00Z'));
    const before = await figures(db(), other);
    await insertHits(db(), mine, [hit('2026-08-01T10:00:00Z', '/y'), hit('2026-08-02T10:00:00Z', '/y')]);

    assert.deepEqual(await aggregateAudience(db(), mine, SERVICE, at('2026-08-05T12:00:00Z')), { tenantId: mine, days: ['2026-08-01', '2026-08-02'], hits: 2 });
    assert.deepEqual(await rawHits(db(), other), ['2026-08-02T10:00:00.000Z'], 'the other authority’s hit of the 2nd is still raw');
    assert.deepEqual(await figures(db(), other), before);
    assert.deepEqual(
      (await figures(db(), mine)).pages.map(([day, path, n]) => [day, path, n]),
      [
        ['2026-08-01', '/y', 1],
        ['2026-08-02', '/y', 1],
      ],
    );
  });

  it('refuses an invalid date without touching any hit', async () => {
    const t = uniqueTenantId('aud-bad');
    await insertHits(db(), t, [hit('2026-06-01T10:00:00Z', '/a')]);
    await assert.rejects(aggregateAudience(db(), t, SERVICE, new Date(Number.NaN)), RangeError);
    assert.deepEqual(await rawHits(db(), t), ['2026-06-01T10:00:00.000Z']);
    assert.deepEqual((await figures(db(), t)).days, []);
  });
});

describeEachDatabase('the hourly audience job', (database) => {
  const db = () => database().db;
  let measured: string;
  let unmeasured: string;
  const now = at('2026-12-06T10:00:00Z');

  before(async () => {
    measured = await load(db(), VAL_FLEURI);
    unmeasured = await load(db(), unmeasuredYaml(uniqueTenantId('sans-mesure')));
  });

  it('aggregates the authorities that measure their audience, and drops the raw hits of one that does not after two days', async () => {
    await insertHits(db(), measured, [hit('2026-12-04T10:00:00Z', '/val-fleuri/a'), hit('2026-12-05T10:00:00Z', '/val-fleuri/b'), hit('2026-12-06T09:00:00Z', '/val-fleuri/c')]);
    await insertHits(db(), unmeasured, [
      hit(new Date(now.getTime() - 3 * DAY), '/x'),
      hit(new Date(now.getTime() - 2 * DAY - MINUTE), '/x'),
      hit(new Date(now.getTime() - 2 * DAY + 2 * HOUR), '/x'),
      hit(new Date(now.getTime() - DAY), '/x'),
    ]);

    assert.deepEqual(await audienceJob.run({ db: db() }, now), { days: 2, hits: 2, dropped: 2 });
    const f = await figures(db(), measured);
    assert.deepEqual(
      f.days.map((d) => [d.day, d.serviceId, d.pageViews]),
      [
        ['2026-12-04', 'communication', 1],
        ['2026-12-05', 'communication', 1],
      ],
      'read by the service the audience processing names',
    );
    assert.deepEqual(await rawHits(db(), measured), ['2026-12-06T09:00:00.000Z'], 'today’s hit waits');
    assert.deepEqual(await rawHits(db(), unmeasured), [new Date(now.getTime() - 2 * DAY + 2 * HOUR).toISOString(), new Date(now.getTime() - DAY).toISOString()], 'hits younger than two days stay');
    assert.deepEqual((await figures(db(), unmeasured)).days, [], 'nothing aggregated for an authority that does not measure');

    assert.deepEqual(await audienceJob.run({ db: db() }, new Date(now.getTime() + HOUR)), { days: 0, hits: 0, dropped: 0 }, 'an hour later: nothing to do');
  });
});

// The real program on an embedded data folder (one process at a time may open it).
describe('bastide audience aggregate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastide-audience-'));
  const run = (args: string[]) => bastide(args, { dataDir });
  let unmeasured: string;

  before(async () => {
    await withDatabaseAt(undefined, dataDir, async ({ db }) => {
      await load(db, VAL_FLEURI);
      unmeasured = await load(db, unmeasuredYaml(uniqueTenantId('sans-mesure')));
      await insertHits(db, 'val-fleuri', [
        hit('2026-12-04T10:00:00Z', '/val-fleuri/demarches', { visitor: '1', newVisitor: true }),
        hit('2026-12-04T10:05:00Z', '/val-fleuri/demarches/contact-mairie', { visitor: '1', formId: 'contact-mairie', event: 'form-viewed' }),
        hit('2026-12-05T22:30:00Z', '/val-fleuri/demarches'), // 23:30 on the 5th in Paris
        hit('2026-12-05T23:30:00Z', '/val-fleuri/demarches'), // 00:30 on the 6th: the day of --now
      ]);
    });
  });

  it('aggregates the days before --now and prints them as JSON', async () => {
    const r = run(['audience', 'aggregate', '--tenant', 'val-fleuri', '--now', '2026-12-06', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ tenantId: 'val-fleuri', days: ['2026-12-04', '2026-12-05'], hits: 3 }]);
    assert.equal(r.stderr, '', 'no progress bar with --json');
    await withDatabaseAt(undefined, dataDir, async ({ db }) => {
      assert.deepEqual(
        (await figures(db, 'val-fleuri')).days.map((d) => [d.day, d.pageViews, d.visits]),
        [
          ['2026-12-04', 2, 1],
          ['2026-12-05', 1, 1],
        ],
      );
      assert.deepEqual(await rawHits(db, 'val-fleuri'), ['2026-12-05T23:30:00.000Z']);
    });
  });

  it('refuses a day that does not exist with exit 2, and an authority that does not measure its audience with exit 1', async () => {
    const date = run(['audience', 'aggregate', '--tenant', 'val-fleuri', '--now', '2026-02-31']);
    assert.equal(date.code, 2);
    assert.match(date.stderr, /--now : date ISO 8601 attendue .* pas « 2026-02-31 »/);
    const none = run(['audience', 'aggregate', '--tenant', unmeasured, '--now', '2026-12-06']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`^${unmeasured} ne mesure pas son audience : son registre ne nomme pas de traitement audienceProcessing$`, 'm'));
    assert.ok(!/at .*\.ts:\d+/.test(date.stderr + none.stderr), 'no stack trace');
    await withDatabaseAt(undefined, dataDir, async ({ db }) => assert.deepEqual(await rawHits(db, 'val-fleuri'), ['2026-12-05T23:30:00.000Z'], 'nothing aggregated by a refused command'));
  });
});
