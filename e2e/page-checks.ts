/**
 * What a browser walk-through checks on every page it lands on: axe-core in
 * the page, and the HTML as the server sent it, kept on disk to be given to
 * the W3C Nu checker in one run at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations } from './browser.ts';
import { describeMessage, runVnu } from './vnu.ts';

export class PageChecks {
  readonly #documents: Array<{ label: string; file: string }> = [];
  readonly axeProblems: string[] = [];
  readonly #lost: string[] = [];
  readonly #pending: Promise<void>[] = [];
  #seen = 0;
  #folder: string | undefined;

  async open(): Promise<void> {
    this.#folder = await mkdtemp(join(tmpdir(), 'bastide-e2e-pages-'));
  }

  async close(): Promise<void> {
    if (this.#folder) await rm(this.#folder, { recursive: true, force: true });
  }

  /** How many pages are kept, once every one on its way is written. */
  async documents(): Promise<number> {
    await Promise.all(this.#pending);
    return this.#documents.length;
  }

  /**
   * Keeps what the server sends for each document `page` lands on (redirects and downloads excepted).
   * A page left at once may have lost its body in the browser before it is read: a page that was
   * fetched with GET is then fetched again with the same cookies; one answering a POST cannot be.
   */
  record(page: Page, who: string): void {
    page.on('response', (response) => {
      const request = response.request();
      if (request.resourceType() !== 'document' || (response.status() >= 300 && response.status() < 400)) return;
      const body = response.body().catch(() => undefined);
      const label = `${who} ${new URL(response.url()).pathname} (${response.status()})`;
      const file = join(this.#folder!, `${String(this.#seen++).padStart(2, '0')}-${who}.html`);
      this.#pending.push(
        (async () => {
          // A download (an export) is not a page.
          if ((await response.headerValue('content-disposition'))?.startsWith('attachment')) return;
          const again = async () => (await page.context().request.get(response.url())).body();
          const kept = (await body) ?? (request.method() === 'GET' ? await again().catch(() => undefined) : undefined);
          if (!kept) return void this.#lost.push(label);
          await writeFile(file, kept);
          this.#documents.push({ label, file });
        })().catch(() => void this.#lost.push(label)),
      );
    });
  }

  async axe(page: Page, label: string): Promise<void> {
    for (const v of await axeViolations(page)) this.axeProblems.push(`${label}: ${v.id} (${v.help}) ${v.nodes.join('; ')}`);
  }

  /** The Nu checker's errors over every document kept; its info messages go to `info`. */
  async vnuErrors(info: (message: string) => void): Promise<string[]> {
    await Promise.all(this.#pending);
    const errors = this.#lost.map((label) => `${label}: page quittée avant d'avoir pu être lue`);
    for (const m of await runVnu(this.#documents.map((d) => d.file))) {
      const doc = this.#documents.find((d) => m.url?.endsWith(basename(d.file)));
      if (m.type === 'info') info(`${doc?.label ?? m.url}: ${describeMessage(m)}`);
      else errors.push(`${doc?.label ?? m.url}: ${describeMessage(m)}`);
    }
    return errors;
  }
}
