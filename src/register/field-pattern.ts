/**
 * The `pattern` of a text field: a JavaScript regular expression that the
 * whole value must match (as the HTML `pattern` attribute does: anchored,
 * with the `v` flag), checked at register load so that a typo or an
 * expression that could stall the server on a long input never reaches a
 * form.
 */

export const MAX_PATTERN_LENGTH = 300;

/** The expression a value is tested against: the whole value, as browsers do. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'v');
}

interface Quantifier {
  length: number;
  /** Matches a varying number of times (`*`, `+`, `?`, `{2,5}`), not `{3}`. */
  varies: boolean;
  /** Its upper bound. */
  max: number;
}

/** The quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy), if there is one. */
function quantifier(p: string, i: number): Quantifier | undefined {
  const c = p[i];
  let q: Quantifier | undefined;
  if (c === '*' || c === '+') q = { length: 1, varies: true, max: Infinity };
  else if (c === '?') q = { length: 1, varies: true, max: 1 };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (m) {
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      q = { length: m[0].length, varies: max !== min, max };
    }
  }
  if (q && p[i + q.length] === '?') q = { ...q, length: q.length + 1 };
  return q;
}

/** An outer repetition this long around a varying one can take exponential time. */
const MAX_SAFE_OUTER = 10;

/**
 * Why a compiling expression is refused, if it is: a repetition inside a
 * repetition (`(a+)+`, `(\d*)*`, `([a-z]+\s?)+`) or a back-reference, the
 * shapes whose matching time can grow exponentially with the input's
 * length. Cautious: `(?:\s?\d{2}){4}` passes, `(?:\s?\d{2})+` does not.
 */
function riskyShape(p: string): string | undefined {
  // One entry per open group: whether something inside it varies in length.
  const groups: boolean[] = [false];
  const mark = () => (groups[groups.length - 1] = true);
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (/[1-9]/.test(p[i + 1] ?? '') || p[i + 1] === 'k') return 'les références arrière (\\1, \\k<nom>) ne sont pas admises';
      i++;
    } else if (c === '[') {
      // A class, possibly nested (v flag): skipped whole; a repetition after it counts as after any atom.
      let depth = 1;
      for (i++; i < p.length && depth > 0; i++) {
        if (p[i] === '\\') i++;
        else if (p[i] === '[') depth++;
        else if (p[i] === ']') depth--;
      }
      i--;
    } else if (c === '(') {
      groups.push(false);
      // (?: (?= (?! (?<= (?<! (?<name>: a group's kind, not a quantifier.
      const kind = /^\?(?:[:=!]|<[=!]|<[^>]*>)/.exec(p.slice(i + 1, i + 70));
      if (kind) i += kind[0].length;
    }
    else if (c === ')') {
      const inner = groups.pop() ?? false;
      const q = quantifier(p, i + 1);
      if (q && q.max > MAX_SAFE_OUTER && inner)
        return 'une répétition contient une autre répétition (par exemple (a+)+) : sur une saisie longue, la vérification pourrait bloquer le serveur ; réécrivez-la sans répétition imbriquée';
      if (inner || q?.varies) mark();
      if (q) i += q.length;
    } else {
      const q = quantifier(p, i);
      if (q?.varies) mark();
      if (q) i += q.length - 1;
    }
  }
  return undefined;
}

/** The French problem with a pattern, or undefined when it can be used. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `expression régulière trop longue (${pattern.length} caractères ; au plus ${MAX_PATTERN_LENGTH})`;
  try {
    compilePattern(pattern);
  } catch (e) {
    const detail = String((e as Error).message).replace(/^Invalid regular expression: \/.*\/v: /s, '');
    const hint = /class/i.test(detail) ? ' (dans une classe [ ], échappez ( ) [ ] { } / - | par une barre oblique inversée, par exemple [0-9 \\-])' : '';
    return `expression régulière invalide en JavaScript avec l’option v (celle de l’attribut HTML pattern)${hint} : ${detail}`;
  }
  const risky = riskyShape(pattern);
  if (risky) return `expression régulière refusée : ${risky}`;
  return undefined;
}
