/**
 * What the consent manager offers for one register version: the services
 * that need consent (the register's embeds), grouped by category, whether the
 * exempt audience measurement runs (and so can be opposed), and the two
 * hashes a proof of consent carries: the configuration's (a choice made under
 * another set of cookies and embeds is asked again) and the text's (what the
 * visitor read before choosing).
 */
import { createHash } from 'node:crypto';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Register } from '../register/schema.ts';
import { embedHosts } from './embed-hosts.ts';
import { LANGS, TEXTS, type ConsentTexts, type Lang } from './consent-texts.ts';

/** Bumped when the manager's behaviour changes what a choice means; part of the configuration hash. */
const BEHAVIOUR_REVISION = 1;

/** The audience opt-out's id among the choices. */
export const AUDIENCE = 'audience';

export interface ConsentService {
  id: string;
  name: string;
  category: string;
  provider: string;
  privacyUrl: string | null;
  hosts: readonly string[];
}

export interface ConsentCategory {
  id: string;
  services: string[];
}

export interface ConsentConfig {
  tenantId: string;
  tenantName: string;
  version: number;
  configHash: string;
  services: ConsentService[];
  categories: ConsentCategory[];
  /** The exempt audience measurement runs (the register names its processing). */
  audience: boolean;
  /** Every id a choice may name: services, then the audience. */
  choiceIds: string[];
  /** Hash of every text consent.js shows (banner, panel, placeholders), per language. */
  textHash: Record<Lang, string>;
  /** Hash of every text the cookies page shows, without JavaScript (French). */
  pageTextHash: string;
}

export type TextsKind = 'script' | 'page';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The words shown for this configuration, in the order they appear: what a proof's text hash covers. */
export function shownTexts(config: Pick<ConsentConfig, 'services' | 'categories' | 'audience' | 'tenantName'>, lang: Lang): string[] {
  const t: ConsentTexts = TEXTS[lang];
  return [
    config.tenantName,
    t.bannerTitle,
    t.bannerText,
    config.audience ? t.bannerAudience : '',
    t.acceptAll,
    t.refuseAll,
    t.customise,
    t.close,
    t.panelTitle,
    t.panelIntro,
    ...config.categories.flatMap((c) => [t.categories[c.id] ?? c.id, t.categoryAll, ...c.services]),
    ...config.services.flatMap((s) => [s.name, s.provider, t.placeholderText, t.placeholderAllow, t.placeholderOpen]),
    config.audience ? `${t.audienceLegend}\n${t.audienceLabel}` : '',
    t.allow,
    t.refuse,
    t.save,
    t.closePanel,
    t.saved,
  ];
}

/** The words of the cookies page, and of its one-step confirmation for each provider. */
export function pageTexts(config: Pick<ConsentConfig, 'services' | 'categories' | 'audience' | 'tenantName'>, lang: Lang): string[] {
  const t: ConsentTexts = TEXTS[lang];
  return [
    config.tenantName,
    t.pageTitle,
    t.saved,
    t.panelIntro,
    config.services.length > 0 ? t.bannerText : t.pageNoEmbeds,
    config.audience ? t.pageAudience : '',
    ...config.categories.flatMap((c) => [t.categories[c.id] ?? c.id, ...c.services]),
    ...config.services.flatMap((s) => [s.name, s.provider, t.confirmTitle, t.placeholderText, t.placeholderAllow, t.confirmBack]),
    config.audience ? `${t.audienceLegend}\n${t.audienceAccept}\n${t.audienceOppose}` : '',
    t.allow,
    t.refuse,
    t.allChoices,
    t.save,
    t.acceptAll,
    t.refuseAll,
  ];
}

/** The texts a proof's hash was made of, for this version: consent.js's in its language, or the cookies page's. */
export function textsForHash(config: ConsentConfig, hash: string, lang: Lang): { kind: TextsKind; texts: string[] } | null {
  if (config.textHash[lang] === hash) return { kind: 'script', texts: shownTexts(config, lang) };
  if (config.pageTextHash === hash) return { kind: 'page', texts: pageTexts(config, 'fr') };
  return null;
}

export function buildConsentConfig(tenantId: string, version: number, register: Register): ConsentConfig {
  const services: ConsentService[] = register.embeds.map((e) => ({
    id: e.id,
    name: e.name,
    category: e.category,
    provider: e.provider ?? e.name,
    privacyUrl: e.privacyUrl ?? null,
    hosts: embedHosts(e),
  }));
  const categories: ConsentCategory[] = [];
  for (const s of services) {
    const found = categories.find((c) => c.id === s.category);
    if (found) found.services.push(s.id);
    else categories.push({ id: s.category, services: [s.id] });
  }
  const audience = Boolean(register.audienceProcessing);
  const configHash = sha256(JSON.stringify({ r: BEHAVIOUR_REVISION, cookies: register.cookies, services, audience })).slice(0, 16);
  const base = { services, categories, audience, tenantName: register.tenant.name };
  const textHash = Object.fromEntries(LANGS.map((lang) => [lang, sha256(shownTexts(base, lang).join('\n'))])) as Record<Lang, string>;
  const pageTextHash = sha256(pageTexts(base, 'fr').join('\n'));
  return {
    tenantId,
    tenantName: register.tenant.name,
    version,
    configHash,
    services,
    categories,
    audience,
    choiceIds: [...services.map((s) => s.id), ...(audience ? [AUDIENCE] : [])],
    textHash,
    pageTextHash,
  };
}

const cache = new WeakMap<Register, ConsentConfig>();

/** The configuration of a loaded version, built once (versions are immutable). */
export function consentConfig(loaded: LoadedRegister): ConsentConfig {
  let config = cache.get(loaded.register);
  if (!config) {
    config = buildConsentConfig(loaded.tenantId, loaded.version, loaded.register);
    cache.set(loaded.register, config);
  }
  return config;
}

