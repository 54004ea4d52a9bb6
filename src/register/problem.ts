/** One thing wrong with a register, as `register check` prints it. */
export interface Problem {
  /** `processings[2].forms[0].fields[3].category`, or `(fichier)` for the file as a whole. */
  path: string;
  message: string;
  line?: number | undefined;
  /** The path as keys and indexes, to find the line in the YAML source. */
  segments?: readonly PathSegment[];
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(racine)' : out;
}

/** The one-line form: `path: problem (ligne N)`. */
export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}${p.line ? ` (ligne ${p.line})` : ''}`;
}
