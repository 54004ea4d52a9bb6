/**
 * Accessibility of the citizen-facing pages, checked in a real Chromium
 * against the real server: axe-core (WCAG 2.1 A and AA, and its best
 * practices), and by hand what axe cannot see — language, titles, headings,
 * the skip link, keyboard focus, reflow at 320 px, and the notice's table of
 * contents (RGAA 4.1 themes 8, 9, 10 and 12).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Response } from 'playwright-core';
import type { TestServer } from '../src/server/testing.ts';
import { axeViolations, closeBrowser, headings, newContext, skippedHeadingLevels } from './browser.ts';
import { PAGES, RENAMED_SUFFIX, TENANTS, startE2EServer, type PageCase } from './pages.ts';

let server: TestServer;
let desktop: BrowserContext;
let mobile: BrowserContext;

before(async () => {
  server = await startE2EServer();
  desktop = await newContext({ viewport: { width: 1280, height: 900 } });
  mobile = await newContext({ viewport: { width: 320, height: 640 } });
});

after(async () => {
  await desktop?.close();
  await mobile?.close();
  await closeBrowser();
  await server?.close();
});

interface Loaded {
  page: Page;
  response: Response | null;
}

/** A fresh tab on `path`, left open for several checks. */
async function open(context: BrowserContext, path: string): Promise<Loaded> {
  const page = await context.newPage();
  return { page, response: await page.goto(server.url + path) };
}

/** Opens a fresh tab on `path`, runs `check`, and always closes the tab. */
async function visit<T>(context: BrowserContext, path: string, check: (page: Page, response: Response | null) => Promise<T>): Promise<T> {
  const page = await context.newPage();
  try {
    const response = await page.goto(server.url + path);
    return await check(page, response);
  } finally {
    await page.close();
  }
}

/** A description of the element that has keyboard focus, for assertions and messages. */
function activeElement(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', id: '', text: '', inMain: false };
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80),
      inMain: Boolean(el.closest('main')),
    };
  });
}

const NOTICES = PAGES.filter((p) => p.kind === 'notice');

