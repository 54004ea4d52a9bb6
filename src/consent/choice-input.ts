/**
 * A posted choice (`POST /api/v1/{tenant}/consent`, the cookies page, an
 * embed's button) read against the configuration in force: every key must be
 * a declared service, a category or the audience measurement, every value a
 * boolean. A category sets its services unless a service is named too.
 * Services not named stay refused; the exempt audience measurement stays on
 * unless opposed.
 */
import { randomUUID } from 'node:crypto';
import { isUuid } from '../db/uuid.ts';
import { AUDIENCE, type ConsentConfig } from './consent-config.ts';
import { isLang, type Lang } from './consent-texts.ts';
import type { ProofSource } from './consent-proofs.ts';

export interface FieldError {
  field: string;
  message: string;
}

export interface ChoiceInput {
  consentId: string;
  allowed: Record<string, boolean>;
  lang: Lang;
  source: ProofSource;
  textHash: string | null;
}

const SOURCES: readonly ProofSource[] = ['banner', 'panel', 'embed', 'api'];
const MAX_KEYS = 100;

/** Each choice id, a category's services, or nothing: what a key of `choices` sets. */
function targets(config: ConsentConfig, key: string): string[] | undefined {
  if (config.choiceIds.includes(key)) return [key];
  return config.categories.find((c) => c.id === key)?.services;
}

export function resolveChoices(config: ConsentConfig, choices: Record<string, boolean>): Record<string, boolean> {
  const allowed: Record<string, boolean> = Object.fromEntries(config.choiceIds.map((id) => [id, id === AUDIENCE]));
  for (const [key, value] of Object.entries(choices)) if (!config.choiceIds.includes(key)) for (const id of targets(config, key) ?? []) allowed[id] = value;
  for (const [key, value] of Object.entries(choices)) if (config.choiceIds.includes(key)) allowed[key] = value;
  return allowed;
}

export function readChoiceBody(config: ConsentConfig, body: unknown): { ok: true; input: ChoiceInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (!b) return { ok: false, errors: [{ field: 'choices', message: 'corps attendu : {"choices": {"<service ou catégorie>": true ou false}}' }] };
  const raw = b['choices'];
  const choices: Record<string, boolean> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) errors.push({ field: 'choices', message: 'les choix sont un objet {"youtube": true, "audience": false, …}' });
  else {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length > MAX_KEYS) errors.push({ field: 'choices', message: `au plus ${MAX_KEYS} choix` });
    else
      for (const [key, value] of entries) {
        const field = `choices.${key.slice(0, 64)}`;
        if (!targets(config, key)) errors.push({ field, message: `« ${key.slice(0, 64)} » n’est ni un service, ni une catégorie proposés ici (${[...config.choiceIds, ...config.categories.map((c) => c.id)].join(', ') || 'aucun'})` });
        else if (typeof value !== 'boolean') errors.push({ field, message: 'true (autoriser) ou false (refuser) attendu' });
        else choices[key] = value;
      }
  }
  const consentId = b['consentId'];
  if (consentId !== undefined && consentId !== null && (!isUuid(consentId) || consentId !== consentId.toLowerCase()))
    errors.push({ field: 'consentId', message: 'identifiant de consentement attendu sous la forme d’un UUID en minuscules' });
  const lang = b['lang'] ?? 'fr';
  if (!isLang(lang)) errors.push({ field: 'lang', message: 'langue attendue : fr ou en' });
  const source = b['source'] ?? 'api';
  if (typeof source !== 'string' || !(SOURCES as readonly string[]).includes(source)) errors.push({ field: 'source', message: `origine du choix attendue : ${SOURCES.join(', ')}` });
  // A page loaded before a new register version still proves its choice when its texts are those in force (the text
  // hash below, which covers the services): `version` is not compared, the proof records the version in force.
  const textHash = b['textHash'];
  const langOk = isLang(lang) ? lang : 'fr';
  if (textHash !== undefined && textHash !== config.textHash[langOk])
    errors.push({ field: 'textHash', message: 'les choix proposés ont changé depuis l’affichage de la page : rechargez-la, puis choisissez de nouveau' });
  if (source !== 'api' && textHash === undefined) errors.push({ field: 'textHash', message: 'un choix fait dans le bandeau ou le panneau dit quel texte a été lu (textHash)' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: {
      consentId: typeof consentId === 'string' ? consentId : randomUUID(),
      allowed: resolveChoices(config, choices),
      lang: langOk,
      source: source as ProofSource,
      textHash: typeof textHash === 'string' ? textHash : null,
    },
  };
}
