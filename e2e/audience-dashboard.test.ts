/**
 * The audience measurement end to end, in real Chromium: a scripted browsing
 * session on the demo commune's pages (consent.js sends each page view), one
 * visitor objecting, one sending Global Privacy Control; the day is
 * aggregated as the hourly job does the next morning; an agent of the
 * communication service signs in and reads on the dashboard the visits that
 * session made, in the chart's table and the CSV. The dashboard is checked
 * with axe-core and the W3C Nu checker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { aggregateAudience } from '../src/audience/aggregate.ts';
import { todayInFrance } from '../src/register/date-bound.ts';
import { agentWithPassword, PASSWORD } from '../src/back-office/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { closeBrowser, newContext } from './browser.ts';
import { PageChecks } from './page-checks.ts';

const T = 'val-fleuri';
let server: TestServer;
const checks = new PageChecks();

/** What the server answered to each page's beacon, by path. */
const answers: string[] = [];

/**
 * The page views counted as the server answered the page's beacons (a page
 * that sends none is waited for briefly; one that must send gets 30 s, for
 * a CI machine running other browsers beside). Each answer is kept for the
 * assertion's message.
 */
async function browse(page: Page, paths: string[], expectHits = true): Promise<number> {
  let counted = 0;
  for (const path of paths) {
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/${T}/hit`), { timeout: expectHits ? 30_000 : 2_000 }).catch(() => null);
    await page.goto(server.url + path);
    const hit = await answered;
    answers.push(`${path}: ${hit ? (hit.headers()['x-bastide-hit'] ?? `status ${hit.status()}`) : 'no beacon answered'}`);
    if (hit?.headers()['x-bastide-hit'] === 'counted') counted++;
  }
  return counted;
}

async function visitor(options: Parameters<typeof newContext>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(options);
  // No third party exists in this session; a request to one would fail the test's count, not leave the machine.
  await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort('blockedbyclient'));
  return { context, page: await context.newPage() };
}

before(async () => {
  await checks.open();
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune] });
  const loaded = (await server.registers.current(T))!;
  await agentWithPassword(server.database.db, loaded, 'agent', ['communication'], 'chloe.roux@val-fleuri.example.fr');
});

after(async () => {
  await closeBrowser();
  await server?.close();
  await checks.close();
});

describe('audience measurement, from a browsing session to the dashboard (Chromium)', () => {
  it('counts the visits a scripted session made, and the dashboard shows them', { timeout: 180_000 }, async () => {
    // Three visitors who accept the measurement (it is on by default), with their own paths.
    const paths = [
      ['/val-fleuri/demarches', '/val-fleuri/demarches/demande-urbanisme', '/val-fleuri/donnees-personnelles'],
      ['/val-fleuri/demarches', '/val-fleuri/demarches/contact-mairie'],
      ['/val-fleuri/demarches/demande-urbanisme'],
    ];
    let counted = 0;
    for (const p of paths) {
      const { context, page } = await visitor();
      counted += await browse(page, p);
      await context.close();
    }
    assert.equal(counted, 6, answers.join('\n'));

    // One who objects in the panel: the page view that loaded the panel counts, nothing after.
    const objector = await visitor();
    assert.equal(await browse(objector.page, ['/val-fleuri/demarches']), 1);
    await objector.page.getByRole('button', { name: 'Personnaliser' }).click();
    await objector.page.getByLabel(/Accepter la mesure d’audience anonyme/).uncheck();
    await objector.page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await objector.page.waitForFunction(() => !document.cookie.includes('bastide_vid='));
    assert.equal(await browse(objector.page, ['/val-fleuri/mes-droits', '/val-fleuri/demarches'], false), 0);
    await objector.context.close();

    // One whose browser sends Global Privacy Control: never measured.
    const private_ = await visitor({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    // As a string: tsx's compiled functions carry helpers the page does not have.
    await private_.context.addInitScript({ content: `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; }, configurable: true });` });
    await private_.page.goto(`${server.url}/val-fleuri/demarches`);
    await private_.page.waitForLoadState('networkidle');
    assert.ok(!(await private_.context.cookies()).some((c) => c.name === 'bastide_vid'));
    await private_.context.close();

    // The next morning's job.
    await server.ctx.hits.flush();
    const today = todayInFrance(new Date());
    const report = await aggregateAudience(server.database.db, T, 'communication', new Date(Date.now() + 86_400_000));
    assert.deepEqual(report.days, [today]);
    assert.equal(report.hits, 7);

    const agent = await (await newContext()).newPage();
    checks.record(agent, 'communication');
    await agent.goto(`${server.url}/${T}/back-office/connexion`);
    await agent.getByLabel('Adresse e-mail professionnelle').fill('chloe.roux@val-fleuri.example.fr');
    await agent.getByLabel('Mot de passe').fill(PASSWORD);
    await Promise.all([agent.waitForURL((u) => !u.pathname.endsWith('/connexion')), agent.getByRole('button', { name: 'Se connecter' }).click()]);
    await agent.getByRole('link', { name: 'Mesure d’audience' }).click();
    await checks.axe(agent, 'audience, période par défaut');
    await agent.getByLabel('Date de début').fill(today);
    await agent.getByLabel('Date de fin').fill(today);
    await Promise.all([agent.waitForURL(/du=/), agent.getByRole('button', { name: 'Afficher la période' }).click()]);
    await checks.axe(agent, 'audience, aujourd’hui');
    const text = await agent.locator('main').innerText();
    // Seven page views, four visits (one per visitor), four new visitors; the form funnel of demande-urbanisme viewed twice.
    assert.match(text, /Pages vues\s*7/);
    assert.match(text, /Visites\s*4/);
    assert.match(text, /Poser une question au service urbanisme\s*2\s*0/);
    assert.match(text, /\/val-fleuri\/demarches\s*3/);
    assert.equal(await agent.locator('svg[role="img"]').count(), 1);
    const csv = await agent.context().request.get(`${server.url}/${T}/back-office/audience.csv?du=${today}&au=${today}`);
    assert.equal(csv.status(), 200);
    const body = await csv.text();
    assert.ok(body.startsWith('\uFEFF'));
    // Jour ; visites ; visiteurs uniques ; pages vues ; nouveaux visiteurs.
    assert.match(body, new RegExp(`${today.split('-').reverse().join('/')};4;4;7;4`));
    assert.deepEqual(checks.axeProblems, []);
  });

  it('finds no HTML error in the dashboard as the server sent it', async (t) => {
    assert.ok((await checks.documents()) >= 2);
    assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
  });
});
