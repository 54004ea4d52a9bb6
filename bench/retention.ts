/**
 * Benchmark of the retention run (`npm run bench:retention`).
 *
 * The demo commune with `--records` records (default 1,000,000) over three
 * processings (contact, street reports, school enrolment with sealed health
 * data; bench/seed-records.ts), each with a blind-index entry, `--uploads`
 * files of 8 KB attached to some of them, half the records past their date
 * (their id below 8000…: spread over every processing), and 100 of those
 * under a legal hold. Then, in the same run:
 *
 * - **baseline**: a bare `DELETE FROM … WHERE expires_at < now()` on a copy
 *   of the records table with the same indexes (no cascades, no ledger, no
 *   certificate);
 * - **the run**: `runRetention` as `bastide retention run` calls it (ledger,
 *   cascades to uploads and blind index, holds, lease, certificate), while
 *   the real server in this process answers the notice page, probed one
 *   request at a time every 20 ms.
 *
 * Goals (issue 8): the run at ≥ 0.25 of the bare delete's rate and
 * ≥ 100,000 records/s; resident memory under 200 MB during the run (this
 * process: its high-water mark reset before the run, /proc/self/clear_refs);
 * notice p99 under 100 ms during the run.
 *
 *   node --import tsx bench/retention.ts [--json] [--db postgres|pglite]
 *        [--records 1000000] [--uploads 5000]
 *
 * Database: a fresh schema on DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), or PGlite in a temporary folder;
 * dropped at the end. Exit status: 0 whatever the figures; 1 if the run did
 * not delete exactly the due records, kept a held one, left an orphan upload
 * or blind-index entry, or its certificate did not verify; 2 on a bad option.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { withPrincipal } from '../src/db/principal.ts';
import { verifyCertificates } from '../src/retention/certificates.ts';
import { runRetention } from '../src/retention/retention-run.ts';
import type { buildApp } from '../src/server/app.ts';
import { machineInfo, mb, num, output, parseBenchArgs, percentiles, runBenchmark } from './harness.ts';
import { benchKeyring, commune, scratchDatabase, seedRecords, benchDbKind, benchApp } from './seed-records.ts';

const GOALS = { ratioToBare: 0.25, recordsPerSecond: 100_000, peakRssMb: 200, noticeP99Ms: 100 };
const HOLDS = 100;

function options() {
  const usage = 'usage: node --import tsx bench/retention.ts [--json] [--db postgres|pglite] [--records n] [--uploads n]';
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    db: { type: 'string', default: 'postgres' },
    records: { type: 'string', default: '1000000' },
    uploads: { type: 'string', default: '5000' },
  });
  const db = benchDbKind(values['db'], usage);
  return { json: values['json'] === true, db, records: int('records', 1000, 5_000_000), uploads: int('uploads', 0, 100_000) };
}

/** This process's resident set now and its high-water mark, in bytes (Linux). */
async function rss(): Promise<{ now: number; peak: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

async function main(): Promise<number> {
  const opts = options();
  const { say, note } = output(opts.json);
  const machine = machineInfo();
  const scratch = await scratchDatabase(opts.db);
  note('migrations…');
  const database = await scratch.open();
  const db = database.db;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    const keyring = benchKeyring();
    const { loaded, agentId } = await commune(database);
    const tenantId = loaded.tenantId;
    const system = { kind: 'system' as const, tenantId };
    const t0 = performance.now();
    await seedRecords(database, keyring, loaded, agentId, opts.records, (done) => note(`records: ${num(done)}/${num(opts.records)} (${num((performance.now() - t0) / 1000, 1)} s)`));
    note('blind index, uploads, expiries, holds…');
    await withPrincipal(db, system, async (trx) => {
      await sql`insert into record_subjects (tenant_id, blind_index, record_id, field) select tenant_id, md5(id::text), id, 'courriel' from records where tenant_id = ${tenantId}`.execute(trx);
      await sql`insert into uploads (tenant_id, id, record_id, field, media_type, size, sealed_name, sealed, key_version)
        select tenant_id, gen_random_uuid(), id, 'piece', 'application/pdf', 8192, 'bench', decode(repeat('ab', 8192), 'hex'), 1
        from records where tenant_id = ${tenantId} order by md5(id::text) limit ${opts.uploads}`.execute(trx);
      await sql`update records set expires_at = now() - interval '1 day' where tenant_id = ${tenantId} and id < '80000000-0000-0000-0000-000000000000'`.execute(trx);
      await sql`update records set expires_at = coalesce(expires_at, now() + interval '1 year') where tenant_id = ${tenantId} and id >= '80000000-0000-0000-0000-000000000000'`.execute(trx);
      await sql`insert into record_holds (tenant_id, record_id, reason, set_by) select tenant_id, id, 'bench: contentieux', 'bench' from records
        where tenant_id = ${tenantId} and expires_at < now() order by id desc limit ${HOLDS}`.execute(trx);
    });
    await sql`analyze records, record_subjects, uploads`.execute(db);
    const counted = await withPrincipal(db, system, (trx) =>
      sql<{ total: string; due: string; uploads_due: string }>`select count(*) as total, count(*) filter (where expires_at < now()) - ${HOLDS} as due,
        (select count(*) from uploads u join records r on r.tenant_id = u.tenant_id and r.id = u.record_id where r.expires_at < now() and r.tenant_id = ${tenantId}) as uploads_due
        from records where tenant_id = ${tenantId}`.execute(trx),
    );
    const total = Number(counted.rows[0]!.total);
    const due = Number(counted.rows[0]!.due);

    note('baseline: bare DELETE on a copy…');
    await sql`create table bare_records (like records including all)`.execute(db);
    await sql`insert into bare_records select * from records where tenant_id = ${tenantId}`.execute(db);
    await sql`analyze bare_records`.execute(db);
    const b0 = performance.now();
    const bare = await sql`delete from bare_records where expires_at < now()`.execute(db);
    const bareMs = performance.now() - b0;
    const bareRows = Number(bare.numAffectedRows ?? 0);
    await sql`drop table bare_records`.execute(db);

    let base: string;
    ({ app, base } = await benchApp(database, keyring, 'retention'));
    const notice = `${base}/${tenantId}/donnees-personnelles`;
    const probe = async () => {
      const s = performance.now();
      const r = await fetch(notice);
      await r.arrayBuffer();
      return { ms: performance.now() - s, status: r.status };
    };
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) idle.push((await probe()).ms);

    // The probe, one request at a time, 20 ms apart, for as long as the run lasts.
    const during: number[] = [];
    const statuses = new Map<number, number>();
    let running = true;
    const prober = (async () => {
      while (running) {
        const { ms, status } = await probe();
        during.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await writeFile('/proc/self/clear_refs', '5');
    const rssBefore = (await rss()).now;
    const r0 = performance.now();
    const report = await runRetention(db, tenantId, { asOf: new Date(), onProgress: (done, all) => note(`run: ${num(done)}/${num(all)} deleted`) });
    const runMs = performance.now() - r0;
    running = false;
    await prober;
    const peak = (await rss()).peak;
    note('');

    const deleted = report.processings.reduce((n, p) => n + p.deleted, 0);
    const held = report.processings.reduce((n, p) => n + p.held, 0);
    const after = await withPrincipal(db, system, (trx) =>
      sql<{ left_due: string; held_left: string; orphan_uploads: string; orphan_subjects: string }>`select
        (select count(*) from records r where r.tenant_id = ${tenantId} and r.expires_at < now() and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)) as left_due,
        (select count(*) from record_holds h join records r on r.tenant_id = h.tenant_id and r.id = h.record_id where h.tenant_id = ${tenantId}) as held_left,
        (select count(*) from uploads u where u.tenant_id = ${tenantId} and u.record_id is not null and not exists (select 1 from records r where r.tenant_id = u.tenant_id and r.id = u.record_id)) as orphan_uploads,
        (select count(*) from record_subjects s where s.tenant_id = ${tenantId} and not exists (select 1 from records r where r.tenant_id = s.tenant_id and r.id = s.record_id)) as orphan_subjects`.execute(trx),
    );
    const check = await withPrincipal(db, system, (trx) => verifyCertificates(trx, tenantId));
    const a = after.rows[0]!;
    const failures: string[] = [];
    if (deleted !== due) failures.push(`deleted ${deleted} records, ${due} were due`);
    if (held !== HOLDS) failures.push(`${held} held, ${HOLDS} expected`);
    if (Number(a.left_due) !== 0) failures.push(`${a.left_due} due records left`);
    if (Number(a.held_left) !== HOLDS) failures.push(`${a.held_left} held records left of ${HOLDS}`);
    if (Number(a.orphan_uploads) + Number(a.orphan_subjects) !== 0) failures.push(`orphans: ${a.orphan_uploads} uploads, ${a.orphan_subjects} blind-index entries`);
    if (!check.ok) failures.push(`certificate: ${check.problem}`);

    const recordsPerSecond = deleted / (runMs / 1000);
    const bareRecordsPerSecond = bareRows / (bareMs / 1000);
    const noticeDuring = percentiles(during);
    const result = {
      benchmark: 'retention',
      machine: { ...machine, loadAverageAfter: Number((await import('node:os')).loadavg()[0]!.toFixed(2)) },
      database: opts.db,
      records: total,
      due,
      held: HOLDS,
      uploads: opts.uploads,
      uploadsDue: Number(counted.rows[0]!.uploads_due),
      goals: GOALS,
      bare: { rows: bareRows, ms: bareMs, recordsPerSecond: bareRecordsPerSecond },
      run: { deleted, ms: runMs, recordsPerSecond, ratioToBare: recordsPerSecond / bareRecordsPerSecond, rssBeforeMb: rssBefore / 1e6, peakRssMb: peak / 1e6, certificate: report.certificate },
      noticeMs: { idle: percentiles(idle), during: noticeDuring, requests: during.length, statuses: Object.fromEntries(statuses) },
      verdict: {
        ratio: recordsPerSecond / bareRecordsPerSecond >= GOALS.ratioToBare ? 'PASS' : 'BELOW',
        rate: recordsPerSecond >= GOALS.recordsPerSecond ? 'PASS' : 'BELOW',
        memory: peak / 1e6 < GOALS.peakRssMb ? 'PASS' : 'OVER',
        notice: noticeDuring.p99 < GOALS.noticeP99Ms ? 'PASS' : 'OVER',
      },
      failures,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      say(`retention run over ${num(total)} records (${opts.db}), ${num(due)} due, ${HOLDS} held, ${num(result.uploadsDue)} uploads among the due; ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage} → ${result.machine.loadAverageAfter}`);
      say(`baseline, bare DELETE on a copy: ${num(bareRows)} rows in ${num(bareMs / 1000, 2)} s = ${num(bareRecordsPerSecond)} records/s`);
      say(`retention run: ${num(deleted)} records in ${num(runMs / 1000, 2)} s = ${num(recordsPerSecond)} records/s (goal ≥ ${num(GOALS.recordsPerSecond)}: ${result.verdict.rate}), ${num(result.run.ratioToBare, 2)} of the bare delete (goal ≥ ${GOALS.ratioToBare}: ${result.verdict.ratio})`);
      say(`peak RSS during the run (this process: server, and the seeding before): ${mb(rssBefore)} MB before → ${mb(peak)} MB (goal < ${GOALS.peakRssMb}: ${result.verdict.memory})`);
      say(`notice page, idle p50 / p99: ${num(result.noticeMs.idle.p50, 1)} / ${num(result.noticeMs.idle.p99, 1)} ms; during the run (${during.length} requests): ${num(noticeDuring.p50, 1)} / ${num(noticeDuring.p99, 1)} ms, max ${num(noticeDuring.max, 1)} (goal p99 < ${GOALS.noticeP99Ms}: ${result.verdict.notice})`);
      for (const f of failures) say(`FAILED: ${f}`);
    }
    return failures.length > 0 ? 1 : 0;
  } finally {
    await app?.close();
    await database.close();
    await scratch.drop();
  }
}

runBenchmark('retention', main);
