/**
 * The consent manager (issue 10) in real Chromium, on the platform and on
 * a second origin, the authority's other site: the banner on a first visit,
 * refusing and accepting in one click, no third-party request before
 * consent, the video loaded in place after it, the panel reopened from the
 * footer, the keyboard, axe-core and the W3C Nu checker, the form page
 * without JavaScript, the audience beacon and its opt-outs.
 *
 * Every request to a host that is not ours is answered by the browser
 * context with a tiny page and recorded; the browser resolves the
 * register's third-party hosts to listeners on 127.0.0.1 and no other name
 * at all, so that a connection no route sees (a preconnect) is counted too
 * and nothing leaves the machine (third-party.ts).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page, Request } from 'playwright-core';
import { parseDocument } from 'yaml';
import { consentConfig } from '../src/consent/consent-config.ts';
import { CONSENT_COOKIE, readConsentCookie, type Choices } from '../src/consent/consent-cookie.ts';
import { withPrincipal } from '../src/db/principal.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { axeViolations } from './browser.ts';
import { PageChecks } from './page-checks.ts';
import { clock, ConnectionSinks, FAKE_THIRD_PARTY_TEXT, launchWalledBrowser, ThirdPartyTraffic } from './third-party.ts';

const T = 'val-fleuri';
const FORM_PATH = `/${T}/demarches/demande-urbanisme`;
const VIDEO = 'https://www.youtube-nocookie.com/embed/Vf1Urbanism';
const VIDEO_PAGE = 'https://www.youtube.com/watch?v=Vf1Urbanism';
const VIDEO_TITLE = 'Contenu de YouTube : Préparer son projet de construction à Val-Fleuri (4 min)';
const ALLOW_YOUTUBE = 'Autoriser YouTube et afficher le contenu';
const BANNER = 'Cookies et contenus tiers';
const PANEL = 'Gestion des cookies et contenus tiers';
const AUDIENCE_LABEL = 'Accepter la mesure d’audience anonyme, réalisée par le site lui-même (exemptée de consentement)';
/** The second site's embeds: one in the documented markup, one plain frame already in its HTML. */
const SITE_DOC = 'https://www.youtube-nocookie.com/embed/VfConseil01';
const SITE_DOC_PAGE = 'https://www.youtube.com/watch?v=VfConseil01';
const SITE_RAW = 'https://www.youtube.com/embed/VfTravaux02';
const THIRTEEN_MONTHS_MAX_DAYS = 397;

let server: TestServer;
let site: Server;
/** The authority's other site, listed in its register's tenant.origins. */
let LISTED: string;
/** The same site under an origin the register does not list. */
let UNLISTED: string;
let sinks: ConnectionSinks;
let browser: Browser;

/** The page an authority's other site serves: consent.js by the documented tag, in the head, synchronous. */
function sitePage(path: string): string {
  const raw = path.startsWith('/brut/');
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Actualités – Ville de Val-Fleuri</title>
<script src="${server.url}/${T}/consent.js"></script>
</head>
<body>
<main>
<h1>Actualités</h1>
<h2>Conseil municipal</h2>
<div data-bastide-embed="youtube" data-src="${SITE_DOC}" data-title="Conseil municipal du 3 décembre" data-url="${SITE_DOC_PAGE}">
<p><a href="${SITE_DOC_PAGE}">Voir la vidéo « Conseil municipal du 3 décembre » sur YouTube</a></p>
</div>
${raw ? `<h2>Travaux</h2>\n<iframe src="${SITE_RAW}" title="Travaux de la place de la Mairie" width="560" height="315"></iframe>\n` : ''}<p>Fin des actualités.</p>
</main>
<footer><p><a href="${server.url}/${T}/cookies" data-bastide-consent>Gestion des cookies</a></p></footer>
</body>
</html>`;
}

before(async () => {
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], kind: process.env['DATABASE_URL'] ? 'postgres' : 'pglite' });
  site = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(sitePage(new URL(request.url ?? '/', 'http://site').pathname));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const port = (site.address() as { port: number }).port;
  LISTED = `http://localhost:${port}`;
  UNLISTED = `http://127.0.0.1:${port}`;
  const doc = parseDocument(await readFile(EXAMPLE_REGISTERS.commune, 'utf8'));
  doc.setIn(['tenant', 'origins'], [...(doc.getIn(['tenant', 'origins']) as { toJSON(): string[] }).toJSON(), LISTED]);
  await server.load(doc.toString());
  const hosts = consentConfig((await server.registers.current(T))!).services.flatMap((s) => s.hosts);
  sinks = await ConnectionSinks.start(hosts);
  browser = await launchWalledBrowser(sinks);
});

after(async () => {
  await browser?.close();
  await sinks?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await server?.close();
});

interface Session {
  context: BrowserContext;
  page: Page;
  traffic: ThirdPartyTraffic;
}

/** Keeps the address of every navigator.sendBeacon call of the page in window.beacons. */
const BEACON_SPY = `window.beacons = [];
{ const send = navigator.sendBeacon.bind(navigator); navigator.sendBeacon = function (url, data) { window.beacons.push(String(url)); return send(url, data); }; }`;
/** Global Privacy Control as a browser that supports it shows it to scripts (Chromium does not, yet). */
const GPC_ON = `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; }, configurable: true });`;