describe('every citizen-facing page', () => {
  /** The title of each page, by path, as the browser showed it. */
  const pageTitles = new Map<string, string>();

  for (const p of PAGES) {
    describe(`${p.label} (${p.path})`, () => {
      // One tab per screen width, loaded once: the checks read it and leave it as it was (axe moves no focus);
      // the Tab key walk runs on it before anything else has focused it. Only the skip link, which follows an
      // anchor, opens a tab of its own.
      let wide: Loaded;
      let narrow: Loaded;
      before(async () => {
        wide = await open(desktop, p.path);
        narrow = await open(mobile, p.path);
        pageTitles.set(p.path, await wide.page.title());
      });
      after(async () => {
        await wide?.page.close();
        await narrow?.page.close();
      });

      it(`answers ${p.status} with an HTML page`, () => {
        assert.equal(wide.response?.status(), p.status);
        assert.match(wide.response?.headers()['content-type'] ?? '', /^text\/html; charset=utf-8/);
      });

      it('has no WCAG 2.1 A or AA violation nor best-practice one that axe-core can find, on a wide screen', async () => {
        const violations = await axeViolations(wide.page);
        assert.deepEqual(violations, []);
      });

      it('has no WCAG 2.1 A or AA violation nor best-practice one that axe-core can find, on a 320 px wide screen', async () => {
        const violations = await axeViolations(narrow.page);
        assert.deepEqual(violations, []);
      });

      it('is declared in French, has a non-empty title and exactly one h1', async () => {
        const page = wide.page;
        assert.equal(await page.getAttribute('html', 'lang'), 'fr');
        assert.notEqual((await page.title()).trim(), '', 'the <title> is empty');
        assert.equal(await page.locator('h1').count(), 1, 'number of <h1>');
        assert.notEqual((await page.locator('h1').innerText()).trim(), '', 'the <h1> is empty');
      });

      it('has headings that start at h1 and never skip a level', async () => {
        const outline = await headings(wide.page);
        assert.deepEqual(skippedHeadingLevels(outline), []);
      });

      it('shows a visible focus indicator on everything reached with the Tab key', async () => {
        const page = wide.page;
        const problems: string[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < 400; i++) {
          await page.keyboard.press('Tab');
          const state = await page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            if (!el || el === document.body) return null;
            const key = `${el.tagName}|${el.getAttribute('href') ?? ''}|${el.id}|${Array.from(el.parentNode?.children ?? []).indexOf(el)}|${el.getBoundingClientRect().top + scrollY}`;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
            const shadow = style.boxShadow !== 'none';
            return { key, visible: outline || shadow, text: (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60), tag: el.tagName.toLowerCase() };
          });
          if (!state || seen.has(state.key)) break; // left the document, or wrapped around
          seen.add(state.key);
          if (!state.visible) problems.push(`<${state.tag}> « ${state.text} »`);
        }
        assert.ok(seen.size > 1, 'Tab reaches more than one element');
        assert.deepEqual(problems, []);
      });

      it('offers a skip link as the first Tab stop, which moves keyboard focus to the main content', async () => {
        await visit(desktop, p.path, async (page) => {
          await page.keyboard.press('Tab');
          const first = await activeElement(page);
          assert.equal(first.tag, 'a', `first Tab stop is <${first.tag}> « ${first.text} »`);
          assert.equal(first.text, 'Aller au contenu');
          const href = await page.evaluate(() => document.activeElement?.getAttribute('href') ?? '');
          assert.match(href, /^#./);
          const targetId = href.slice(1);
          assert.equal(await page.locator(`[id="${targetId}"]`).count(), 1, `the skip link's target #${targetId} exists once`);
          const box = await page.locator('.skip-link').boundingBox();
          assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 1 && box.height > 1, 'the focused skip link is visible on screen');

          await page.keyboard.press('Enter');
          assert.equal(await page.evaluate(() => location.hash), `#${targetId}`);
          const target = await activeElement(page);
          assert.equal(target.id, targetId, 'keyboard focus is on the skip link target');

          // The next Tab continues inside the main content, not back in the header.
          await page.keyboard.press('Tab');
          const next = await activeElement(page);
          assert.ok(next.inMain, `after the skip link, Tab reaches <${next.tag}> « ${next.text} », outside <main>`);
        });
      });

      it('reflows at 320 px wide without horizontal scrolling of the page', async () => {
        const width = await narrow.page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 320, `the document is ${width} px wide at a 320 px viewport`);
      });

      it('has no link to a section that does not exist', async () => {
        const page = wide.page;
        const links = await page.$$eval('a[href*="#"]', (as) => as.map((a) => ({ href: (a as HTMLAnchorElement).href, text: (a.textContent ?? '').trim() })));
        const origin = new URL(server.url).origin;
        const here = new URL(page.url());
        const idsByPath = new Map<string, Set<string>>();
        const problems: string[] = [];
        for (const link of links) {
          const url = new URL(link.href);
          if (url.origin !== origin || url.hash.length < 2) continue;
          const id = decodeURIComponent(url.hash.slice(1));
          let ids = idsByPath.get(url.pathname);
          if (!ids) {
            const source = url.pathname === here.pathname ? await page.content() : await (await fetch(origin + url.pathname)).text();
            ids = new Set(Array.from(source.matchAll(/\sid="([^"]+)"/g), (m) => m[1]!));
            idsByPath.set(url.pathname, ids);
          }
          if (!ids.has(id)) problems.push(`« ${link.text} » → ${url.pathname}${url.hash}`);
        }
        assert.deepEqual(problems, []);
      });
    });
  }

  it('each have a title of their own', async () => {
    const titles = new Map<string, PageCase[]>();
    for (const p of PAGES) {
      const title = pageTitles.get(p.path) ?? (await visit(desktop, p.path, (page) => page.title()));
      titles.set(title, [...(titles.get(title) ?? []), p]);
    }
    const duplicates = [...titles]
      .filter(([, pages]) => pages.length > 1)
      .map(([title, pages]) => `« ${title} »: ${pages.map((p) => p.path).join(', ')}`);
    assert.deepEqual(duplicates, []);
  });
});

describe('pages that do not exist', () => {
  const cases: Array<{ name: string; path: string; says: RegExp; title: string; tenant?: string }> = [
    { name: 'an unknown authority', path: '/inconnue/donnees-personnelles', title: 'Collectivité introuvable', says: /Cette collectivité n’existe pas/ },
    { name: 'an unknown page of a known authority', path: '/val-fleuri/page-inconnue', title: 'Page introuvable', says: /La page demandée n’existe pas/, tenant: 'Commune de Val-Fleuri' },
    {
      name: 'a notice version that was never published',
      title: 'Version introuvable',
      path: '/val-fleuri/donnees-personnelles/versions/99',
      says: /Cette version de la politique de données personnelles n’existe pas/,
      tenant: 'Commune de Val-Fleuri',
    },
  ];
  for (const c of cases) {
    it(`answers 404 for ${c.name} and says so in French`, async () => {
      await visit(desktop, c.path, async (page, response) => {
        assert.equal(response?.status(), 404);
        assert.equal(await page.locator('h1').innerText(), c.title);
        assert.ok((await page.title()).startsWith(c.title));
        assert.match(await page.locator('main').innerText(), c.says);
        if (c.tenant) assert.equal(await page.locator('.site-name').innerText(), c.tenant, 'the 404 keeps the authority’s header');
        assert.ok((await page.locator('main a').count()) > 0, 'the 404 offers a way back');
      });
    });
  }
});

