/**
 * A value of the wrong type, said in the register's own terms: what the
 * place expects (« un champ (clés name, label, type…) », « une liste ») and
 * what was written there (« le texte « Amont » »), instead of zod's types.
 */
import type { PathSegment } from './problem.ts';

/** What one item of each list is. */
const ITEM_NOUNS: Record<string, string> = {
  processings: 'un traitement',
  forms: 'un formulaire',
  fields: 'un champ',
  options: 'une option',
  hosting: 'un hébergeur',
  providers: 'un prestataire',
  services: 'un service',
  recipients: 'un destinataire',
  cookies: 'un cookie',
  embeds: 'un contenu intégré',
  rules: 'une règle de conservation',
  data: 'une donnée détenue',
};

/** What the value of each key holding keys is. */
const KEY_NOUNS: Record<string, string> = {
  tenant: 'la collectivité',
  controller: 'le responsable du traitement',
  dpo: 'le délégué à la protection des données',
  retention: 'la conservation',
  repeat: 'le nombre de lignes du groupe',
  when: 'la condition de la règle',
};

/** The keys a place should hold, as a DPO would write them. */
export interface KeysHere {
  known: readonly string[];
  required: readonly string[];
}

function nounAt(path: readonly PathSegment[]): string | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string') return KEY_NOUNS[last];
  const list = path[path.length - 2];
  return typeof list === 'string' ? ITEM_NOUNS[list] : undefined;
}

function keysPhrase(keys: KeysHere): string {
  const shown = keys.required.length > 0 ? keys.required : keys.known.slice(0, 5);
  return `clés ${shown.join(', ')}${shown.length < keys.known.length ? '…' : ''}`;
}

/** What zod's expected type means at `path`. */
export function expectedWords(type: string, path: readonly PathSegment[], keys: KeysHere): string {
  switch (type) {
    case 'object': {
      const noun = nounAt(path);
      if (keys.known.length === 0) return noun ?? 'des clés « clé: valeur »';
      return noun ? `${noun} (${keysPhrase(keys)})` : `des ${keysPhrase(keys)}`;
    }
    case 'array':
      return 'une liste (une ligne « - … » par élément, ou [a, b])';
    case 'string':
      return 'un texte';
    case 'number':
      return 'un nombre';
    case 'boolean':
      return 'true ou false';
    default:
      return type;
  }
}

const quoted = (text: string) => `« ${text.length > 60 ? `${text.slice(0, 60)}…` : text} »`;

/** What was written, named as the YAML shows it. */
export function receivedWords(input: unknown): string {
  if (input === undefined) return 'rien';
  if (input === null) return 'une valeur vide';
  if (Array.isArray(input)) return input.length === 0 ? 'une liste vide' : 'une liste';
  if (typeof input === 'object') {
    const keys = Object.keys(input);
    if (keys.length === 0) return 'un ensemble vide {}';
    return `des clés (${keys.slice(0, 4).join(', ')}${keys.length > 4 ? '…' : ''})`;
  }
  if (typeof input === 'string') return input.trim() === '' ? 'un texte vide' : `le texte ${quoted(input)}`;
  if (typeof input === 'number' || typeof input === 'bigint') return `le nombre ${String(input)}`;
  return String(input);
}

/** « a », « a ou b », « a, b ou c ». */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ou ${items[items.length - 1]}`;
}
