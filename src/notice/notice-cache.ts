/**
 * Rendered notices, one entry per register version. A version never
 * changes, so its HTML, JSON and Markdown are built once and kept as bytes
 * (UTF-8 and gzip): serving one costs no rendering, encoding or compression.
 */
import { createHash } from 'node:crypto';
import type { LoadedRegister } from '../register/register-repository.ts';
import { encodeBody, type EncodedBody } from '../web/encoded-body.ts';
import { buildNotice, type Notice } from './notice.ts';
import { renderNoticePage } from './render-html.ts';
import { consentScriptPath } from '../consent/consent-script.ts';
import { renderNoticeMarkdown } from './render-markdown.ts';

export interface RenderedNotice {
  notice: Notice;
  html: EncodedBody;
  /** The same page marked as replaced, for /donnees-personnelles/versions/N. */
  archivedHtml(): EncodedBody;
  json: EncodedBody;
  markdown: string;
  /**
   * One ETag per representation: the page, the archived page and the JSON
   * are different bytes (sendCachedPage adds the encoding's own suffix).
   */
  etags: { html: string; archivedHtml: string; json: string };
}

const MAX_ENTRIES = 200;
const cache = new Map<string, RenderedNotice>();

export function renderedNotice(loaded: LoadedRegister): RenderedNotice {
  const key = `${loaded.tenantId}@${loaded.version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const notice = buildNotice(loaded);
  const script = consentScriptPath(loaded);
  // The code version matters too: a new release may render the same register differently (or load another consent.js).
  const base = createHash('sha256').update(`${loaded.tenantId}:${loaded.version}:${loaded.hash}:${RENDERER_VERSION}:${script}`).digest('base64url').slice(0, 22);
  let archived: EncodedBody | undefined;
  const rendered: RenderedNotice = {
    notice,
    html: encodeBody(renderNoticePage(notice, false, script)),
    archivedHtml: () => (archived ??= encodeBody(renderNoticePage(notice, true, script))),
    json: encodeBody(JSON.stringify(notice)),
    markdown: renderNoticeMarkdown(notice),
    etags: { html: `"${base}-html"`, archivedHtml: `"${base}-archive"`, json: `"${base}-json"` },
  };
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, rendered);
  return rendered;
}

/** Bumped when the notice's rendering changes, so that browsers do not keep an old page. */
export const RENDERER_VERSION = '1';