/** A fresh context (French, like e2e/browser.ts's), its third-party traffic watched, and a spy on sendBeacon. */
async function withSession<R>(options: BrowserContextOptions, fn: (s: Session) => Promise<R>): Promise<R> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 }, ...options });
  try {
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(15_000);
    const traffic = await ThirdPartyTraffic.watch(context, [server.url, LISTED, UNLISTED]);
    // As text: a function would be serialised with the helpers tsx adds to it (__name), which the page lacks.
    await context.addInitScript({ content: BEACON_SPY });
    return await fn({ context, page: await context.newPage(), traffic });
  } finally {
    await context.close();
  }
}

/** consent.js has run its start (banner, placeholders, beacon) and the page has loaded. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.readyState === 'complete' && 'bastideConsent' in window);
}

/** The calls consent.js made to navigator.sendBeacon on this page. */
function beacons(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { beacons: string[] }).beacons);
}

/**
 * Waits until the page holds the cookie the server signed (the script replaces its own unsigned copy with it
 * once the proof is stored), allowing `with` and not `without` when given.
 */
async function signedCookie(page: Page, want: { with?: string; without?: string } = {}): Promise<void> {
  await page.waitForFunction((w) => {
    const m = /(?:^|; )bastide_consent=([^;]*)/.exec(document.cookie);
    const parts = m ? m[1]!.split('.') : [];
    if (parts.length !== 6 || !/^[A-Za-z0-9_-]{22}$/.test(parts[5]!)) return false;
    const allowed = parts[4] ? parts[4].split('+') : [];
    return (!w.with || allowed.includes(w.with)) && (!w.without || !allowed.includes(w.without));
  }, want);
}

/** The choices of the context's consent cookie for `url`, if the server signed it for the register in force. */
async function choicesOf(context: BrowserContext, url: string): Promise<Choices | null> {
  const cookie = (await context.cookies(url)).find((c) => c.name === CONSENT_COOKIE);
  return readConsentCookie(server.ctx.keys, consentConfig((await server.registers.current(T))!), cookie?.value, new Date());
}

async function signedChoices(context: BrowserContext, url: string): Promise<Choices> {
  const choices = await choicesOf(context, url);
  assert.ok(choices, 'the consent cookie is one the server signed');
  return choices;
}

interface ProofRow {
  consent_id: string;
  choices: Record<string, boolean>;
  source: string;
  site: string;
  text_hash: string | null;
  register_version: number;
}

async function proofs(where: { consentId?: string; site?: string }): Promise<ProofRow[]> {
  const rows = await withPrincipal(server.database.db, { kind: 'system', tenantId: T }, (trx) => {
    let q = trx.selectFrom('consent_proofs').select(['consent_id', 'choices', 'source', 'site', 'text_hash', 'register_version']).where('tenant_id', '=', T);
    if (where.consentId) q = q.where('consent_id', '=', where.consentId);
    if (where.site) q = q.where('site', '=', where.site);
    return q.orderBy('id').execute();
  });
  // PostgreSQL's driver parses jsonb; PGlite's worker may hand it over as text.
  return rows.map((r) => ({ ...r, choices: (typeof r.choices === 'string' ? JSON.parse(r.choices) : r.choices) as Record<string, boolean> }));
}

async function allProofs(): Promise<number> {
  return (await proofs({})).length;
}

/** Stored hits of one counted path, once every hit waiting in memory is written. */
async function hitsOf(path: string) {
  await server.ctx.hits.flush();
  return withPrincipal(server.database.db, { kind: 'system', tenantId: T }, (trx) =>
    trx.selectFrom('audience_hits').select(['path', 'form_id', 'event', 'new_visitor', 'visitor']).where('tenant_id', '=', T).where('path', '=', path).execute(),
  );
}

/** Resolves when a request of the context matching `match` has ended, answered or failed. */
function ended(context: BrowserContext, match: (r: Request) => boolean): Promise<{ request: Request; failure: string | null }> {
  return new Promise((resolve) => {
    const done = (request: Request) => {
      if (!match(request)) return;
      context.off('requestfinished', done);
      context.off('requestfailed', done);
      resolve({ request, failure: request.failure()?.errorText ?? null });
    };
    context.on('requestfinished', done);
    context.on('requestfailed', done);
  });
}

const isConsentPost = (r: Request) => r.method() === 'POST' && r.url() === `${server.url}/api/v1/${T}/consent`;
const isHit = (r: Request) => r.method() === 'POST' && r.url() === `${server.url}/api/v1/${T}/hit`;

/** The page's frames other than itself. */
function subframes(page: Page): string[] {
  return page.frames().filter((f) => f !== page.mainFrame()).map((f) => f.url());
}

/**
 * Clicks a control below a third-party frame. Playwright scrolls and clicks at once, and Chromium may still route
 * the click by where the out-of-process frame was before the scroll (it went to the frame, and the link never saw
 * it): scrolled first, and clicked once the page has drawn two frames.
 */
async function clickBelowFrames(page: Page, target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await target.click();
}

