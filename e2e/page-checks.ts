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
  #folder: string | undefined;

  async open(): Promise<void> {
    this.#folder = await mkdtemp(join(tmpdir(), 'bastide-e2e-pages-'));
  }

  async close(): Promise<void> {
    if (this.#folder) await rm(this.#folder, { recursive: true, force: true });
  }

  get documents(): number {
    return this.#documents.length;
  }

  /** Keeps what the server sends for each document `page` lands on (redirects excepted). */
  record(page: Page, who: string): void {
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'document' || (response.status() >= 300 && response.status() < 400)) return;
      const file = join(this.#folder!, `${String(this.#documents.length).padStart(2, '0')}-${who}.html`);
      this.#documents.push({ label: `${who} ${new URL(response.url()).pathname} (${response.status()})`, file });
      await writeFile(file, await response.text());
    });
  }

  async axe(page: Page, label: string): Promise<void> {
    for (const v of await axeViolations(page)) this.axeProblems.push(`${label}: ${v.id} (${v.help}) ${v.nodes.join('; ')}`);
  }

  /** The Nu checker's errors over every document kept; its info messages go to `info`. */
  async vnuErrors(info: (message: string) => void): Promise<string[]> {
    // Responses are written as they arrive: let the last ones land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const errors: string[] = [];
    for (const m of await runVnu(this.#documents.map((d) => d.file))) {
      const doc = this.#documents.find((d) => m.url?.endsWith(basename(d.file)));
      if (m.type === 'info') info(`${doc?.label ?? m.url}: ${describeMessage(m)}`);
      else errors.push(`${doc?.label ?? m.url}: ${describeMessage(m)}`);
    }
    return errors;
  }
}
