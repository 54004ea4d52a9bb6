/**
 * consent.js for one register version and language: the client code
 * (client/consent-client.js), minified once per process by esbuild, called
 * with this version's configuration. Built once per version and language,
 * kept as UTF-8 and gzip bytes with an ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import type { LoadedRegister } from '../register/register-repository.ts';
import { encodeBody, type EncodedBody } from '../web/encoded-body.ts';
import { ASSET_PATHS } from '../web/assets.ts';
import { consentConfig, type ConsentConfig } from './consent-config.ts';
import { TEXTS, type Lang } from './consent-texts.ts';

let minified: string | undefined;

/** The client code, minified; `CONFIG` is left as the one name to replace. */
function clientCode(): string {
  if (minified === undefined) {
    const source = readFileSync(new URL('./client/consent-client.js', import.meta.url), 'utf8');
    minified = transformSync(source, { minify: true, target: 'es2019', legalComments: 'none' }).code.trim();
    if (!/\(CONFIG\);?$/.test(minified)) throw new Error('consent-client.js must end with its call on CONFIG');
  }
  return minified;
}

/** What the client needs, in short keys: the script travels to every page of the authority's sites. */
export function clientConfig(config: ConsentConfig, lang: Lang) {
  const t = TEXTS[lang];
  return {
    t: config.tenantId,
    v: config.version,
    h: config.configHash,
    th: config.textHash[lang],
    l: lang,
    s: config.services.map((s) => [s.id, s.name, s.category, s.provider, s.hosts]),
    c: config.categories.map((c) => [c.id, t.categories[c.id] ?? c.id, c.services]),
    a: config.audience,
    css: ASSET_PATHS.consentCss,
    x: {
      bt: t.bannerTitle,
      bx: t.bannerText,
      ba: t.bannerAudience,
      acc: t.acceptAll,
      ref: t.refuseAll,
      cus: t.customise,
      cl: t.close,
      pn: t.panelTitle,
      pi: t.panelIntro,
      sv: t.save,
      cp: t.closePanel,
      ac: t.categoryAll,
      al: t.audienceLegend,
      au: t.audienceLabel,
      pt: t.placeholderTitle,
      ph: t.placeholderText,
      pa: t.placeholderAllow,
      po: t.placeholderOpen,
      ok: t.saved,
    },
  };
}

export function consentScriptSource(config: ConsentConfig, lang: Lang): string {
  const code = clientCode();
  const at = code.lastIndexOf('CONFIG');
  // JSON is JavaScript since ES2019 only for U+2028 and U+2029: escaped, with <, for any older parser.
  const json = JSON.stringify(clientConfig(config, lang)).replace(/[\u2028\u2029<]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${code.slice(0, at)}${json}${code.slice(at + 'CONFIG'.length)}\n`;
}

export interface ConsentScript {
  body: EncodedBody;
  etag: string;
}

const cache = new WeakMap<ConsentConfig, Partial<Record<Lang, ConsentScript>>>();

export function consentScript(loaded: LoadedRegister, lang: Lang): ConsentScript {
  const config = consentConfig(loaded);
  const built = cache.get(config) ?? {};
  cache.set(config, built);
  const found = built[lang];
  if (found) return found;
  const body = encodeBody(consentScriptSource(config, lang));
  const script = { body, etag: `"${createHash('sha256').update(body.raw).digest('base64url').slice(0, 27)}"` };
  built[lang] = script;
  return script;
}

/** A short name of the script's exact bytes: in its address on the platform's pages, it lets browsers keep it. */
export function scriptTag(script: ConsentScript): string {
  return script.etag.slice(1, 13);
}

/** The address of this version's French script on the platform's own pages. */
export function consentScriptPath(loaded: LoadedRegister): string {
  return `/${loaded.tenantId}/consent.js?v=${scriptTag(consentScript(loaded, 'fr'))}`;
}
