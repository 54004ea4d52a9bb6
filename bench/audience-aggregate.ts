/**
 * Benchmark of the daily audience aggregation (`npm run bench:aggregate`).
 *
 * Seeds `--hits` raw page views (default 10,000,000) for the demo commune
 * (examples/val-fleuri.yaml, in a fresh schema on PostgreSQL), spread over
 * the 30 past days (Paris days), then, in the same run:
 *
 * - **baseline**: one bare `SELECT day, count(*), count(DISTINCT visitor)
 *   … GROUP BY day` over the same rows, as the table owner: the reading and
 *   counting any aggregation needs, without visits, pages, referrers, forms,
 *   deletion or writes;
 * - **the run**: `aggregateAudience` as the hourly job and `bastide audience
 *   aggregate` call it: per day, one statement under the system role that
 *   deletes the day's hits, marks the visits (window function over each
 *   visitor's hits) and inserts or updates the four aggregates.
 *
 * Goal (issue 10): 10,000,000 hits aggregated in **≤ 60 s**. The result is
 * checked, exit 1 on a mismatch: for each day, page views and visitors equal
 * the baseline's count and distinct count, the pages' views add up to the
 * day's page views; in all, the page views equal the hits seeded, and no raw
 * hit is left before today.
 *
 * The data: `--visitors` distinct visitors a day (default 0.3 per hit of
 * the day: 100,000 a day for 10,000,000 hits over 30 days; their hash
 * changes every day, as the route stores it), each making one or two
 * visits of one to twelve page views (2.5 on average) a few minutes apart,
 * mostly in the daytime; about 8 % of the visits without cookie (each of
 * their page views is a visit of its own); a quarter of the day's visitors
 * new; 30 % of the visits arriving from an outside site (12 hosts); 300
 * paths with a skewed popularity, among them the commune's 11 forms, whose
 * pages carry a form event (one in five a submission). Rows are inserted in
 * time order, day after day, as the hit buffer appends them, then
 * `VACUUM ANALYZE`d, as autovacuum would have left a month-old table.
 *
 * Beside each wall time, the CPU time of the benchmark's PostgreSQL backends
 * (its connections carry an application_name of their own; read from /proc,
 * so only when the server runs on this machine): on a busy machine the wall
 * time also counts the waits for a core and for the disk.
 *
 *   node --import tsx bench/audience-aggregate.ts [--json] [--hits 10000000]
 *        [--visitors n (a day)] [--days 30]
 *
 * Database: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * a schema `bench_<random>` dropped at the end; the user must own the tables
 * it creates and bypass row-level security for the seeding (a superuser, as
 * the default URL). Exit status: 0 whatever the time (a measurement, not a
 * test); 1 on a wrong result or a failed set-up; 2 on a bad option.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { aggregateAudience } from '../src/audience/aggregate.ts';
import { audienceService } from '../src/audience/audience-service.ts';
import { todayInFrance } from '../src/register/date-bound.ts';
import type { Tables } from '../src/db/tables.ts';
import { formatProblem } from '../src/register/problem.ts';
import { RegisterDirectory } from '../src/register/register-directory.ts';
import { loadRegister } from '../src/register/register-loader.ts';
import { machineInfo, num, output, parseBenchArgs, percentiles, runBenchmark } from './harness.ts';
import { openDatabase } from '../src/db/database.ts';
import { scratchDatabase } from './seed-records.ts';

const GOALS = { seconds: 60, forHits: 10_000_000 };
/** The benchmark's connections carry this name, so that their backends' CPU can be told from other sessions'. */
const APPLICATION_NAME = 'bastide-bench-aggregate';
const REGISTER = new URL('../examples/val-fleuri.yaml', import.meta.url);
/** Mean page views per visit of the seeding's visit lengths: 1 + floor of an exponential of mean 2, at most 12. */
const MEAN_VISIT_LENGTH = 2.54;

export interface SeedOptions {
  hits: number;
  visitorsPerDay: number;
  days: number;
}

