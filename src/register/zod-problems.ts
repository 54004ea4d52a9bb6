/**
 * Turns zod issues into French problems a DPO can act on: the expected
 * values, and for a misspelt key the nearest known one.
 */
import type { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';
import type { PathSegment, Problem } from './problem.ts';
import { formatPath } from './problem.ts';

const TYPE_NAMES: Record<string, string> = {
  string: 'un texte',
  number: 'un nombre',
  boolean: 'true ou false',
  array: 'une liste',
  object: 'un ensemble de clés',
  null: 'null',
};

function received(input: unknown): string {
  if (input === undefined) return 'rien';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'une liste';
  if (typeof input === 'object') return 'un ensemble de clés';
  return `« ${String(input)} »`;
}

/** Suggests a known key close enough to be a typo of `key`. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  // Too short to tell a typo from another word (`<<`, `id`).
  if (known.length === 0 || key.length < 3) return undefined;
  const candidate = closest(key, known as string[]);
  const limit = Math.max(2, Math.floor(candidate.length / 3));
  return distance(key.toLowerCase(), candidate.toLowerCase()) <= limit ? candidate : undefined;
}

function message(issue: z.core.$ZodIssue, knownKeys: readonly string[]): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'clé obligatoire manquante';
      return `valeur attendue : ${TYPE_NAMES[issue.expected] ?? issue.expected} ; reçu : ${received(issue.input)}`;
    case 'invalid_value':
      return `valeur « ${String(issue.input)} » inconnue ; valeurs possibles : ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `la liste doit compter au moins ${String(issue.minimum)} élément(s)`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'texte vide' : `texte trop court (au moins ${String(issue.minimum)} caractères)`;
      return issue.inclusive === false ? `la valeur doit être supérieure à ${String(issue.minimum)}` : `valeur trop petite (minimum ${String(issue.minimum)})`;
    case 'too_big':
      if (issue.origin === 'array') return `la liste compte trop d'éléments (au plus ${String(issue.maximum)})`;
      if (issue.origin === 'string') return `texte trop long (au plus ${String(issue.maximum)} caractères)`;
      return issue.inclusive === false ? `la valeur doit être inférieure à ${String(issue.maximum)}` : `valeur trop grande (maximum ${String(issue.maximum)})`;
    case 'invalid_format':
      if (issue.format === 'email') return `adresse électronique invalide « ${String(issue.input)} »`;
      if (issue.format === 'url') return `adresse web invalide « ${String(issue.input)} »`;
      if (issue.format === 'regex') return formatHint(issue.path, issue.input);
      return `format invalide « ${String(issue.input)} »`;
    case 'unrecognized_keys':
      return issue.keys
        .map((key) => {
          const near = nearestKey(key, knownKeys);
          return `clé inconnue « ${key} »${near ? ` ; vouliez-vous dire « ${near} » ?` : ''}`;
        })
        .join(' ; ');
    case 'invalid_union':
      return 'valeur invalide';
    default:
      return issue.message;
  }
}

function formatHint(path: readonly PropertyKey[], input: unknown): string {
  const last = path[path.length - 1];
  if (last === 'id' || typeof last === 'number')
    return `identifiant invalide « ${String(input)} » : lettres minuscules, chiffres et tirets, sans accent (par exemple « etat-civil »)`;
  if (last === 'name')
    return `nom invalide « ${String(input)} » : une lettre minuscule puis lettres, chiffres ou _ (par exemple « dateNaissance »)`;
  return `format invalide « ${String(input)} »`;
}

/** Keys a strict object accepts, found from the schema at that path. */
export type KnownKeysAt = (path: readonly PathSegment[]) => readonly string[];

export function zodProblems(error: z.ZodError, knownKeysAt: KnownKeysAt): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, with the key in the path so the line can be found.
      for (const key of issue.keys) {
        const near = nearestKey(key, knownKeysAt(path));
        problems.push({
          segments: [...path, key],
          path: formatPath([...path, key]),
          message: `clé inconnue${near ? ` ; vouliez-vous dire « ${near} » ?` : ''}`,
        });
      }
      continue;
    }
    problems.push({ segments: path, path: formatPath(path), message: message(issue, knownKeysAt(path)) });
  }
  return problems;
}
