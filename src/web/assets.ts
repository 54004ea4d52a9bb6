/**
 * Static assets, read once at start-up and served with a content hash in
 * their URL so that browsers may cache them for a year.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

function load(file: string, type: string) {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [base, ext] = file.split('.');
  return { path: `/assets/${base}.${hash}.${ext}`, body, type };
}

export const ASSETS = [load('bastide.css', 'text/css; charset=utf-8'), load('consent.css', 'text/css; charset=utf-8')];

/** consent.css is also loaded by consent.js on the authority's other sites, which have no Bastide stylesheet. */
export const ASSET_PATHS = { css: ASSETS[0]!.path, consentCss: ASSETS[1]!.path };
