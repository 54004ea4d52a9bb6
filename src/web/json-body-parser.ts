/**
 * The `application/json` body parser. Before JSON.parse, and before any code
 * walks the result recursively, one iterative pass over the text refuses
 * what no form can need and what would break later: nesting deeper than
 * MAX_DEPTH, more than MAX_VALUES keys and values, a string longer than the
 * base64 of the largest upload, a key twice in one object (which value would
 * count?), a lone UTF-16 surrogate written `\uD800` (PostgreSQL refuses it
 * in jsonb), and `__proto__` or `constructor.prototype` keys (prototype
 * poisoning, as Fastify's default parser refuses them). The body limit stays
 * the route's. A refusal is a 400 `{errors: [{field, message}]}` in French,
 * naming where it was found (`data.nom`; `data` when the whole is at fault),
 * never repeating what was sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { MAX_UPLOAD_BYTES } from '../register/vocabulary.ts';

export const MAX_DEPTH = 32;
export const MAX_VALUES = 10_000;
/** Base64 of the largest upload, even wrapped in 76-character lines. */
export const MAX_STRING_LENGTH = Math.ceil((Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 * 78) / 76);

export interface JsonProblem {
  field: string;
  message: string;
}

type Segment = string | number;

interface Frame {
  kind: 'object' | 'array';
  /** Keys seen in this object, to refuse a second one. */
  keys: Set<string> | undefined;
  /** The segment of the value being read: its key, or its index. */
  at: Segment | undefined;
  count: number;
  /** Just opened, after a value (a comma or the end may follow), after a comma (an element must follow). */
  state: 'first' | 'after-value' | 'after-comma';
  /** This object is the value of a `constructor` key. */
  isConstructor: boolean;
}

/** Keys shown in a path look like field names; the path stops before anything else. */
const SHOWN_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const MAX_SHOWN_SEGMENTS = 8;

/** `data.enfants[0].nom` for the frames' segments; trailing indices dropped, so a list in a field names the field. */
function pathOf(segments: readonly Segment[]): string {
  const shown: Segment[] = [];
  for (const s of segments.slice(0, MAX_SHOWN_SEGMENTS)) {
    if (typeof s === 'string' && !SHOWN_KEY.test(s)) break;
    shown.push(s);
  }
  while (shown.length > 0 && typeof shown[shown.length - 1] === 'number') shown.pop();
  if (shown.length === 0) return 'data';
  return shown.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

const MESSAGES: Record<Exclude<Trouble, 'long'>, string> = {
  syntax: 'Le corps de la requête n’est pas du JSON valide.',
  empty: 'Le corps de la requête est vide : un objet JSON est attendu.',
  depth: `Les données sont imbriquées trop profondément (au plus ${MAX_DEPTH} niveaux).`,
  count: `La requête contient trop de valeurs (au plus ${MAX_VALUES.toLocaleString('fr-FR')}).`,
  surrogate: 'Cette valeur contient un caractère Unicode invalide (une moitié de paire de substitution UTF-16, \\uD800 à \\uDFFF, isolée).',
  duplicate: 'Cette clé figure deux fois dans le même objet : une seule valeur est admise.',
  proto: 'Les clés « __proto__ » et « constructor.prototype » ne sont pas admises.',
} as const;

type Trouble = 'syntax' | 'empty' | 'depth' | 'count' | 'long' | 'surrogate' | 'duplicate' | 'proto';

class Refusal {
  constructor(
    readonly problem: JsonProblem,
  ) {}
}

/** Reads the string whose opening quote is at `start`: where it ends, and its key when `asKey`. */
function readString(text: string, start: number, maxLength: number, asKey: boolean): { end: number; key: string | undefined; problem?: Trouble } {
  let i = start + 1;
  let length = 0;
  let escaped = false;
  let quote = -1;
  for (;;) {
    // The next quote, then a backslash before it: indexOf runs natively, where a character class over a
    // 6 MB base64 string held the event loop. The quote is searched again only once passed (an escaped one),
    // so a string of many escapes stays linear. A raw control character is left to JSON.parse, which refuses it.
    if (quote < i) quote = text.indexOf('"', i);
    if (quote === -1) return { end: text.length, key: undefined, problem: 'syntax' };
    const slash = text.slice(i, quote).indexOf('\\');
    const stop = slash === -1 ? quote : i + slash;
    length += stop - i;
    i = stop;
    if (length > maxLength) return { end: i, key: undefined, problem: 'long' };
    if (slash === -1) break;
    escaped = true;
    const e = text[i + 1];
    if (e === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) return { end: i, key: undefined, problem: 'syntax' };
      const unit = Number.parseInt(hex, 16);
      if (unit >= 0xdc00 && unit <= 0xdfff) return { end: i, key: undefined, problem: 'surrogate' };
      if (unit >= 0xd800 && unit <= 0xdbff) {
        const low = text.slice(i + 6, i + 8) === '\\u' ? text.slice(i + 8, i + 12) : '';
        const next = HEX4.test(low) ? Number.parseInt(low, 16) : -1;
        if (next < 0xdc00 || next > 0xdfff) return { end: i, key: undefined, problem: 'surrogate' };
        i += 12;
        length += 2;
      } else {
        i += 6;
        length += 1;
      }
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
      i += 2;
      length += 1;
    } else return { end: i, key: undefined, problem: 'syntax' };
  }
  const raw = text.slice(start, i + 1);
  if (!asKey) return { end: i + 1, key: undefined };
  if (!escaped) return { end: i + 1, key: raw.slice(1, -1) };
  try {
    return { end: i + 1, key: JSON.parse(raw) as string };
  } catch {
    return { end: i + 1, key: undefined, problem: 'syntax' }; // a raw control character in an escaped key
  }
}