/** The paths of the seeded hits, most viewed first, and the form each form page is for. */
export function seedPaths(tenantId: string, forms: readonly string[]): { paths: string[]; forms: Array<string | null> } {
  const fixed = [
    `/${tenantId}/demarches`,
    `/${tenantId}`,
    '/',
    '/actualites',
    '/agenda',
    `/${tenantId}/donnees-personnelles`,
    '/mairie/horaires',
    `/${tenantId}/suivi`,
    `/${tenantId}/mes-droits`,
    `/${tenantId}/cookies`,
    '/vie-pratique/dechets',
    '/enfance/cantine/menus',
  ];
  const paths: string[] = [];
  const formOf: Array<string | null> = [];
  for (const p of fixed) {
    paths.push(p);
    formOf.push(null);
    // The forms' pages among the most viewed.
    if (p === `/${tenantId}/demarches`)
      for (const f of forms) {
        paths.push(`/${tenantId}/demarches/${f}`);
        formOf.push(f);
      }
  }
  const sections = ['actualites', 'agenda', 'vie-pratique', 'enfance', 'urbanisme', 'culture', 'sport', 'associations', 'environnement', 'conseil-municipal'];
  for (let i = 0; paths.length < 300; i++) {
    paths.push(`/${sections[i % sections.length]}/page-${Math.floor(i / sections.length) + 1}`);
    formOf.push(null);
  }
  return { paths, forms: formOf };
}

const HOSTS = ['www.google.com', 'www.google.fr', 'www.google.com', 'www.google.fr', 'www.qwant.com', 'www.bing.com', 'duckduckgo.com', 'www.service-public.fr', 'm.facebook.com', 'www.ecosia.org', 'fr.search.yahoo.com', 'www.ouest-france.fr', 'lm.facebook.com', 'www.linkedin.com'];

/** The Paris days to seed: the `days` days before `now`'s, oldest first. */
export function pastDays(now: Date, days: number): string[] {
  const out: string[] = [];
  let at = new Date(now);
  for (let i = 0; i < days; i++) {
    // Noon of the day before, in UTC, is always within the Paris day before.
    const [y, m, d] = todayInFrance(at).split('-').map(Number) as [number, number, number];
    at = new Date(Date.UTC(y, m - 1, d - 1, 12));
    out.unshift(todayInFrance(at));
  }
  return out;
}

/**
 * Inserts `hits` raw page views for `tenantId`, spread evenly over the
 * days, each day's in time order, as the table owner (row-level security
 * bypassed); `onProgress` gets the number inserted so far. Returns the
 * number inserted per day.
 */
export async function seedHits(db: Kysely<Tables>, tenantId: string, forms: readonly string[], days: readonly string[], options: SeedOptions, onProgress: (done: number) => void = () => {}): Promise<Map<string, number>> {
  const { paths, forms: formOf } = seedPaths(tenantId, forms);
  const perDay = new Map<string, number>();
  let done = 0;
  for (const [i, day] of days.entries()) {
    const n = Math.floor(options.hits / days.length) + (i < options.hits % days.length ? 1 : 0);
    if (n === 0) continue;
    const visits = Math.ceil((n / MEAN_VISIT_LENGTH) * 1.15) + 100;
    // A visit: visitor k % V (so that the day has V visitors, most with one visit, some with two), its first page view at
    // a random time (mostly between 7:00 and 22:00), the next ones 15 s to 4 min apart; visits are cut where the day's count is reached.
    const r = await db.transaction().execute(async (trx) => {
      // The day's rows are sorted by time before they are inserted: in memory rather than in temporary files.
      await sql`set local work_mem = '256MB'`.execute(trx);
      return sql`
      insert into audience_hits (tenant_id, at, visitor, new_visitor, path, referrer, form_id, event)
      with v as (
        select k, len, sum(len) over (order by k) - len as before, step,
          case when anonymous then null else hashint8extended((k % ${options.visitorsPerDay})::bigint, ${i + 1}::bigint) end as visitor,
          not anonymous and k < ${options.visitorsPerDay} and r_new < 0.25 as new_visitor,
          (${day}::date)::timestamp at time zone 'Europe/Paris'
            + make_interval(secs => case when r_time < 0.9 then 25200 + 54000 * r_at else 82800 * r_at end) as start,
          case when r_ref < 0.3 then (${HOSTS}::text[])[1 + floor(${HOSTS.length} * random() ^ 2)::int] end as referrer
        from (select k, 1 + least(11, floor(-ln(1 - random()) * 2))::int as len, 15 + 225 * random() as step,
                random() < 0.08 as anonymous, random() as r_new, random() as r_time, random() as r_at, random() as r_ref
              from generate_series(0, ${visits - 1}::int) k) g
      ), h as (
        select v.*, p.n, 1 + floor(${paths.length} * random() ^ 3)::int as page, random() as r_event
        from v cross join lateral generate_series(0, least(v.len, ${n}::bigint - v.before)::int - 1) p(n)
        where v.before < ${n}
      )
      select ${tenantId}, start + make_interval(secs => n * step), visitor, new_visitor and n = 0, (${paths}::text[])[page],
        case when n = 0 then referrer end, (${formOf}::text[])[page],
        case when (${formOf}::text[])[page] is not null then case when r_event < 0.2 then 'form-submitted' else 'form-viewed' end end
      from h order by 2`.execute(trx);
    });
    const inserted = Number(r.numAffectedRows ?? 0);
    if (inserted !== n) throw new Error(`${day}: ${inserted} hits seeded, ${n} wanted (not enough visits drawn)`);
    perDay.set(day, inserted);
    done += inserted;
    onProgress(done);
  }
  return perDay;
}

