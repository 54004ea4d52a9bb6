import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { aggregateAudience } from '../audience/aggregate.ts';
import { insertHits, type HitRow } from '../audience/hit-buffer.ts';
import { recordProof } from '../consent/consent-proofs.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadRegister } from '../register/register-loader.ts';
import { communeYaml, loadCommune } from '../records/testing.ts';
import { listCertificates, verifyCertificates } from './certificates.ts';
import { RetentionBusy, RetentionRefused, runRetention } from './retention-run.ts';

const AUDIENCE_TABLES = ['audience_days', 'audience_pages', 'audience_referrers', 'audience_forms'] as const;
const DAY = 24 * 3600 * 1000;

function proof(at: Date | string) {
  return {
    consentId: randomUUID(),
    choices: { audience: false, video: true },
    registerVersion: 1,
    configHash: 'c'.repeat(64),
    textHash: 't'.repeat(64),
    lang: 'fr' as const,
    source: 'banner' as const,
    site: 'https://www.val-fleuri.fr',
    at: new Date(at),
  };
}

/** The commune's register under another id, changed by `edit` (which must change it). */
async function loadVariant(db: Kysely<Tables>, tenantId: string, edit: (yaml: string) => string): Promise<void> {
  const yaml = communeYaml(tenantId);
  const changed = edit(yaml);
  assert.notEqual(changed, yaml, 'the variant differs from the example');
  const r = await loadRegister(db, new TextEncoder().encode(changed), 'test');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
}

const withoutKey = (key: string) => (yaml: string) => yaml.replace(new RegExp(`^${key}: .*\\n`, 'm'), '');

/** The consent proof processing kept for `duration` instead of P1Y. */
const proofsKeptFor = (duration: string) => (yaml: string) => {
  const start = yaml.indexOf('\n  - id: preuve-consentement\n');
  const at = yaml.indexOf('      duration: P1Y', start);
  assert.ok(start > 0 && at > start);
  return `${yaml.slice(0, at)}      duration: ${duration}${yaml.slice(yaml.indexOf('\n', at))}`;
};

/** Dates of the proofs an authority still holds, oldest first. */
async function proofDates(db: Kysely<Tables>, tenantId: string): Promise<string[]> {
  const rows = await withPrincipal(db, { kind: 'system', tenantId }, (trx) => trx.selectFrom('consent_proofs').select('created_at').where('tenant_id', '=', tenantId).orderBy('created_at').execute());
  return rows.map((r) => new Date(r.created_at).toISOString());
}

async function proofCount(db: Kysely<Tables>, tenantId: string): Promise<number> {
  return withPrincipal(db, { kind: 'system', tenantId }, async (trx) => Number((await trx.selectFrom('consent_proofs').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n));
}

/** Per aggregate table, the days it still has statistics for. */
async function statisticsDays(db: Kysely<Tables>, tenantId: string): Promise<Record<(typeof AUDIENCE_TABLES)[number], string[]>> {
  return withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
    const out = {} as Record<(typeof AUDIENCE_TABLES)[number], string[]>;
    for (const table of AUDIENCE_TABLES) {
      const { rows } = await sql<{ day: string }>`select distinct day::text as day from ${sql.table(table)} where tenant_id = ${tenantId} order by day`.execute(trx);
      out[table] = rows.map((r) => r.day);
    }
    return out;
  });
}

const everyTable = (days: string[]) => Object.fromEntries(AUDIENCE_TABLES.map((t) => [t, days]));

/** Consecutive days from `first`, YYYY-MM-DD. */
function daysFrom(first: string, n: number): string[] {
  const start = Date.parse(`${first}T12:00:00Z`);
  return Array.from({ length: n }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10));
}

/** Three page views on that day (Paris noon): a referring site, a form viewed and sent, so that each aggregate table has the day. */
function dayOfHits(day: string, tenantId: string): HitRow[] {
  const noon = new Date(`${day}T10:00:00Z`);
  const form = `/${tenantId}/demarches/contact-mairie`;
  return [
    { at: noon, visitor: '1', newVisitor: true, path: `/${tenantId}/demarches`, referrer: 'www.google.com', formId: null, event: null },
    { at: new Date(noon.getTime() + 60_000), visitor: '1', newVisitor: false, path: form, referrer: null, formId: 'contact-mairie', event: 'form-viewed' },
    { at: new Date(noon.getTime() + 120_000), visitor: '1', newVisitor: false, path: form, referrer: null, formId: 'contact-mairie', event: 'form-submitted' },
  ];
}