/**
 * One pass over `text`, with its own stack (no recursion): the first
 * problem, or undefined when JSON.parse may take it.
 */
export function checkJson(text: string, maxStringLength = MAX_STRING_LENGTH): JsonProblem | undefined {
  const stack: Frame[] = [];
  let values = 0;
  let i = 0;
  const segments = () => stack.map((f) => f.at).filter((s): s is Segment => s !== undefined);
  const refuse = (problem: Trouble, at = segments()): never => {
    const message = problem === 'long' ? `Cette valeur est trop longue (au plus ${maxStringLength.toLocaleString('fr-FR')} caractères).` : MESSAGES[problem];
    throw new Refusal({ field: pathOf(at), message });
  };
  /** Where a value is being added: the object or list that would hold too many. */
  const container = () => stack.map((f, k) => (k === stack.length - 1 ? undefined : f.at)).filter((s): s is Segment => s !== undefined);
  const skip = () => {
    const c = text.charCodeAt(i);
    // Compact JSON has no white space: look before running the expression.
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
  };
  /** Reads one value at `i`; an object or array is pushed on the stack and read by the loop below. */
  const value = (isConstructor: boolean) => {
    if (++values > MAX_VALUES) refuse('count', container());
    const c = text[i];
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) refuse('depth');
      stack.push({ kind: c === '{' ? 'object' : 'array', keys: c === '{' ? new Set() : undefined, at: undefined, count: 0, state: 'first', isConstructor });
      i++;
      return;
    }
    if (c === '"') {
      const s = readString(text, i, maxStringLength, false);
      if (s.problem) refuse(s.problem);
      i = s.end;
      return;
    }
    const literal = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : undefined;
    if (literal) {
      if (!text.startsWith(literal, i)) refuse('syntax');
      i += literal.length;
      return;
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text) || NUMBER.lastIndex === i) refuse('syntax');
    i = NUMBER.lastIndex;
  };

  try {
    skip();
    if (i >= text.length) return { field: 'data', message: MESSAGES.empty };
    value(false);
    for (;;) {
      skip();
      const frame = stack[stack.length - 1];
      if (!frame) break;
      const c = text[i];
      const closing = frame.kind === 'object' ? '}' : ']';
      if (frame.state !== 'after-comma' && c === closing) {
        stack.pop();
        i++;
        continue;
      }
      if (frame.state === 'after-value') {
        if (c !== ',') refuse('syntax');
        frame.state = 'after-comma';
        i++;
        continue;
      }
      // An element: its value may push a frame, so this one moves on first.
      frame.state = 'after-value';
      if (frame.kind === 'array') {
        frame.at = frame.count++;
        value(false);
        continue;
      }
      frame.at = undefined;
      if (c !== '"') refuse('syntax');
      const key = readString(text, i, maxStringLength, true);
      if (key.problem) refuse(key.problem);
      const name = key.key!;
      if (name === '__proto__' || (frame.isConstructor && name === 'prototype')) refuse('proto');
      if (frame.keys!.has(name)) refuse('duplicate', [...segments(), name]);
      frame.keys!.add(name);
      if (++values > MAX_VALUES) refuse('count', container());
      frame.at = name;
      frame.count++;
      i = key.end;
      skip();
      if (text[i] !== ':') refuse('syntax');
      i++;
      skip();
      value(name === 'constructor');
    }
    if (i < text.length) refuse('syntax', []);
    return undefined;
  } catch (e) {
    if (e instanceof Refusal) return e.problem;
    // Whatever else went wrong is about what was sent, never a reason for a 500.
    return { field: 'data', message: MESSAGES.syntax };
  }
}

/** Parses a body `checkJson` accepted (or refuses it): the problem, or the value. */
export function parseJsonBody(text: string, maxStringLength = MAX_STRING_LENGTH): { ok: true; value: unknown } | { ok: false; problem: JsonProblem } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problem = checkJson(body, maxStringLength);
  if (problem) return { ok: false, problem };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, problem: { field: 'data', message: MESSAGES.syntax } };
  }
}

const refused = new WeakMap<FastifyRequest, JsonProblem>();
/** Beyond this, a body is parsed and its files decoded in tasks of their own. */
export const LARGE_BODY = 256 * 1024;

/** Replaces Fastify's JSON parser; a refusal is answered before validation and the handler. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const limit = Math.min(MAX_STRING_LENGTH, request.routeOptions.bodyLimit ?? MAX_STRING_LENGTH);
    const finish = () => {
      let parsed: ReturnType<typeof parseJsonBody>;
      try {
        parsed = parseJsonBody(text, limit);
      } catch (error) {
        // Run outside the request's own task (below): an exception here would end the process.
        return done(error as Error, undefined);
      }
      if (parsed.ok) return done(null, parsed.value);
      refused.set(request, parsed.problem);
      done(null, undefined);
    };
    // A large body (a file in base64) is parsed in a task of its own, so that other requests get a turn between its steps.
    if (text.length > LARGE_BODY) setImmediate(finish);
    else finish();
  });
  app.addHook('preValidation', async (request, reply) => {
    const problem = refused.get(request);
    if (!problem) return;
    if (!request.url.startsWith('/api/')) throw new AppError('bad-request');
    return reply.code(400).header('cache-control', 'no-store').send({ errors: [problem] });
  });
}
