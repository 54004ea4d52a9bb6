/**
 * Benchmark of the back office's list of requests (`npm run bench:list`).
 *
 * 100,000 records in one agent's services (bench/seed-records.ts), then the
 * list's first page (`GET /{tenant}/back-office`, newest first, 50 a page,
 * with the total) and a filtered page (one form, one status, a date range
 * of six months, held by nobody). Goal (issue 7): under 20 ms of server time
 * each, on PostgreSQL.
 *
 * Two measures of each page, one request at a time (latency, not
 * throughput): `listForAgent` called directly (the queries alone: both
 * SELECTs in one transaction under the agent's principal), and the page over
 * HTTP signed in as the agent, where the server time is Fastify's
 * `reply.elapsedTime` (session, queries, rendering, sending), next to the
 * client's round trip. Baselines in the same run: `/healthz` and a list page
 * whose filter matches nothing (the same route without rows to count).
 *
 *   node --import tsx bench/back-office-list.ts [--json] [--db postgres|pglite]
 *        [--records 100000] [--requests 200] [--warmup 30]
 *
 * Database: a fresh schema on DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), or PGlite in a temporary folder
 * with `--db pglite`; dropped at the end. Exit status: 0 whatever the
 * figures; 1 if a page was not a 200 or did not show the expected total, or
 * if the set-up failed; 2 on a bad option.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { signInWithPassword, TestBrowser } from '../src/back-office/testing.ts';
import { COUNT_AHEAD, listForAgent } from '../src/back-office/record-list.ts';
import { NOBODY, type RecordFilter } from '../src/back-office/record-filter.ts';
import { withPrincipal } from '../src/db/principal.ts';
import type { buildApp } from '../src/server/app.ts';
import { machineInfo, num, output, percentiles, parseBenchArgs, runBenchmark } from './harness.ts';
import { AGENT_EMAIL, AGENT_SERVICES, BENCH_PASSWORD, benchKeyring, commune, scratchDatabase, seedRecords, type BenchDbKind, benchDbKind, benchApp } from './seed-records.ts';

const GOAL_MS = 20;

interface Options {
  json: boolean;
  db: BenchDbKind;
  records: number;
  requests: number;
  warmup: number;
}

function options(): Options {
  const usage = 'usage: node --import tsx bench/back-office-list.ts [--json] [--db postgres|pglite] [--records n] [--requests n] [--warmup n]';
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    db: { type: 'string', default: 'postgres' },
    records: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '30' },
  });
  const db = benchDbKind(values['db'], usage);
  return { json: values['json'] === true, db, records: int('records', 1, 2_000_000), requests: int('requests', 1, 100_000), warmup: int('warmup', 0, 100_000) };
}

/**
 * The pages measured: the query string of each, and its filter for `listForAgent`.
 * `dated` adds six months to `filtered`; it is also asked over HTTP, and measured
 * there only if the route accepts the dates (see docs/performance.md).
 */
const PAGES = {
  first: { query: '', filter: {} as RecordFilter },
  filtered: { query: `form=contact-mairie&status=received&holder=${NOBODY}`, filter: { formId: 'contact-mairie', status: 'received', claimedBy: NOBODY } as RecordFilter },
  dated: {
    query: `form=contact-mairie&status=received&holder=${NOBODY}&from=2026-03-01&to=2026-08-31`,
    filter: { formId: 'contact-mairie', status: 'received', claimedBy: NOBODY, from: new Date('2026-03-01T00:00:00+01:00'), until: new Date('2026-09-01T00:00:00+02:00') } as RecordFilter,
  },
  /** A form of the agent's services that nobody used: the same route with nothing to count. */
  empty: { query: 'form=reservation-accueil', filter: { formId: 'reservation-accueil' } as RecordFilter },
};
type PageName = keyof typeof PAGES;

