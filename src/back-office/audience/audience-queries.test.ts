import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { withPrincipal } from '../../db/principal.ts';
import { describeEachDatabase, uniqueTenantId } from '../../db/testing.ts';
import { loadCommune } from '../../records/testing.ts';
import { readAudience } from './audience-queries.ts';
import { hit, knownDay, parisDayFromToday, parisTime, seedAudience } from './testing.ts';

describeEachDatabase('audience statistics read by an agent', (database) => {
  const a = uniqueTenantId('aud-q');
  const b = uniqueTenantId('aud-q');
  const day = parisDayFromToday(-3);
  const period = { from: parisDayFromToday(-10), to: parisDayFromToday(-1) };
  const agent = (tenantId: string, services: string[]) => ({ tenantId, agentId: '00000000-0000-4000-8000-000000000001', services });

  before(async () => {
    const db = database().db;
    await loadCommune(db, a);
    await loadCommune(db, b);
    await seedAudience(db, a, [...knownDay(a, day), hit(parisTime(parisDayFromToday(-4), 15), `/${a}/demarches`, { visitor: '303' })]);
    await seedAudience(db, b, [hit(parisTime(day, 12), '/autre/secret-b', { visitor: '404', referrer: 'autre.example' })]);
  });

  it('sums the period per day, page, referring site and form, as numbers on both databases', async () => {
    const figures = await readAudience(database().db, agent(a, ['communication']), period, 1000);
    assert.deepEqual(figures.days, [
      { day: parisDayFromToday(-4), pageViews: 1, visits: 1, visitors: 1, newVisitors: 0 },
      { day, pageViews: 8, visits: 5, visitors: 4, newVisitors: 1 },
    ]);
    assert.deepEqual(figures.pages[0], { path: `/${a}/demarches`, views: 3 });
    assert.equal(figures.pageCount, 5);
    assert.deepEqual(figures.referrers, [
      { host: 'www.google.com', visits: 2 },
      { host: 'www.qwant.com', visits: 1 },
    ]);
    assert.equal(figures.referrerCount, 2);
    assert.deepEqual(figures.forms, [{ formId: 'contact-mairie', viewed: 2, submitted: 1 }]);
    const two = await readAudience(database().db, agent(a, ['communication']), period, 2);
    assert.equal(two.pages.length, 2, 'limited');
    assert.equal(two.pageCount, 5, 'the count is of all pages still');
  });

  it('keeps to the period, both days included', async () => {
    const one = await readAudience(database().db, agent(a, ['communication']), { from: day, to: day }, 1000);
    assert.deepEqual(
      one.days.map((d) => d.day),
      [day],
    );
    const none = await readAudience(database().db, agent(a, ['communication']), { from: parisDayFromToday(-20), to: parisDayFromToday(-15) }, 1000);
    assert.deepEqual(none, { days: [], pages: [], pageCount: 0, referrers: [], referrerCount: 0, forms: [] });
  });

  it('shows nothing to an agent of another service, whatever the query asks (row-level security)', async () => {
    const figures = await readAudience(database().db, agent(a, ['accueil', 'rh']), period, 1000);
    assert.deepEqual(figures.days, []);
    assert.deepEqual(figures.pages, []);
  });

  it('never lets an agent read another tenant’s aggregates, even without a tenant filter', async () => {
    const rows = await withPrincipal(database().db, { kind: 'agent', ...agent(a, ['communication']) }, async (trx) => ({
      days: await trx.selectFrom('audience_days').select('tenant_id').execute(),
      pages: await trx.selectFrom('audience_pages').select(['tenant_id', 'path']).execute(),
      referrers: await trx.selectFrom('audience_referrers').select('host').execute(),
    }));
    assert.ok(rows.days.length > 0);
    assert.ok(
      rows.days.every((r) => r.tenant_id === a),
      'only its tenant’s days',
    );
    assert.ok(!rows.pages.some((p) => p.path.includes('secret-b')));
    assert.ok(!rows.referrers.some((r) => r.host === 'autre.example'));
    const theirs = await readAudience(database().db, agent(b, ['communication']), period, 1000);
    assert.deepEqual(
      theirs.pages.map((p) => p.path),
      ['/autre/secret-b'],
      'the other tenant reads its own',
    );
  });
});
