/**
 * Real-browser helpers for the end-to-end tests: one headless Chromium per
 * test file, and axe-core run inside a page against WCAG 2.1 A and AA and
 * axe's best practices (landmarks named apart, one main, one h1, …).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Debian's chromium; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags every suite launches Chromium with (e2e/third-party.ts adds its resolver rules). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Promise<Browser> | undefined;

/** The one browser of this process, launched on first use. */
export function launchBrowser(): Promise<Browser> {
  browser ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  if (!browser) return;
  const b = await browser;
  browser = undefined;
  await b.close();
}

/**
 * A fresh context, French, with the page's CSP bypassed so that axe-core can
 * be injected as an inline script (the pages themselves allow no inline script).
 */
export async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return (await launchBrowser()).newContext({ bypassCSP: true, locale: 'fr-FR', viewport: { width: 1280, height: 900 }, ...options });
}

let axeSource: Promise<string> | undefined;

function loadAxe(): Promise<string> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/**
 * Every page is held to the best practices too: they catch what a screen
 * reader user meets though WCAG does not name it (two navigations both called
 * "Menu", a page without a main landmark). Every suite checks through
 * axeViolations, so a new page gets them without asking.
 */
export const AXE_TAGS = [...WCAG_TAGS, 'best-practice'];

/** One axe violation, reduced to what a failing test should print. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page as loaded and returns its WCAG 2.1 AA and best-practice violations, readable. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: await loadAxe() });
  const violations = await page.evaluate(async (tags) => {
    type AxeResult = {
      violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
    };
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.map(String).join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`),
    }));
  }, AXE_TAGS);
  return violations;
}

/** The outline of the page's headings, in document order. */
export async function headings(page: Page): Promise<Array<{ level: number; text: string }>> {
  return page.$$eval('h1, h2, h3, h4, h5, h6', (els) =>
    els.map((el) => ({ level: Number(el.tagName.slice(1)), text: (el.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  );
}

/** Headings that go down more than one level from the previous one (h2 then h4), as readable strings. */
export function skippedHeadingLevels(outline: Array<{ level: number; text: string }>): string[] {
  const problems: string[] = [];
  let previous = 0;
  for (const h of outline) {
    if (h.level > previous + 1) problems.push(`h${h.level} « ${h.text} » follows h${previous || '(none)'}`);
    previous = h.level;
  }
  return problems;
}