/** Statistics of those days inserted directly in the four tables, as the owner (faster than hits for many days). */
async function insertStatistics(db: Kysely<Tables>, tenantId: string, first: string, last: string): Promise<void> {
  const days = sql`generate_series(${first}::date, ${last}::date, interval '1 day') d`;
  await sql`insert into audience_days (tenant_id, day, service_id, page_views, visits, visitors, new_visitors) select ${tenantId}, d::date, 'communication', 10, 5, 4, 1 from ${days}`.execute(db);
  await sql`insert into audience_pages (tenant_id, day, service_id, path, views) select ${tenantId}, d::date, 'communication', p, 5 from ${days}, unnest(array['/a', '/b']) p`.execute(db);
  await sql`insert into audience_referrers (tenant_id, day, service_id, host, visits) select ${tenantId}, d::date, 'communication', 'www.qwant.com', 2 from ${days}`.execute(db);
  await sql`insert into audience_forms (tenant_id, day, service_id, form_id, viewed, submitted) select ${tenantId}, d::date, 'communication', 'contact-mairie', 3, 1 from ${days}`.execute(db);
}

describeEachDatabase('consent proofs and audience statistics under their processings’ retention', (database) => {
  const db = () => database().db;
  const system = (tenantId: string) => ({ kind: 'system' as const, tenantId });

  it('deletes the proofs older than a year and the statistics of days older than 25 months, in every table; the dry run, the run and its certificate agree', async () => {
    const t = (await loadCommune(db(), uniqueTenantId('stores'))).tenantId;
    const other = (await loadCommune(db(), uniqueTenantId('stores-other'))).tenantId;
    const asOf = new Date('2028-06-15T12:00:00Z');
    // preuve-consentement: P1Y. A proof made exactly a year before the run is past it; a second later is not.
    for (const at of ['2026-01-10T08:00:00Z', '2027-06-15T12:00:00Z', '2027-06-15T12:00:01Z', '2028-06-01T09:00:00Z']) await recordProof(db(), t, proof(at));
    await recordProof(db(), other, proof('2020-01-01T00:00:00Z'));
    // audience-statistiques: P25M, whole days in Paris. As of 15 June 2028 at 14:00 in Paris, 14 May 2026 ended more than 25 months ago; 15 May has not.
    const old = daysFrom('2026-04-01', 44); // 1 April to 14 May 2026: two batches of days
    const young = ['2026-05-15', '2026-05-16', '2026-06-01'];
    assert.equal(old.at(-1), '2026-05-14');
    const hits = [...old, ...young].flatMap((day) => dayOfHits(day, t));
    await insertHits(db(), t, hits);
    assert.equal((await aggregateAudience(db(), t, 'communication', new Date('2026-06-10T12:00:00Z'))).hits, hits.length);
    await insertHits(db(), other, dayOfHits('2026-04-01', other));
    await aggregateAudience(db(), other, 'communication', new Date('2026-06-10T12:00:00Z'));
    assert.deepEqual(await statisticsDays(db(), t), everyTable([...old, ...young]));

    const dry = await runRetention(db(), t, { asOf, dryRun: true });
    const expected = {
      consentProofs: { processingId: 'preuve-consentement', duration: 'P1Y', deleted: 2 },
      audience: { processingId: 'audience-statistiques', duration: 'P25M', daysDeleted: 44 },
    };
    assert.deepEqual(dry.stores, expected);
    assert.equal(await proofCount(db(), t), 4, 'a dry run deletes no proof');
    assert.deepEqual(await statisticsDays(db(), t), everyTable([...old, ...young]), 'nor any statistic');

    const progress: Array<[number, number]> = [];
    const run = await runRetention(db(), t, { asOf, onProgress: (done, due) => progress.push([done, due]) });
    assert.deepEqual(run.stores, expected, 'the run does what the dry run announced');
    assert.deepEqual(progress.at(-1), [2 + 44, 2 + 44], 'the progress bar counts proofs and days, and reaches its end');
    assert.deepEqual(await proofDates(db(), t), ['2027-06-15T12:00:01.000Z', '2028-06-01T09:00:00.000Z']);
    assert.deepEqual(await statisticsDays(db(), t), everyTable(young));
    assert.equal(await proofCount(db(), other), 1, 'another authority’s proofs are not touched');
    assert.deepEqual(await statisticsDays(db(), other), everyTable(['2026-04-01']), 'nor its statistics');

    const certificates = await withPrincipal(db(), system(t), (trx) => listCertificates(trx, t));
    assert.equal(certificates.length, 1);
    assert.deepEqual(certificates[0]!.certificate.stores, expected, 'the certificate states the counts');
    assert.deepEqual(await withPrincipal(db(), system(t), (trx) => verifyCertificates(trx, t)), { ok: true, tenantId: t, certificates: 1, recounted: 1 });

    // A run as of an earlier date is refused, and deletes nothing.
    await assert.rejects(runRetention(db(), t, { asOf: new Date('2028-01-01T00:00:00Z') }), RetentionRefused);
    assert.equal(await proofCount(db(), t), 2);
    // Run again as of the same date: nothing more is due, and the second certificate says so.
    const next = await runRetention(db(), t, { asOf });
    assert.deepEqual(next.stores, { consentProofs: { ...expected.consentProofs, deleted: 0 }, audience: { ...expected.audience, daysDeleted: 0 } });
    assert.deepEqual(await statisticsDays(db(), t), everyTable(young));
    assert.equal((await withPrincipal(db(), system(t), (trx) => verifyCertificates(trx, t))).ok, true);
  });

  it('applies the duration the register states for the proofs (six months here), not one year', async () => {
    const t = uniqueTenantId('stores-p6m');
    await loadVariant(db(), t, proofsKeptFor('P6M'));
    for (const at of ['2027-11-30T00:00:00Z', '2027-12-16T00:00:00Z', '2028-06-01T00:00:00Z']) await recordProof(db(), t, proof(at));
    const run = await runRetention(db(), t, { asOf: new Date('2028-06-15T12:00:00Z') });
    assert.deepEqual(run.stores.consentProofs, { processingId: 'preuve-consentement', duration: 'P6M', deleted: 1 });
    assert.deepEqual(await proofDates(db(), t), ['2027-12-16T00:00:00.000Z', '2028-06-01T00:00:00.000Z']);
  });

  it('keeps proofs one year when the register names no consentProofProcessing', async () => {
    const t = uniqueTenantId('stores-default');
    await loadVariant(db(), t, withoutKey('consentProofProcessing'));
    const asOf = new Date('2028-06-15T12:00:00Z');
    await recordProof(db(), t, proof(new Date(asOf.getTime() - 370 * DAY)));
    await recordProof(db(), t, proof(new Date(asOf.getTime() - 364 * DAY)));
    const dry = await runRetention(db(), t, { asOf, dryRun: true });
    assert.deepEqual(dry.stores.consentProofs, { processingId: null, duration: 'P1Y', deleted: 1 });
    const run = await runRetention(db(), t, { asOf });
    assert.deepEqual(run.stores.consentProofs, { processingId: null, duration: 'P1Y', deleted: 1 });
    assert.deepEqual(await proofDates(db(), t), [new Date(asOf.getTime() - 364 * DAY).toISOString()]);
    const [certificate] = await withPrincipal(db(), system(t), (trx) => listCertificates(trx, t));
    assert.deepEqual(certificate!.certificate.stores?.consentProofs, { processingId: null, duration: 'P1Y', deleted: 1 });
  });

  it('counts a year the same way with or without consentProofProcessing: on 29 February, a proof of 1 March the year before is not a year old', async () => {
    const asOf = new Date('2028-02-29T00:00:00Z');
    const named = (await loadCommune(db(), uniqueTenantId('stores-leap'))).tenantId;
    const unnamed = uniqueTenantId('stores-leap-default');
    await loadVariant(db(), unnamed, withoutKey('consentProofProcessing'));
    for (const t of [named, unnamed]) {
      await recordProof(db(), t, proof('2027-02-27T00:00:00Z'));
      await recordProof(db(), t, proof('2027-03-01T00:00:00Z'));
    }
    for (const t of [named, unnamed]) {
      const run = await runRetention(db(), t, { asOf });
      assert.equal(run.stores.consentProofs.deleted, 1, `${t}: only the proof of 27 February 2027`);
      assert.deepEqual(await proofDates(db(), t), ['2027-03-01T00:00:00.000Z'], `${t}: its year ends on 1 March 2028`);
    }
  });

  it('finishes a run killed between two batches, counting each proof and each day once', async () => {
    const t = (await loadCommune(db(), uniqueTenantId('stores-kill'))).tenantId;
    const asOf = new Date('2028-06-15T12:00:00Z');
    // 10,050 proofs of 2026: more than one batch (10,000); and three recent ones.
    await withPrincipal(db(), system(t), (trx) =>
      sql`insert into consent_proofs (tenant_id, consent_id, choices, register_version, config_hash, text_hash, lang, source, site, created_at)
        select ${t}, gen_random_uuid(), '{"video": true}'::jsonb, 1, 'c', 't', 'fr', 'banner', 'https://www.val-fleuri.fr', timestamptz '2026-03-01T00:00:00Z' + g * interval '1 second'
        from generate_series(1, 10050) g`.execute(trx),
    );
    for (const at of ['2027-07-01T00:00:00Z', '2028-01-01T00:00:00Z', '2028-06-14T00:00:00Z']) await recordProof(db(), t, proof(at));
    // 40 days of statistics past 25 months (more than one batch of 31 days), and two within.
    await insertStatistics(db(), t, '2026-01-01', '2026-02-09');
    await insertStatistics(db(), t, '2026-05-20', '2026-05-21');

    const dry = await runRetention(db(), t, { asOf, dryRun: true });
    assert.deepEqual([dry.stores.consentProofs.deleted, dry.stores.audience?.daysDeleted], [10_050, 40]);

    let now = Date.parse('2028-06-15T12:00:00Z');
    const clock = () => new Date(now);
    const killAt = (done: number) => (n: number) => {
      if (n >= done) throw new Error('killed');
    };
    // Killed after the first batch of proofs, as under kill -9: the lease stays until it lapses.
    await assert.rejects(runRetention(db(), t, { asOf, clock, leaseMs: 60_000, onProgress: killAt(10_000) }), /killed/);
    assert.equal(await proofCount(db(), t), 50 + 3, 'the first batch was committed');
    await assert.rejects(runRetention(db(), t, { asOf, clock }), RetentionBusy, 'the lease is still alive');
    // Taken over, then killed again after the rest of the proofs and the first 31 days.
    now += 61_000;
    await assert.rejects(runRetention(db(), t, { asOf, clock, leaseMs: 60_000, onProgress: killAt(50 + 31) }), /killed/);
    assert.equal(await proofCount(db(), t), 3);
    assert.equal((await statisticsDays(db(), t)).audience_days.length, 9 + 2, 'the first 31 days were deleted');

    now += 61_000;
    const resumed = await runRetention(db(), t, { asOf: new Date('2028-06-20T00:00:00Z'), clock });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.asOf, asOf.toISOString(), 'the resumed run keeps the date it was started with');
    assert.deepEqual(resumed.stores, dry.stores, 'every proof and every day counted once, before and after each kill');
    assert.deepEqual(await proofDates(db(), t), ['2027-07-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z', '2028-06-14T00:00:00.000Z']);
    assert.deepEqual(await statisticsDays(db(), t), everyTable(['2026-05-20', '2026-05-21']));
    const certificates = await withPrincipal(db(), system(t), (trx) => listCertificates(trx, t));
    assert.deepEqual(
      certificates.map((c) => c.certificate.stores),
      [dry.stores],
      'one certificate, with the exact counts',
    );
    assert.equal((await withPrincipal(db(), system(t), (trx) => verifyCertificates(trx, t))).ok, true);
  });

  it('applies the CNIL’s 25 months to the statistics of an authority that measures none', async () => {
    const t = uniqueTenantId('stores-unmeasured');
    await loadVariant(db(), t, withoutKey('audienceProcessing'));
    const run = await runRetention(db(), t, { asOf: new Date('2028-06-15T12:00:00Z') });
    assert.deepEqual(run.stores.audience, { processingId: null, duration: 'P25M', daysDeleted: 0 });
    assert.equal(run.stores.consentProofs.processingId, 'preuve-consentement');
  });

  it(
    'deletes, within 25 months, the statistics an authority gathered before its register stopped naming an audienceProcessing',
    async () => {
      const t = (await loadCommune(db(), uniqueTenantId('stores-stopped'))).tenantId;
      await insertHits(db(), t, dayOfHits('2026-03-10', t));
      await aggregateAudience(db(), t, 'communication', new Date('2026-03-11T12:00:00Z'));
      await loadVariant(db(), t, withoutKey('audienceProcessing'));
      await runRetention(db(), t, { asOf: new Date('2031-01-01T00:00:00Z') });
      assert.deepEqual(await statisticsDays(db(), t), everyTable([]), 'statistics of March 2026 are still held in 2031');
    },
  );
});