describe('the archived notice', () => {
  for (const t of TENANTS) {
    it(`shows version 1 of ${t.name} as archived, with a link to the version in force`, async () => {
      await visit(desktop, `/${t.id}/donnees-personnelles/versions/1`, async (page) => {
        assert.match(await page.title(), /version 1, archivée/);
        assert.match(await page.locator('main').innerText(), /Version archivée/);
        assert.equal(await page.locator(`main a[href="/${t.id}/donnees-personnelles"]`).count(), 1);
        assert.ok(!(await page.locator('main').innerText()).includes(RENAMED_SUFFIX.trim()), 'version 1 names the controller as it was');
      });
      await visit(desktop, `/${t.id}/donnees-personnelles`, async (page) => {
        assert.ok((await page.locator('main').innerText()).includes(RENAMED_SUFFIX.trim()), 'the version in force names the renamed controller');
      });
    });
  }
});

describe('the privacy notice', () => {
  for (const n of NOTICES) {
    it(`lets a keyboard user follow every link of the table of contents of ${n.path} to its section`, async () => {
      await visit(desktop, n.path, async (page) => {
        const links = await page.$$eval('nav[aria-label="Sommaire"] a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
        assert.ok(links.length >= 5, `the table of contents has ${links.length} links`);
        for (const href of links) {
          assert.match(href, /^#./, `table of contents link ${href}`);
          const id = href.slice(1);
          await page.evaluate(() => window.scrollTo(0, 0));
          const link = page.locator(`nav[aria-label="Sommaire"] a[href="${href}"]`);
          await link.focus();
          await page.keyboard.press('Enter');

          assert.equal(await page.evaluate(() => location.hash), href);
          const focused = await activeElement(page);
          assert.equal(focused.id, id, `after activating ${href}, focus is on <${focused.tag} id="${focused.id}"> « ${focused.text} »`);
          const inView = await page.evaluate((targetId) => {
            const r = document.getElementById(targetId)!.getBoundingClientRect();
            return r.top >= -1 && r.top < innerHeight;
          }, id);
          assert.ok(inView, `section ${href} is scrolled into view`);

          // Tab then continues from the section, not from the table of contents.
          await page.keyboard.press('Tab');
          const after = await page.evaluate((targetId) => {
            const target = document.getElementById(targetId)!;
            const el = document.activeElement;
            return Boolean(el && el !== target && target.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
          }, id);
          assert.ok(after, `Tab after reaching ${href} moves forward from the section`);
        }
      });
    });

    it(`lets a keyboard user scroll each table of ${n.path} that is wider than a 320 px screen, caption kept in view`, async () => {
      await visit(mobile, n.path, async (page) => {
        const wraps = page.locator('.table-wrap');
        const count = await wraps.count();
        let overflowing = 0;
        for (let i = 0; i < count; i++) {
          const wrap = wraps.nth(i);
          const { overflows, name } = await wrap.evaluate((el) => ({
            overflows: el.scrollWidth > el.clientWidth,
            name: document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ?? '',
          }));
          if (!overflows) continue;
          overflowing++;
          assert.notEqual(name.trim(), '', `scrollable table ${i + 1} is named by its caption`);
          await wrap.focus();
          assert.equal(await wrap.evaluate((el) => document.activeElement === el), true, `table « ${name} » can take keyboard focus`);
          await page.keyboard.press('ArrowRight');
          await page.waitForFunction((el) => el.scrollLeft > 0, await wrap.elementHandle(), { timeout: 2000 });
          const captionInside = await wrap.evaluate((el) => {
            const w = el.getBoundingClientRect();
            const c = el.querySelector('caption')!.getBoundingClientRect();
            return c.left >= w.left - 1 && c.right <= w.right + 1;
          });
          assert.ok(captionInside, `the caption « ${name} » stays within the visible width once scrolled`);
        }
        assert.ok(overflowing > 0, 'at 320 px, at least one table is wider than the screen (else this test checks nothing)');
      });
    });
  }
});

describe('the axe-core harness', () => {
  it('does report violations on a page built to fail, so a clean result means something', async () => {
    const page: Page = await desktop.newPage();
    try {
      await page.setContent(
        '<!DOCTYPE html><html><head><title>x</title></head><body><nav aria-label="Menu"><a href="/a">a</a></nav><nav aria-label="Menu"><a href="/b">b</a></nav><img src="data:,"><a href="/"></a></body></html>',
      );
      const ids = (await axeViolations(page)).map((v) => v.id).sort();
      // WCAG rules, then best practices: two navigations of one name, no main, no h1, content outside landmarks.
      assert.deepEqual(ids, ['html-has-lang', 'image-alt', 'landmark-one-main', 'landmark-unique', 'link-name', 'page-has-heading-one', 'region']);
    } finally {
      await page.close();
    }
  });

  it('flags headings that skip a level', () => {
    assert.deepEqual(skippedHeadingLevels([{ level: 1, text: 'a' }, { level: 2, text: 'b' }, { level: 4, text: 'c' }]), ['h4 « c » follows h2']);
    assert.deepEqual(skippedHeadingLevels([{ level: 2, text: 'a' }]), ['h2 « a » follows h(none)']);
  });
});