function options() {
  const usage = 'usage: node --import tsx bench/audience-aggregate.ts [--json] [--hits n] [--visitors n (a day)] [--days n]';
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    hits: { type: 'string', default: '10000000' },
    visitors: { type: 'string', default: '' },
    days: { type: 'string', default: '30' },
  });
  const hits = int('hits', 1000, 100_000_000);
  const days = int('days', 1, 365);
  // By default the visit structure of 10 M hits over 30 days at any size: 100,000 visitors a day for 333,333 hits a day.
  const visitorsPerDay = values['visitors'] === '' ? Math.max(10, Math.round((hits / days) * 0.3)) : int('visitors', 10, 10_000_000);
  return { json: values['json'] === true, hits, visitorsPerDay, days };
}

interface DayFigures {
  day: string;
  page_views: string;
  visitors: string;
}

async function main(): Promise<number> {
  const opts = options();
  const { say, note } = output(opts.json);
  const machine = machineInfo();
  const scratch = await scratchDatabase('postgres');
  if (scratch.target.kind !== 'postgres') throw new Error('PostgreSQL only');
  const url = new URL(scratch.target.url);
  url.searchParams.set('application_name', APPLICATION_NAME);
  const database = await openDatabase({ ...scratch.target, url: url.toString() });
  const db = database.db;
  /** CPU time (ms) of this benchmark's PostgreSQL backends, from /proc (the server on this machine; Linux): undefined elsewhere. */
  const backendsCpu = async (): Promise<Map<number, number> | undefined> => {
    const pids = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APPLICATION_NAME}`.execute(db);
    const out = new Map<number, number>();
    for (const { pid } of pids.rows) {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
      } catch {
        return undefined;
      }
    }
    return out;
  };
  const cpuSince = async (before: Map<number, number> | undefined) => {
    const after = await backendsCpu();
    if (!before || !after) return undefined;
    let ms = 0;
    for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
    return ms;
  };
  try {
    const loadedResult = await loadRegister(db, new Uint8Array(await readFile(REGISTER)), 'bench');
    if (!loadedResult.ok) throw new Error(`examples/val-fleuri.yaml is invalid:\n${loadedResult.problems.map(formatProblem).join('\n')}`);
    const tenantId = loadedResult.tenantId;
    const loaded = await new RegisterDirectory(db, { ttlMs: 0 }).current(tenantId);
    const service = loaded && audienceService(loaded.register);
    if (!loaded || !service) throw new Error(`${tenantId}: no audience processing in the register`);
    const forms = loaded.register.processings.flatMap((p) => p.forms.map((f) => f.id));
    const pg = (await sql<{ v: string; wm: string; sb: string }>`select current_setting('server_version') as v, current_setting('work_mem') as wm, current_setting('shared_buffers') as sb`.execute(db)).rows[0]!;

    const now = new Date();
    const days = pastDays(now, opts.days);
    const s0 = performance.now();
    const perDay = await seedHits(db, tenantId, forms, days, opts, (done) => note(`seeding: ${num(done)}/${num(opts.hits)} hits (${num((performance.now() - s0) / 1000, 1)} s)`));
    note('VACUUM ANALYZE audience_hits…');
    await sql`vacuum analyze audience_hits`.execute(db);
    const seedMs = performance.now() - s0;
    const cutoff = (await sql<{ at: Date }>`select (${todayInFrance(now)}::date)::timestamp at time zone 'Europe/Paris' as at`.execute(db)).rows[0]!.at;
    const seeded = (await sql<{ n: string; bytes: string }>`select count(*) as n, pg_total_relation_size('audience_hits') as bytes from audience_hits where tenant_id = ${tenantId} and at < ${cutoff}`.execute(db)).rows[0]!;
    const hits = Number(seeded.n);

    // The baseline: the bare counting of the same rows, per Paris day.
    note('baseline: SELECT count(*), count(DISTINCT visitor) … GROUP BY day…');
    const bareCpu0 = await backendsCpu();
    const b0 = performance.now();
    const bare = await sql<DayFigures>`
      select to_char(at at time zone 'Europe/Paris', 'YYYY-MM-DD') as day, count(*) as page_views,
        count(distinct visitor) + count(*) filter (where visitor is null) as visitors
      from audience_hits where tenant_id = ${tenantId} and at < ${cutoff} group by 1 order by 1`.execute(db);
    const bareMs = performance.now() - b0;
    const bareCpuMs = await cpuSince(bareCpu0);

    // The run, as the job calls it; the time of each day's statement from the progress calls.
    note('aggregation…');
    const dayMs: number[] = [];
    // Every connection of the pool opened first, so that the run's backends are all known before it starts.
    const clients = await Promise.all(Array.from({ length: 10 }, () => db.connection().execute((c) => sql`select 1`.execute(c).then(() => c))));
    void clients;
    const runCpu0 = await backendsCpu();
    let last = performance.now();
    const r0 = performance.now();
    const report = await aggregateAudience(db, tenantId, service, now, (done, total) => {
      const t = performance.now();
      if (done > 0) dayMs.push(t - last);
      last = t;
      note(`aggregation: ${num(done)}/${num(total)} hits, ${dayMs.length} day(s)`);
    });
    const runMs = performance.now() - r0;
    const runCpuMs = await cpuSince(runCpu0);
    note('');

    // The result, against the baseline and the seeding.
    const after = await sql<DayFigures & { pages: string; visits: string; new_visitors: string }>`
      select to_char(d.day, 'YYYY-MM-DD') as day, d.page_views, d.visitors, d.visits, d.new_visitors,
        (select coalesce(sum(p.views), 0) from audience_pages p where p.tenant_id = d.tenant_id and p.day = d.day) as pages
      from audience_days d where d.tenant_id = ${tenantId} order by d.day`.execute(db);
    const extra = (
      await sql<{ left: string; referrer_visits: string; forms_viewed: string; forms_submitted: string; pages_rows: string }>`select
        (select count(*) from audience_hits where tenant_id = ${tenantId} and at < ${cutoff}) as left,
        (select coalesce(sum(visits), 0) from audience_referrers where tenant_id = ${tenantId}) as referrer_visits,
        (select coalesce(sum(viewed), 0) from audience_forms where tenant_id = ${tenantId}) as forms_viewed,
        (select coalesce(sum(submitted), 0) from audience_forms where tenant_id = ${tenantId}) as forms_submitted,
        (select count(*) from audience_pages where tenant_id = ${tenantId}) as pages_rows`.execute(db)
    ).rows[0]!;

    const failures: string[] = [];
    const bareByDay = new Map(bare.rows.map((r) => [r.day, r]));
    const pageViews = after.rows.reduce((s, r) => s + Number(r.page_views), 0);
    if (pageViews !== hits) failures.push(`page views ${num(pageViews)}, hits seeded ${num(hits)}`);
    if (report.hits !== hits) failures.push(`aggregateAudience reports ${num(report.hits)} hits, ${num(hits)} seeded`);
    if (Number(extra.left) !== 0) failures.push(`${num(Number(extra.left))} raw hits left before today`);
    if (after.rows.length !== perDay.size) failures.push(`${after.rows.length} days aggregated, ${perDay.size} seeded`);
    for (const r of after.rows) {
      const b = bareByDay.get(r.day);
      const seededThatDay = perDay.get(r.day);
      if (!b) failures.push(`${r.day}: aggregated, but not in the baseline`);
      else {
        if (r.page_views !== b.page_views) failures.push(`${r.day}: page views ${r.page_views}, baseline ${b.page_views}`);
        if (r.visitors !== b.visitors) failures.push(`${r.day}: visitors ${r.visitors}, baseline ${b.visitors}`);
      }
      if (seededThatDay !== undefined && Number(r.page_views) !== seededThatDay) failures.push(`${r.day}: page views ${r.page_views}, seeded ${seededThatDay}`);
      if (r.pages !== r.page_views) failures.push(`${r.day}: pages add up to ${r.pages}, page views ${r.page_views}`);
    }

    const hitsPerSecond = hits / (runMs / 1000);
    const bareHitsPerSecond = hits / (bareMs / 1000);
    const totals = {
      visits: after.rows.reduce((s, r) => s + Number(r.visits), 0),
      visitorDays: after.rows.reduce((s, r) => s + Number(r.visitors), 0),
      newVisitors: after.rows.reduce((s, r) => s + Number(r.new_visitors), 0),
      pagesRows: Number(extra.pages_rows),
      referrerVisits: Number(extra.referrer_visits),
      formsViewed: Number(extra.forms_viewed),
      formsSubmitted: Number(extra.forms_submitted),
    };
    // The goal is for 10 M hits; a smaller run is scaled to it linearly, which overstates (each day's statement has a fixed cost).
    const projectedSeconds = (runMs / 1000) * (GOALS.forHits / hits);
    const result = {
      benchmark: 'audience-aggregate',
      machine: { ...machine, loadAverageAfter: Number(os.loadavg()[0]!.toFixed(2)) },
      database: { kind: 'postgres', version: pg.v, workMem: pg.wm, sharedBuffers: pg.sb },
      tenant: tenantId,
      hits,
      days: perDay.size,
      visitorsPerDay: opts.visitorsPerDay,
      tableBytes: Number(seeded.bytes),
      seedSeconds: seedMs / 1000,
      goals: GOALS,
      bare: { ms: bareMs, hitsPerSecond: bareHitsPerSecond, backendCpuMs: bareCpuMs },
      run: { ms: runMs, backendCpuMs: runCpuMs, hitsPerSecond, ratioToBare: hitsPerSecond / bareHitsPerSecond, days: report.days.length, dayMs: dayMs.length > 0 ? percentiles(dayMs) : undefined, projectedSecondsFor10M: projectedSeconds },
      totals,
      verdict: projectedSeconds <= GOALS.seconds ? 'PASS' : 'OVER',
      failures,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      say(`audience aggregation of ${num(hits)} hits over ${perDay.size} days (${num(opts.visitorsPerDay)} visitors a day), PostgreSQL ${pg.v} (work_mem ${pg.wm}, shared_buffers ${pg.sb}); ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage} → ${result.machine.loadAverageAfter}`);
      say(`seeded in ${num(seedMs / 1000, 1)} s (VACUUM ANALYZE included); audience_hits: ${num(Number(seeded.bytes) / 1e6)} MB with its index`);
      const cpu = (ms: number | undefined) => (ms === undefined ? '' : `; PostgreSQL backend CPU ${num(ms / 1000, 2)} s`);
      say(`baseline, SELECT count(*), count(DISTINCT visitor) … GROUP BY day: ${num(bareMs / 1000, 2)} s = ${num(bareHitsPerSecond)} hits/s${cpu(bareCpuMs)}`);
      say(
        `aggregateAudience: ${num(runMs / 1000, 2)} s = ${num(hitsPerSecond)} hits/s, ${num(result.run.ratioToBare, 2)} of the baseline's rate; per day p50 ${num(result.run.dayMs?.p50 ?? 0)} ms, max ${num(result.run.dayMs?.max ?? 0)} ms${cpu(runCpuMs)}`,
      );
      say(
        `goal ≤ ${GOALS.seconds} s for ${num(GOALS.forHits)} hits: ${hits === GOALS.forHits ? '' : `scaled linearly to 10 M (pessimistic for a small run: each day's statement has a fixed cost), ${num(projectedSeconds, 1)} s, `}${result.verdict}`,
      );
      say(
        `result: ${num(pageViews)} page views, ${num(totals.visits)} visits, ${num(totals.visitorDays)} visitors (summed over days), ${num(totals.newVisitors)} new; ${num(totals.pagesRows)} page rows; ${num(totals.referrerVisits)} referred; forms ${num(totals.formsViewed)} viewed, ${num(totals.formsSubmitted)} submitted; raw hits left: ${extra.left}`,
      );
      say(failures.length === 0 ? 'checks: page views = hits seeded, per day page views and visitors = baseline, pages add up, raw table empty: OK' : 'checks: MISMATCH');
      for (const f of failures.slice(0, 20)) say(`FAILED: ${f}`);
    }
    return failures.length > 0 ? 1 : 0;
  } finally {
    note('');
    await database.close();
    await scratch.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runBenchmark('audience-aggregate', main);