const banner = (page: Page) => page.getByRole('region', { name: BANNER });
const panel = (page: Page) => page.getByRole('dialog', { name: PANEL });
const placeholder = (page: Page) => page.locator('[data-bastide-embed="youtube"]');

describe('the consent manager on the platform (Chromium)', () => {
  it('first visit: the banner asks and nothing third-party loads; « Tout refuser » takes one click, is proven, and holds after a reload', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page, traffic }) => {
      const connections = sinks.connections.length;
      await page.goto(server.url + FORM_PATH);
      await banner(page).waitFor();
      await settled(page);
      assert.deepEqual(
        await page.evaluate(() => [...document.body.children].slice(0, 2).map((e) => e.className)),
        ['skip-link', 'bcm-banner'],
        'the banner comes first in the page, after the skip link',
      );
      for (const name of ['Tout accepter', 'Tout refuser', 'Personnaliser', 'Continuer sans accepter']) assert.ok(await banner(page).getByRole('button', { name, exact: true }).isVisible(), name);
      assert.equal(await placeholder(page).locator('.bcm-embed-title').innerText(), VIDEO_TITLE);
      assert.deepEqual(traffic.urls(), [], 'no third-party request before any choice');

      const answer = page.waitForResponse((r) => isConsentPost(r.request()));
      await banner(page).getByRole('button', { name: 'Tout refuser' }).click();
      assert.equal((await answer).status(), 201);
      await banner(page).waitFor({ state: 'detached' });
      await signedCookie(page);
      assert.equal(await placeholder(page).locator('iframe').count(), 0);
      assert.ok(await placeholder(page).getByRole('button', { name: ALLOW_YOUTUBE }).isVisible(), 'the placeholder stays');

      await page.reload();
      await settled(page);
      assert.equal(await banner(page).count(), 0, 'not asked again');
      assert.equal(await page.locator('iframe').count(), 0);
      assert.deepEqual(traffic.urls(), [], 'still no third-party request after the reload');
      assert.deepEqual(sinks.since(connections), [], 'no connection to a third-party host either');

      const choices = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(choices.allowed, { youtube: false, facebook: false, audience: true }, 'refusing all leaves the exempt measurement to its own opt-out');
      const stored = await proofs({ consentId: choices.consentId });
      assert.equal(stored.length, 1);
      assert.deepEqual(stored[0]!.choices, choices.allowed);
      assert.equal(stored[0]!.source, 'banner');
      assert.equal(stored[0]!.site, server.url);
      assert.equal(stored[0]!.register_version, 2);
      assert.match(stored[0]!.text_hash ?? '', /^[0-9a-f]{64}$/);
    });
  });

  it('« Tout accepter » takes one click: the video appears in place without a reload, then the server renders it itself', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page, traffic }) => {
      await page.goto(server.url + FORM_PATH);
      await banner(page).waitFor();
      await settled(page);
      assert.deepEqual(traffic.urls(), []);
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));

      await banner(page).getByRole('button', { name: 'Tout accepter' }).click();
      const frame = page.frameLocator(`[data-bastide-embed="youtube"] iframe[src="${VIDEO}"]`);
      await frame.getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no reload');
      assert.equal(await page.locator('[data-bastide-embed="youtube"] iframe').getAttribute('title'), VIDEO_TITLE);
      assert.equal(await banner(page).count(), 0);
      assert.deepEqual(traffic.urls(), [VIDEO], 'the video, and nothing else');
      assert.equal(traffic.requests[0]!.routed, true);
      await signedCookie(page, { with: 'youtube' });
      assert.deepEqual((await signedChoices(context, server.url + FORM_PATH)).allowed, { youtube: true, facebook: true, audience: true });

      const response = await page.reload();
      assert.match(await response!.text(), new RegExp(`<iframe src="${VIDEO}" title="${VIDEO_TITLE.replace(/[()]/g, '\\$&')}"`), 'the server sends the frame itself');
      await page.frameLocator(`iframe[src="${VIDEO}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      await settled(page);
      assert.equal(await page.locator('iframe').count(), 1, 'consent.js keeps the frame the server sent');
      assert.deepEqual(traffic.urls(), [VIDEO, VIDEO]);
    });
  });

  it('the placeholder allows YouTube alone; the footer link reopens the panel as chosen; withdrawing YouTube there removes the frame', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page, traffic }) => {
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      await placeholder(page).getByRole('button', { name: ALLOW_YOUTUBE }).click();
      await page.frameLocator(`iframe[src="${VIDEO}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      assert.equal(page.url(), server.url + FORM_PATH, 'allowed in place, without the form post');
      assert.equal(await banner(page).count(), 0, 'a choice made in a placeholder answers the banner');
      await signedCookie(page);
      const first = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(first.allowed, { youtube: true, facebook: false, audience: true });

      await clickBelowFrames(page, page.getByRole('link', { name: 'Gestion des cookies' }));
      await panel(page).waitFor();
      assert.equal(page.url(), server.url + FORM_PATH, 'the panel opens over the page');
      assert.equal(await panel(page).getByRole('checkbox', { name: 'YouTube (Google Ireland Limited)' }).isChecked(), true);
      assert.equal(await panel(page).getByRole('checkbox', { name: 'Facebook (Meta Platforms Ireland Limited)' }).isChecked(), false);
      assert.equal(await panel(page).getByRole('checkbox', { name: AUDIENCE_LABEL }).isChecked(), true);

      await panel(page).getByRole('checkbox', { name: 'YouTube (Google Ireland Limited)' }).uncheck();
      await panel(page).getByRole('button', { name: 'Enregistrer mes choix' }).click();
      await panel(page).waitFor({ state: 'hidden' });
      await page.locator('iframe').waitFor({ state: 'detached' });
      assert.ok(await placeholder(page).getByRole('button', { name: ALLOW_YOUTUBE }).isVisible(), 'the placeholder is back');
      assert.deepEqual(subframes(page), []);
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Gestion des cookies', 'focus goes back to the link');
      await signedCookie(page, { without: 'youtube' });
      const second = await signedChoices(context, server.url + FORM_PATH);
      assert.equal(second.consentId, first.consentId, 'a change keeps the consent id');
      assert.deepEqual(second.allowed, { youtube: false, facebook: false, audience: true });
      const stored = await proofs({ consentId: first.consentId });
      assert.deepEqual(
        stored.map((p) => [p.source, p.choices['youtube']]),
        [
          ['embed', true],
          ['panel', false],
        ],
      );
      assert.deepEqual(traffic.urls(), [VIDEO]);
    });
  });

  it('keyboard only: Tab reaches the banner right after the skip link, « Personnaliser » opens the panel with focus inside and kept there, Escape closes it without a choice', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page }) => {
      const posts: string[] = [];
      context.on('request', (r) => void (isConsentPost(r) && posts.push(r.url())));
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      const focused = () =>
        page.evaluate(() => {
          const a = document.activeElement;
          return { text: a?.textContent?.trim() ?? '', tag: a?.tagName ?? '', inBanner: !!a?.closest('.bcm-banner'), inPanel: !!a?.closest('dialog.bcm-panel') };
        });
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(), { text: 'Aller au contenu', tag: 'A', inBanner: false, inPanel: false }, 'the skip link stays the first Tab stop');
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(), { text: 'Tout accepter', tag: 'BUTTON', inBanner: true, inPanel: false }, 'the banner is the next thing Tab reaches');
      await page.keyboard.press('Tab');
      assert.equal((await focused()).text, 'Tout refuser');
      await page.keyboard.press('Tab');
      assert.equal((await focused()).text, 'Personnaliser');
      await page.keyboard.press('Enter');
      await panel(page).waitFor();
      assert.equal((await focused()).inPanel, true, 'focus moves into the panel');

      const seen = new Set<string>();
      for (let i = 0; i < 15; i += 1) {
        await page.keyboard.press('Tab');
        const f = await focused();
        assert.ok(f.inPanel, `Tab ${i + 1} left the panel for ${f.tag} « ${f.text.slice(0, 40)} »`);
        seen.add(f.text || f.tag);
      }
      for (let i = 0; i < 5; i += 1) {
        await page.keyboard.press('Shift+Tab');
        assert.ok((await focused()).inPanel, `Shift+Tab ${i + 1} left the panel`);
      }
      assert.ok(seen.has('×') && seen.has('Enregistrer mes choix'), 'Tab goes round every control of the panel');

      await page.keyboard.press('Escape');
      await panel(page).waitFor({ state: 'hidden' });
      assert.deepEqual(await focused(), { text: 'Personnaliser', tag: 'BUTTON', inBanner: true, inPanel: false }, 'focus goes back to the button that opened it');
      assert.ok(await banner(page).isVisible(), 'Escape chose nothing: the banner still asks');
      assert.deepEqual(posts, [], 'no proof sent');
      assert.equal((await context.cookies(server.url)).some((c) => c.name === CONSENT_COOKIE), false);

      // « Continuer sans accepter », reached with Tab, refuses.
      await page.keyboard.press('Tab');
      assert.equal((await focused()).text, 'Continuer sans accepter');
      await page.keyboard.press('Enter');
      await banner(page).waitFor({ state: 'detached' });
      await signedCookie(page);
      const choices = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(choices.allowed, { youtube: false, facebook: false, audience: true });
      assert.deepEqual((await proofs({ consentId: choices.consentId })).map((p) => p.source), ['banner']);
      assert.equal(posts.length, 1);
    });
  });

  it('axe-core finds nothing in the banner, in the panel, nor on the cookies page', { timeout: 60_000 }, async () => {
    // axe is injected as an inline script: this context alone bypasses the pages' CSP.
    await withSession({ bypassCSP: true }, async ({ page }) => {
      await page.goto(server.url + FORM_PATH);
      await banner(page).waitFor();
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], 'with the banner shown');
      await banner(page).getByRole('button', { name: 'Personnaliser' }).click();
      await panel(page).waitFor();
      assert.deepEqual(await axeViolations(page), [], 'with the panel open');
      await page.goto(`${server.url}/${T}/cookies`);
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], 'the cookies page');
    });
  });

  it('the W3C Nu checker finds the cookies page and the form page valid, with the placeholder and with the frame', { timeout: 120_000 }, async (t) => {
    const checks = new PageChecks();
    await checks.open();
    try {
      await withSession({ javaScriptEnabled: false }, async ({ context, page, traffic }) => {
        // Third parties refused outright here (this route comes before the watch's): the checker keeps our pages
        // alone, and never fetches a frame's document again from outside the browser.
        await context.route((url) => traffic.isThirdParty(url.href), (route) => route.abort('blockedbyclient'));
        checks.record(page, 'consent');
        await page.goto(server.url + FORM_PATH);
        await page.goto(`${server.url}/${T}/cookies`);
        await page.goto(server.url + FORM_PATH);
        await Promise.all([page.waitForURL(/\/cookies\?autoriser=youtube/), placeholder(page).getByRole('link', { name: ALLOW_YOUTUBE }).click()]);
        await Promise.all([page.waitForURL((u) => u.hash === '#media-1'), page.getByRole('button', { name: ALLOW_YOUTUBE }).click()]);
        assert.equal(await page.locator(`iframe[src="${VIDEO}"]`).count(), 1, 'the form page as sent with the frame');
        await page.goto(`${server.url}/${T}/cookies?retour=${encodeURIComponent(FORM_PATH)}`);
        await Promise.all([page.waitForURL(/enregistre=1/), page.getByRole('button', { name: 'Tout refuser' }).click()]);
        // Counted while the browser context lives: a page left at once is fetched again through it (page-checks.ts).
        assert.equal(await checks.documents(), 7);
      });
      assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
    } finally {
      await checks.close();
    }
  });

  it('without JavaScript: the placeholder says what and who, its button allows the video through the server, the cookies page changes the choices', { timeout: 60_000 }, async () => {
    await withSession({ javaScriptEnabled: false }, async ({ context, page, traffic }) => {
      await page.goto(server.url + FORM_PATH);
      assert.equal(await banner(page).count(), 0);
      assert.equal(await placeholder(page).locator('.bcm-embed-title').innerText(), VIDEO_TITLE);
      assert.match(await placeholder(page).innerText(), /Ce contenu est hébergé par YouTube \(Google Ireland Limited\)\. L’afficher dépose des cookies de YouTube et lui transmet votre adresse IP\./);
      const open = placeholder(page).getByRole('link', { name: /^Voir sur le site de YouTube/ });
      assert.equal(await open.getAttribute('href'), VIDEO_PAGE);
      assert.equal(await page.locator('iframe').count(), 0);
      assert.deepEqual(traffic.urls(), []);

      // Without a script the placeholder's link asks once, on the cookies page, then comes back.
      await Promise.all([page.waitForURL(/\/cookies\?autoriser=youtube/), placeholder(page).getByRole('link', { name: ALLOW_YOUTUBE }).click()]);
      assert.equal(await page.getByRole('heading', { name: 'Autoriser YouTube ?' }).count(), 1);
      assert.deepEqual(traffic.urls(), []);
      await Promise.all([page.waitForURL((u) => u.pathname === FORM_PATH && u.hash === '#media-1'), page.getByRole('button', { name: ALLOW_YOUTUBE }).click()]);
      await page.frameLocator(`iframe[src="${VIDEO}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      assert.deepEqual(traffic.urls(), [VIDEO]);
      const allowed = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(allowed.allowed, { youtube: true, facebook: false, audience: true });
      assert.deepEqual((await proofs({ consentId: allowed.consentId })).map((p) => [p.source, p.site]), [['embed', server.url]]);

      // The footer link is the cookies page itself when no script runs; its radio pairs show the choices made.
      await Promise.all([page.waitForURL(`${server.url}/${T}/cookies`), page.getByRole('link', { name: 'Gestion des cookies' }).click()]);
      const youtube = page.getByRole('group', { name: 'YouTube (Google Ireland Limited)' });
      assert.equal(await youtube.getByRole('radio', { name: 'Autoriser' }).isChecked(), true);
      assert.equal(await page.getByRole('group', { name: 'Facebook (Meta Platforms Ireland Limited)' }).getByRole('radio', { name: 'Refuser' }).isChecked(), true);
      await page.getByRole('radio', { name: 'M’opposer à la mesure d’audience' }).check();
      await Promise.all([page.waitForURL(/enregistre=1/), page.getByRole('button', { name: 'Enregistrer mes choix' }).click()]);
      assert.equal(await page.getByRole('status').innerText(), 'Vos choix sont enregistrés.');
      assert.deepEqual((await signedChoices(context, server.url + FORM_PATH)).allowed, { youtube: true, facebook: false, audience: false });

      await Promise.all([page.waitForURL(/enregistre=1/), page.getByRole('button', { name: 'Tout refuser' }).click()]);
      const refused = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(refused.allowed, { youtube: false, facebook: false, audience: false });
      assert.deepEqual((await proofs({ consentId: allowed.consentId })).map((p) => p.source), ['embed', 'page', 'page'], 'one consent id across the changes');

      await page.goto(server.url + FORM_PATH);
      assert.equal(await page.locator('iframe').count(), 0, 'the placeholder is back');
      assert.ok(await placeholder(page).getByRole('link', { name: ALLOW_YOUTUBE }).isVisible());
      assert.deepEqual(traffic.urls(), [VIDEO], 'no third-party request since the refusal');
    });
  });
});

describe('the audience beacon (Chromium)', () => {
  it('a page view sends one hit, stored after the flush, and sets bastide_vid', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page }) => {
      const before = (await hitsOf(FORM_PATH)).length;
      const hit = page.waitForResponse((r) => isHit(r.request()));
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      const answer = await hit;
      assert.equal(answer.status(), 204);
      assert.equal(await answer.headerValue('x-bastide-hit'), 'counted');
      assert.deepEqual(await beacons(page), [`${server.url}/api/v1/${T}/hit`], 'one beacon');
      const body = JSON.parse(answer.request().postData() ?? '{}') as { url: string; vid: string; first: boolean; event: string; form: string };
      assert.equal(body.url, server.url + FORM_PATH);
      assert.equal(body.first, true);
      assert.deepEqual([body.event, body.form], ['form-viewed', 'demande-urbanisme']);
      const vid = (await context.cookies(server.url + FORM_PATH)).find((c) => c.name === 'bastide_vid');
      assert.equal(vid?.value, body.vid);
      assert.equal(vid?.path, `/${T}`);

      const rows = await hitsOf(FORM_PATH);
      assert.equal(rows.length, before + 1);
      const row = rows.at(-1)!;
      assert.deepEqual([row.form_id, row.event, row.new_visitor], ['demande-urbanisme', 'form-viewed', true]);
      assert.notEqual(row.visitor, null);
    });
  });

  it('after an objection in the panel, no hit is sent and bastide_vid is deleted', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page }) => {
      const hits: string[] = [];
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      assert.ok((await context.cookies(server.url + FORM_PATH)).some((c) => c.name === 'bastide_vid'));
      await page.getByRole('link', { name: 'Gestion des cookies' }).click();
      await panel(page).getByRole('checkbox', { name: AUDIENCE_LABEL }).uncheck();
      await panel(page).getByRole('button', { name: 'Enregistrer mes choix' }).click();
      await signedCookie(page, { without: 'audience' });
      assert.equal((await context.cookies(server.url + FORM_PATH)).some((c) => c.name === 'bastide_vid'), false, 'bastide_vid deleted');
      const choices = await signedChoices(context, server.url + FORM_PATH);
      assert.deepEqual(choices.allowed, { youtube: false, facebook: false, audience: false });
      assert.deepEqual((await proofs({ consentId: choices.consentId })).map((p) => [p.source, p.choices['audience']]), [['panel', false]]);

      context.on('request', (r) => void (isHit(r) && hits.push(r.url())));
      for (const path of [`/${T}/demarches`, FORM_PATH]) {
        await page.goto(server.url + path);
        await settled(page);
        assert.deepEqual(await beacons(page), [], `no beacon on ${path}`);
      }
      assert.deepEqual(hits, []);
      assert.equal((await context.cookies(server.url + FORM_PATH)).some((c) => c.name === 'bastide_vid'), false, 'and not set again');
    });
  });

  it('with Global Privacy Control, no hit is sent and no bastide_vid is set', { timeout: 60_000 }, async () => {
    await withSession({ extraHTTPHeaders: { 'Sec-GPC': '1' } }, async ({ context, page }) => {
      await context.addInitScript({ content: GPC_ON });
      const hits: string[] = [];
      context.on('request', (r) => void (isHit(r) && hits.push(r.url())));
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      assert.equal(await page.evaluate(() => (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl), true);
      assert.deepEqual(await beacons(page), []);
      assert.deepEqual(hits, []);
      assert.deepEqual((await context.cookies(server.url + FORM_PATH)).map((c) => c.name).filter((n) => n.startsWith('bastide_v')), []);
      assert.ok(await banner(page).isVisible(), 'the banner still asks for the embeds');
    });
  });

  it('bastide_vid lasts about 13 months and a later visit does not push its end further', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page }) => {
      const vid = async () => (await context.cookies(server.url + FORM_PATH)).find((c) => c.name === 'bastide_vid');
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      const first = await vid();
      assert.ok(first);
      const end = new Date();
      end.setMonth(end.getMonth() + 13);
      const days = (first.expires * 1000 - Date.now()) / 86_400_000;
      assert.ok(Math.abs(first.expires * 1000 - end.getTime()) < 2 * 86_400_000, `ends in ${days.toFixed(1)} days`);
      assert.ok(days <= THIRTEEN_MONTHS_MAX_DAYS, `at most 13 months (${days.toFixed(1)} days)`);

      // Forty days later, as the page's clock tells it: the same visitor, counted, the cookie's end unchanged.
      await context.clock.setFixedTime(Date.now() + 40 * 86_400_000);
      const hit = page.waitForRequest(isHit);
      await page.goto(server.url + FORM_PATH);
      await settled(page);
      assert.ok((await page.evaluate(() => Date.now())) > Date.now() + 39 * 86_400_000, 'the page lives forty days later');
      const body = JSON.parse((await hit).postData() ?? '{}') as { vid: string; first: boolean };
      assert.deepEqual([body.vid, body.first], [first.value, false]);
      const second = await vid();
      assert.equal(second?.value, first.value);
      assert.equal(second?.expires, first.expires, 'never extended');
    });
  });
});

describe('the consent manager on the authority’s other site (Chromium, second origin)', () => {
  it('listed site: the banner asks, the documented markup loads nothing before consent, a raw frame is replaced; accepting loads both, proven for that site, and its page view counts', { timeout: 60_000 }, async (t: TestContext) => {
    await withSession({}, async ({ context, page, traffic }) => {
      const url = `${LISTED}/brut/actualites.html`;
      let scriptAnswered: number | undefined;
      context.on('response', (r) => {
        if (r.url() === `${server.url}/${T}/consent.js`) scriptAnswered = clock();
      });
      const connections = sinks.connections.length;
      const start = clock();
      const hit = page.waitForResponse((r) => isHit(r.request()));
      await page.goto(url);
      await banner(page).waitFor();
      await settled(page);

      // The documented markup: the script's placeholder, in place of the site's fallback link, and no request.
      const boxes = page.locator('[data-bastide-embed="youtube"]');
      assert.equal(await boxes.count(), 2);
      assert.equal(await boxes.nth(0).locator('.bcm-embed-title').innerText(), 'Contenu de YouTube : Conseil municipal du 3 décembre');
      assert.equal(await boxes.nth(0).getByRole('link', { name: 'Voir sur le site de YouTube' }).getAttribute('href'), SITE_DOC_PAGE);
      // The raw frame: replaced by a placeholder, no frame left loaded.
      assert.equal(await boxes.nth(1).getAttribute('data-src'), SITE_RAW);
      assert.equal(await boxes.nth(1).locator('.bcm-embed-title').innerText(), 'Contenu de YouTube : Travaux de la place de la Mairie');
      assert.equal(await page.locator('iframe').count(), 0);
      assert.deepEqual(subframes(page), [], 'no frame of YouTube is left loaded');

      const beforeConsent = traffic.since(0);
      assert.ok(!beforeConsent.some((r) => r.url === SITE_DOC), 'nothing requested for the documented markup');
      assert.deepEqual([...new Set(beforeConsent.map((r) => r.url))].filter((u) => u !== SITE_RAW), [], 'before consent, only the raw frame’s address may have been asked for');
      const early = sinks.since(connections);
      assert.deepEqual(early.filter((c) => c.host === new URL(SITE_DOC).host), [], 'no connection to the documented embed’s host');
      // What the raw frame did before the script removed it: reported, not asserted (it depends on timing).
      t.diagnostic(`consent.js answered at +${(scriptAnswered ?? NaN) - start} ms`);
      for (const r of beforeConsent) t.diagnostic(`raw frame request ${r.url} began at +${r.at - start} ms, ${r.outcome} at +${(r.endedAt ?? NaN) - start} ms, ${r.routed ? 'after it had reached the interception point, where a real request goes to the network' : 'before it reached the interception point'}`);
      t.diagnostic(`TCP connections to third-party hosts before any choice: ${early.length ? early.map((c) => `${c.host} at +${c.at - start} ms`).join(', ') : 'none'}`);

      const answer = await hit;
      assert.equal(await answer.headerValue('x-bastide-hit'), 'counted');
      // Another site's page is counted under its host: two sites' « / » are two pages.
      const stored = await hitsOf(`${new URL(LISTED).host}/brut/actualites.html`);
      assert.equal(stored.length, 1, 'the page view of a listed site counts');
      assert.equal(stored[0]!.event, null, 'form events belong to the platform’s pages');

      const mark = traffic.requests.length;
      const proof = page.waitForResponse((r) => isConsentPost(r.request()));
      await banner(page).getByRole('button', { name: 'Tout accepter' }).click();
      await page.frameLocator(`iframe[src="${SITE_DOC}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      await page.frameLocator(`iframe[src="${SITE_RAW}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      assert.deepEqual(traffic.since(mark).map((r) => r.url).sort(), [SITE_DOC, SITE_RAW].sort(), 'accepting loads both, and nothing else');
      assert.equal((await proof).status(), 201);
      assert.equal(await (await proof).headerValue('access-control-allow-origin'), LISTED);

      await signedCookie(page);
      const cookie = (await context.cookies(LISTED)).find((c) => c.name === CONSENT_COOKIE);
      assert.equal(cookie?.path, '/', 'on another site, the whole site');
      const choices = await signedChoices(context, LISTED);
      const proven = await proofs({ consentId: choices.consentId });
      assert.deepEqual(
        proven.map((p) => [p.site, p.source]),
        [[LISTED, 'banner']],
      );
      assert.deepEqual(proven[0]!.choices, { youtube: true, facebook: true, audience: true });

      // The footer link of the other site reopens the panel there too.
      await clickBelowFrames(page, page.getByRole('link', { name: 'Gestion des cookies' }));
      await panel(page).waitFor();
      assert.equal(await panel(page).getByRole('checkbox', { name: 'YouTube (Google Ireland Limited)' }).isChecked(), true);
      assert.equal(page.url(), url);
    });
  });

  it('listed site with the documented markup alone: not one request nor connection to a third party before consent (and the walled resolver does send one there)', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ page, traffic }) => {
      const connections = sinks.connections.length;
      await page.goto(`${LISTED}/documente/accueil.html`);
      await banner(page).waitFor();
      await settled(page);
      await page.reload();
      await settled(page);
      assert.deepEqual(traffic.urls(), []);
      assert.deepEqual(sinks.since(connections), []);
      await banner(page).getByRole('button', { name: 'Tout accepter' }).click();
      await page.frameLocator(`iframe[src="${SITE_DOC}"]`).getByText(FAKE_THIRD_PARTY_TEXT).waitFor();
      assert.deepEqual(traffic.urls(), [SITE_DOC]);
    });
    // The control: a request that no route answers does reach the listener of its host, so the zero above means something.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const connections = sinks.connections.length;
      await page.goto(`${LISTED}/documente/controle.html`);
      await page.evaluate((src) => void fetch(src, { mode: 'no-cors', signal: AbortSignal.timeout(5000) }).catch(() => {}), SITE_DOC);
      const deadline = Date.now() + 5000;
      while (!sinks.since(connections).some((c) => c.host === new URL(SITE_DOC).host) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.ok(
        sinks.since(connections).some((c) => c.host === new URL(SITE_DOC).host),
        'the listener of www.youtube-nocookie.com sees the connection',
      );
    } finally {
      await context.close();
    }
  });

  it('listed site: axe-core finds nothing in the banner and the panel, which the keyboard reaches first', { timeout: 60_000 }, async () => {
    await withSession({ bypassCSP: true }, async ({ page }) => {
      await page.goto(`${LISTED}/brut/accessibilite.html`);
      await banner(page).waitFor();
      await settled(page);
      assert.deepEqual(await axeViolations(page), [], 'with the banner shown');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('.bcm-banner') !== null && document.activeElement?.textContent), 'Tout accepter');
      await banner(page).getByRole('button', { name: 'Personnaliser' }).click();
      await panel(page).waitFor();
      assert.deepEqual(await axeViolations(page), [], 'with the panel open');
      await page.keyboard.press('Escape');
      await panel(page).waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Personnaliser');
    });
  });

  it('unlisted site: the consent post is refused (403) and its page view ignored; nothing is stored', { timeout: 60_000 }, async () => {
    await withSession({}, async ({ context, page }) => {
      const path = '/brut/non-declare.html';
      const beforeProofs = await allProofs();
      const hit = ended(context, isHit);
      await page.goto(UNLISTED + path);
      await banner(page).waitFor();
      await settled(page);
      assert.match((await hit).failure ?? '', /ERR_BLOCKED_BY_RESPONSE/, 'the hit is answered without CORS for that site');
      const post = ended(context, isConsentPost);
      await banner(page).getByRole('button', { name: 'Tout accepter' }).click();
      assert.equal((await post).failure, 'net::ERR_FAILED', 'the browser is refused the post (preflight 403)');
      assert.equal(await choicesOf(context, UNLISTED), null, 'no signed cookie');
      assert.deepEqual(await proofs({ site: UNLISTED }), []);
      assert.equal(await allProofs(), beforeProofs);
      assert.deepEqual(await hitsOf(path), []);

      // The same requests, replayed with that Origin: what the server answered the browser.
      const body = JSON.stringify({ choices: { youtube: true }, source: 'api' });
      const preflight = await fetch(`${server.url}/api/v1/${T}/consent`, { method: 'OPTIONS', headers: { origin: UNLISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      assert.equal(preflight.status, 403);
      const consent = await fetch(`${server.url}/api/v1/${T}/consent`, { method: 'POST', headers: { origin: UNLISTED, 'content-type': 'application/json' }, body });
      assert.equal(consent.status, 403);
      assert.equal(consent.headers.get('access-control-allow-origin'), null);
      const hitAgain = await fetch(`${server.url}/api/v1/${T}/hit`, { method: 'POST', headers: { origin: UNLISTED, 'content-type': 'text/plain' }, body: JSON.stringify({ url: UNLISTED + path }) });
      assert.equal(hitAgain.status, 204);
      assert.equal(hitAgain.headers.get('x-bastide-hit'), 'ignored; origin');
      assert.deepEqual(await hitsOf(path), []);
      assert.equal(await allProofs(), beforeProofs);
    });
  });

  it('listed site without JavaScript: the documented markup’s own link reaches the video, and nothing third-party loads', { timeout: 60_000 }, async () => {
    await withSession({ javaScriptEnabled: false }, async ({ page, traffic }) => {
      await page.goto(`${LISTED}/documente/sans-script.html`);
      const link = page.locator('[data-bastide-embed="youtube"]').getByRole('link', { name: 'Voir la vidéo « Conseil municipal du 3 décembre » sur YouTube' });
      assert.ok(await link.isVisible());
      assert.equal(await link.getAttribute('href'), SITE_DOC_PAGE);
      assert.equal(await page.locator('iframe').count(), 0);
      assert.equal(await banner(page).count(), 0);
      assert.deepEqual(traffic.urls(), []);
    });
  });
});
