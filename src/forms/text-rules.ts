/**
 * The characters a submitted string may hold, whatever the field: text that
 * PostgreSQL can store (no lone UTF-16 surrogate, no NUL), that shows the
 * same to the agent as to the citizen (no invisible control characters), and
 * that cannot be displayed reversed or hidden (bidirectional overrides,
 * zero-width characters, stripped where they have no business).
 */

// Node 20 has them (ES2024); the project's TypeScript library is ES2022.
declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/** C0 and C1 control characters and DEL; tab, line feed and carriage return are told apart below. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK = /[\n\r]/;

/**
 * Bidirectional embeddings, overrides and isolates, zero-width characters,
 * the byte order mark and the Arabic letter mark: `facture\u202Efdp.exe`
 * would otherwise be shown to an agent as `factureexe.pdf`.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u061C]/g;

export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '');
}

export type CharacterProblem = 'ill-formed' | 'control' | 'line-break';

/**
 * What is wrong with the characters of `s`, if anything. Multi-line fields
 * (textarea, address, both shown as a <textarea>) take tabs and line
 * breaks; single-line ones take tabs (the caller turns them into spaces)
 * but no line break, which a browser never sends from an <input>: call it
 * on the trimmed value, so that a trailing line feed from a client is no
 * fault, after `controlProblem` on the value as sent.
 */
export function characterProblem(s: string, multiline: boolean): CharacterProblem | undefined {
  if (!s.isWellFormed()) return 'ill-formed';
  if (CONTROL.test(s)) return 'control';
  if (!multiline && LINE_BREAK.test(s)) return 'line-break';
  return undefined;
}

/** The French sentence for a problem, naming the field (`« Nom »`). */
export function characterMessage(problem: CharacterProblem, name: string): string {
  switch (problem) {
    case 'ill-formed':
      return `Le champ ${name} contient un caractère mal encodé : saisissez-le à nouveau.`;
    case 'control':
      return `Le champ ${name} contient des caractères non autorisés (caractères de contrôle invisibles) : saisissez-le à nouveau.`;
    case 'line-break':
      return `Le champ ${name} tient sur une seule ligne : retirez les retours à la ligne.`;
  }
}

/**
 * A key sent by a client, fit to be named in a message: undeclared keys are
 * reported back, but never with invisible or broken characters, and cut at
 * a character boundary.
 */
export function displayableKey(key: string, max = 60): string {
  const clean = stripInvisible(key.toWellFormed()).replace(/[\u0000-\u001F\u007F-\u009F]/g, '');
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : clean;
}