async function main(): Promise<number> {
  const opts = options();
  const { say, note } = output(opts.json);
  const machine = machineInfo();
  const scratch = await scratchDatabase(opts.db);
  note('migrations…');
  const database = await scratch.open();
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    const keyring = benchKeyring();
    const { loaded, agentId } = await commune(database);
    const tenantId = loaded.tenantId;
    const t0 = performance.now();
    await seedRecords(database, keyring, loaded, agentId, opts.records, (done) => note(`records: ${num(done)}/${num(opts.records)} (${num((performance.now() - t0) / 1000, 1)} s)`));

    const serverMs: number[] = [];
    let base: string;
    ({ app, base } = await benchApp(database, keyring, 'list', (a) =>
      a.addHook('onResponse', async (_request, reply) => {
        serverMs.push(reply.elapsedTime);
      }),
    ));
    const browser = new TestBrowser(base);
    const signedIn = await signInWithPassword(browser, tenantId, AGENT_EMAIL, BENCH_PASSWORD);
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
    const cookie = `bastide_agent=${browser.cookie('bastide_agent')}`;
    const principal = { kind: 'agent' as const, tenantId, agentId, services: AGENT_SERVICES };

    // What each page must say: its total, counted here as the system principal.
    const expected: Record<PageName, number> = { first: 0, filtered: 0, dated: 0, empty: 0 };
    for (const name of Object.keys(PAGES) as PageName[])
      expected[name] = (await listForAgent(database.db, principal, PAGES[name].filter, 'recent', 1)).total;
    const all = await withPrincipal(database.db, { kind: 'system', tenantId }, (trx) => sql<{ n: string }>`select count(*) as n from records where tenant_id = ${tenantId}`.execute(trx));
    const failures: string[] = [];
    // The total is exact up to COUNT_AHEAD rows, then shown as « Plus de 10 000 demandes ».
    if (expected.first !== Math.min(Number(all.rows[0]!.n), COUNT_AHEAD)) failures.push(`the first page counts ${expected.first} of ${all.rows[0]!.n} records`);

    type Sample = { direct: number[]; server: number[]; roundTrip: number[] };
    const samples: Record<PageName | 'healthz', Sample> = {
      healthz: { direct: [], server: [], roundTrip: [] },
      first: { direct: [], server: [], roundTrip: [] },
      filtered: { direct: [], server: [], roundTrip: [] },
      dated: { direct: [], server: [], roundTrip: [] },
      empty: { direct: [], server: [], roundTrip: [] },
    };
    const targets = ['healthz', 'first', 'filtered', 'dated', 'empty'] as const;
    /** Pages the route refused (a 400 for its filter): measured directly only, and said so. */
    const refused = new Map<PageName, number>();
    // Interleaved, one request at a time, so that a drift of the shared machine touches every target alike.
    for (let i = 0; i < opts.warmup + opts.requests; i++) {
      const measured = i >= opts.warmup;
      if (i % 10 === 0) note(`${measured ? 'measuring' : 'warming up'}: ${i}/${opts.warmup + opts.requests}`);
      for (const t of targets) {
        if (t !== 'healthz') {
          const d0 = performance.now();
          await listForAgent(database.db, principal, PAGES[t].filter, 'recent', 1);
          if (measured) samples[t].direct.push(performance.now() - d0);
        }
        if (t !== 'healthz' && refused.has(t)) continue;
        const url = t === 'healthz' ? `${base}/healthz` : `${base}/${tenantId}/back-office${PAGES[t].query ? `?${PAGES[t].query}` : ''}`;
        const before = serverMs.length;
        const r0 = performance.now();
        const response = await fetch(url, { headers: { cookie } });
        const body = await response.text();
        const roundTrip = performance.now() - r0;
        // onResponse runs once the reply is sent: wait for it to have been counted.
        while (serverMs.length === before) await new Promise((resolve) => setImmediate(resolve));
        if (response.status === 400 && t !== 'healthz') {
          refused.set(t, 400);
          continue;
        }
        if (response.status !== 200) failures.push(`${t}: status ${response.status}`);
        else if (t !== 'healthz' && i === 0 && !body.includes(num(expected[t]).replace(/,/g, ' ')) && !body.includes(num(expected[t]).replace(/,/g, '\u202f')) && !body.includes(String(expected[t])))
          failures.push(`${t}: the page does not show its total ${expected[t]}`);
        if (measured) {
          samples[t].server.push(serverMs[serverMs.length - 1]!);
          samples[t].roundTrip.push(roundTrip);
        }
      }
    }
    note('');

    const figures = Object.fromEntries(
      targets.map((t) => [
        t,
        {
          total: t === 'healthz' ? undefined : expected[t],
          directMs: t === 'healthz' ? undefined : percentiles(samples[t].direct),
          serverMs: samples[t].server.length > 0 ? percentiles(samples[t].server) : undefined,
          roundTripMs: samples[t].roundTrip.length > 0 ? percentiles(samples[t].roundTrip) : undefined,
        },
      ]),
    ) as Record<(typeof targets)[number], { total: number | undefined; directMs: ReturnType<typeof percentiles> | undefined; serverMs: ReturnType<typeof percentiles> | undefined; roundTripMs: ReturnType<typeof percentiles> | undefined }>;
    // The server time when the route answered, else the queries alone.
    const serverP50 = (t: PageName) => figures[t].serverMs?.p50 ?? figures[t].directMs!.p50;
    const verdict = (t: PageName) => (serverP50(t) < GOAL_MS ? 'PASS' : 'OVER');
    const result = {
      benchmark: 'back-office-list',
      machine: { ...machine, loadAverageAfter: Number((await import('node:os')).loadavg()[0]!.toFixed(2)) },
      database: opts.db,
      records: Number(all.rows[0]!.n),
      goalMs: GOAL_MS,
      requests: opts.requests,
      pages: Object.fromEntries(Object.entries(PAGES).map(([k, v]) => [k, v.query])),
      figures,
      verdict: { first: verdict('first'), filtered: verdict('filtered'), dated: verdict('dated') },
      refusedOverHttp: [...refused.keys()],
      ratios: {
        firstToHealthz: serverP50('first') / figures.healthz.serverMs!.p50,
        firstToEmpty: serverP50('first') / serverP50('empty'),
        filteredToEmpty: serverP50('filtered') / serverP50('empty'),
        datedToEmptyDirect: figures.dated.directMs!.p50 / figures.empty.directMs!.p50,
      },
      failures,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const ms = (p: { p50: number; p99: number } | undefined) => (p ? `${num(p.p50, 1)} / ${num(p.p99, 1)}` : '—');
      say(`back-office list, ${num(result.records)} records (${opts.db}), ${opts.requests} requests each, one at a time; ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage} → ${result.machine.loadAverageAfter}`);
      say('');
      say('| page | total | listForAgent p50 / p99 | server p50 / p99 | round trip p50 / p99 |');
      say('|---|---|---|---|---|');
      for (const t of targets) say(`| ${t} | ${figures[t].total === undefined ? '—' : num(figures[t].total!)} | ${ms(figures[t].directMs)} ms | ${ms(figures[t].serverMs)} ms | ${ms(figures[t].roundTripMs)} ms |`);
      say('');
      say(`first page: server p50 ${num(serverP50('first'), 1)} ms (goal < ${GOAL_MS}: ${result.verdict.first}), ${num(result.ratios.firstToEmpty, 1)} × the empty list, ${num(result.ratios.firstToHealthz, 1)} × /healthz`);
      say(`filtered page: server p50 ${num(serverP50('filtered'), 1)} ms (goal < ${GOAL_MS}: ${result.verdict.filtered}), ${num(result.ratios.filteredToEmpty, 1)} × the empty list`);
      say(`filtered page with dates: ${refused.has('dated') ? 'refused over HTTP (400), queries alone' : 'server'} p50 ${num(serverP50('dated'), 1)} ms (goal < ${GOAL_MS}: ${result.verdict.dated})`);
      for (const f of failures) say(`FAILED: ${f}`);
    }
    return failures.length > 0 ? 1 : 0;
  } finally {
    await app?.close();
    await database.close();
    await scratch.drop();
  }
}

runBenchmark('back-office-list', main);
