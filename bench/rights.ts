/**
 * Benchmark of the access answer (`npm run bench:rights`).
 *
 * The demo commune with `--records` records (default 1,000,000; bench/
 * seed-records.ts), each bearing a blind-index entry of its own person, and
 * one person with a request in each of 10 processings, their records read
 * and journaled a few times. Then, in the same run, `--rounds` times each:
 *
 * - **baseline**: the bare lookup of that person's records through the blind
 *   index, as the database owner (one indexed join, no row-level security,
 *   nothing opened);
 * - **the answer**: what `fulfilRequest` does for an access request before
 *   it writes anything: the person's records under the rights principal
 *   (row-level security on the blind index), their holds, values (sealed
 *   parts opened), files, replies and the journal entries about them, and
 *   the art. 15 information from the register (`buildAnswer`), in one
 *   transaction rolled back.
 *
 * Goal (issue 9): the answer assembled in ≤ 100 ms (p99) for one person
 * among 1,000,000 records on PostgreSQL.
 *
 *   node --import tsx bench/rights.ts [--json] [--db postgres|pglite] [--records 1000000] [--rounds 50]
 *
 * Exit status: 0 whatever the figures; 1 if the answer misses one of the
 * person's records or holds another's; 2 on a bad option.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { TenantKeys } from '../src/crypto/tenant-keys.ts';
import { applyPrincipal, withPrincipal } from '../src/db/principal.ts';
import { appendJournalWithRecords } from '../src/journal/journal-records.ts';
import { answerHead, answerOrder, answerRecord, type AccessAnswer } from '../src/rights/access-answer.ts';
import type { RequestRow } from '../src/rights/request-repository.ts';
import { findSubjectRecords, readContents } from '../src/rights/subject-records.ts';
import { machineInfo, num, output, parseBenchArgs, percentiles, runBenchmark } from './harness.ts';
import { benchDbKind, benchKeyring, commune, scratchDatabase, seedRecords } from './seed-records.ts';

const GOAL_MS = 100;
const PROCESSINGS = 10;

function options() {
  const usage = 'usage: node --import tsx bench/rights.ts [--json] [--db postgres|pglite] [--records n] [--rounds n]';
  const { values, int } = parseBenchArgs(usage, {
    json: { type: 'boolean', default: false },
    db: { type: 'string', default: 'postgres' },
    records: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '50' },
  });
  return { json: values['json'] === true, db: benchDbKind(values['db'], usage), records: int('records', 1000, 5_000_000), rounds: int('rounds', 5, 10_000) };
}

async function main(): Promise<number> {
  const opts = options();
  const { say, note } = output(opts.json);
  const scratch = await scratchDatabase(opts.db);
  const database = await scratch.open();
  const db = database.db;
  try {
    const keyring = benchKeyring();
    const keys = new TenantKeys(db, keyring);
    const { loaded, agentId } = await commune(database);
    const tenantId = loaded.tenantId;
    const t0 = performance.now();
    await seedRecords(database, keyring, loaded, agentId, opts.records, (done) => note(`records: ${num(done)}/${num(opts.records)} (${num((performance.now() - t0) / 1000, 1)} s)`));
    note('blind index of every record…');
    // Each seeded record is its own person's: the index holds a million entries, like a real one.
    await withPrincipal(db, { kind: 'system', tenantId }, (trx) =>
      sql`insert into record_subjects (tenant_id, blind_index, record_id, field) select tenant_id, 'bench-' || id::text, id, 'courriel' from records where tenant_id = ${tenantId}`.execute(trx),
    );
    const email = 'personne.suivie@example.fr';
    const subject = await keys.blindIndex(tenantId, 'email', email);
    const processings = loaded.register.processings.filter((p) => p.forms.length > 0).slice(0, PROCESSINGS);
    const mine: string[] = [];
    await withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
      const template = await trx.selectFrom('records').select(['data', 'register_version']).where('tenant_id', '=', tenantId).where('form_id', '=', 'contact-mairie').limit(1).executeTakeFirstOrThrow();
      for (const p of processings) {
        const id = randomUUID();
        mine.push(id);
        await trx
          .insertInto('records')
          .values({ tenant_id: tenantId, id, processing_id: p.id, form_id: p.forms[0]!.id, service_id: p.service ?? 'accueil', register_version: template.register_version, data: JSON.stringify(template.data), sealed: null, key_version: null, tracking_hash: `bench:${id}`, expires_at: new Date(Date.now() + 86_400_000 * 700) })
          .execute();
        await trx.insertInto('record_subjects').values({ tenant_id: tenantId, blind_index: subject, record_id: id, field: 'courriel' }).execute();
      }
      // Read a few times, as agents would have: the answer lists who consulted them.
      for (let i = 0; i < 5; i++) await appendJournalWithRecords(trx, tenantId, { actorId: agentId, actor: 'agent.bench', action: 'read' }, 'instruction', mine);
    });
    await sql`analyze`.execute(db);
    await keys.all(tenantId);
    const row = { tenant_id: tenantId, id: randomUUID(), type: 'access', state: 'open', subject_index: subject, phone_index: null, verified_by: 'lien', scope_processing: null, scope_tracking_hash: null, scope_record_id: null } as unknown as RequestRow;
    const secrets = { email, details: '', notes: [] };

    const baseline: number[] = [];
    const answer: number[] = [];
    let wrong = 0;
    for (let round = 0; round < opts.rounds; round++) {
      note(`round ${round + 1}/${opts.rounds}`);
      let t = performance.now();
      const bare = await sql<{ id: string }>`select r.* from records r join record_subjects s on s.tenant_id = r.tenant_id and s.record_id = r.id where s.tenant_id = ${tenantId} and s.blind_index = ${subject}`.execute(db);
      baseline.push(performance.now() - t);
      t = performance.now();
      const built = await db
        .transaction()
        .execute(async (trx) => {
          await applyPrincipal(trx, { kind: 'rights', tenantId, subjects: [subject] });
          const records = await findSubjectRecords(trx, row);
          const contents = await readContents(trx, await keys.all(tenantId), tenantId, records.map((r) => r.id));
          const ordered = answerOrder(loaded, records);
          const result: AccessAnswer = { ...answerHead(loaded, row, secrets, ordered, [], new Date()), records: ordered.map((r) => answerRecord(loaded, r, contents.get(r.id))) };
          throw Object.assign(new Error('rollback'), { result });
        })
        .catch((e: { result?: AccessAnswer }) => e.result);
      answer.push(performance.now() - t);
      const ids = (built?.records ?? []).map((r) => r.id).sort();
      if (ids.join() !== [...mine].sort().join() || bare.rows.length !== mine.length || built!.records.some((r) => r.consultations.length !== 5)) wrong++;
    }
    note('');
    const b = percentiles(baseline);
    const a = percentiles(answer);
    const result = {
      benchmark: 'rights',
      machine: machineInfo(),
      db: opts.db,
      records: opts.records,
      processings: processings.length,
      rounds: opts.rounds,
      baselineMs: b,
      answerMs: a,
      ratioToBareLookup: a.p50 / b.p50,
      goalMs: GOAL_MS,
      meetsGoal: a.p99 <= GOAL_MS,
      wrongAnswers: wrong,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    say(`access answer for one person among ${num(opts.records)} records (${processings.length} processings, ${opts.db}), ${opts.rounds} rounds`);
    say(`  baseline (bare blind-index lookup, owner, nothing opened): p50 ${num(b.p50, 2)} ms, p99 ${num(b.p99, 2)} ms`);
    say(`  answer (rights principal, values, replies, journal, art. 15 info): p50 ${num(a.p50, 2)} ms, p99 ${num(a.p99, 2)} ms`);
    say(`  ratio answer/baseline (p50): ${num(result.ratioToBareLookup, 1)}; goal p99 ≤ ${GOAL_MS} ms: ${result.meetsGoal ? 'met' : 'NOT met'}`);
    if (wrong > 0) say(`  ${wrong} answers were wrong`);
    return wrong > 0 ? 1 : 0;
  } finally {
    await database.close();
    await scratch.drop();
  }
}

runBenchmark('rights', main);
