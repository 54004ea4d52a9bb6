/**
 * Turns zod issues into French problems a DPO can act on: what the place
 * expects in the register's own terms, the expected values, and for a
 * misspelt key the nearest known one.
 */
import type { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';
import type { PathSegment, Problem } from './problem.ts';
import { formatPath } from './problem.ts';
import { expectedWords, orList, receivedWords, type KeysHere } from './type-words.ts';

/** Suggests a known key close enough to be a typo of `key`. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  // Too short to tell a typo from another word (`<<`, `id`).
  if (known.length === 0 || key.length < 3) return undefined;
  const candidate = closest(key, known as string[]);
  const limit = Math.max(2, Math.floor(candidate.length / 3));
  return distance(key.toLowerCase(), candidate.toLowerCase()) <= limit ? candidate : undefined;
}

type Issue = z.core.$ZodIssue;

/** Whether a union's branch refused the value for its type (not for its content). */
function refusedForType(branch: readonly Issue[]): boolean {
  return branch.some(
    (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value' || (i.code === 'invalid_union' && i.errors.length > 0 && i.errors.every(refusedForType))),
  );
}

/** What a union's branches would have taken, in words. */
function expectedOfBranches(branches: readonly (readonly Issue[])[], path: readonly PathSegment[], keys: KeysHere): string[] {
  const words = branches.flatMap((branch) =>
    branch.flatMap((i): string[] => {
      if (i.path.length > 0) return [];
      if (i.code === 'invalid_type') return [expectedWords(i.expected, path, keys)];
      if (i.code === 'invalid_value') return i.values.map((v) => `« ${String(v)} »`);
      if (i.code === 'invalid_union') return expectedOfBranches(i.errors, path, keys);
      return [];
    }),
  );
  return [...new Set(words)];
}

/**
 * A union's issues as those of the branch the value was meant for (a text
 * option too short, a `{value, label}` option missing its label), each with
 * its full path; the union itself when the value's type fits no branch.
 */
function flatten(issues: readonly Issue[], prefix: readonly PathSegment[]): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.find((branch) => !refusedForType(branch));
      if (meant) return flatten(meant, path);
    }
    return [{ ...issue, path }];
  });
}

function message(issue: Issue, keys: KeysHere): string {
  const path = issue.path as PathSegment[];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'clé obligatoire manquante';
      return `attendu : ${expectedWords(issue.expected, path, keys)} ; reçu : ${receivedWords(issue.input)}`;
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
    case 'invalid_union': {
      const expected = expectedOfBranches(issue.errors, path, keys);
      return expected.length > 0 ? `attendu : ${orList(expected)} ; reçu : ${receivedWords(issue.input)}` : 'valeur invalide';
    }
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

/** Keys a strict object accepts and those it requires, found from the schema at that path. */
export type KeysAt = (path: readonly PathSegment[]) => KeysHere;

export function zodProblems(error: z.ZodError, keysAt: KeysAt): Problem[] {
  const problems: Problem[] = [];
  for (const issue of flatten(error.issues, [])) {
    const path = issue.path as PathSegment[];
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, with the key in the path so the line can be found.
      for (const key of issue.keys) {
        const near = nearestKey(key, keysAt(path).known);
        problems.push({
          segments: [...path, key],
          path: formatPath([...path, key]),
          message: `clé inconnue${near ? ` ; vouliez-vous dire « ${near} » ?` : ''}`,
        });
      }
      continue;
    }
    problems.push({ segments: path, path: formatPath(path), message: message(issue, keysAt(path)) });
  }
  return problems;
}
