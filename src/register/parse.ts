/**
 * From the bytes of `register.yaml` to a checked register, or to every
 * problem found, each with its path and, where the source shows it, its line.
 */
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { checkRegister } from './checks.ts';
import { knownKeys, requiredKeys } from './known-keys.ts';
import type { PathSegment, Problem } from './problem.ts';
import { RegisterSchema, type Register } from './schema.ts';
import { zodProblems } from './zod-problems.ts';

/** Far above any real register (a large département's is ~300 KB); refuses a wrong file early. */
export const MAX_REGISTER_BYTES = 2 * 1024 * 1024;

export type ParseResult =
  | { ok: true; register: Register; hash: string; canonical: string; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

const FILE = '(fichier)';

export function tooLargeProblem(size: number): Problem {
  const mb = (n: number) => (n / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  return { path: FILE, message: `fichier trop volumineux (${mb(size)} Mo ; au plus ${mb(MAX_REGISTER_BYTES)} Mo)` };
}

function decodeUtf8(bytes: Uint8Array): { text: string } | { problem: Problem } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const at = lossy.indexOf('\uFFFD');
    const line = at < 0 ? undefined : lossy.slice(0, at).split('\n').length;
    return {
      problem: {
        path: FILE,
        message: "le fichier n'est pas encodé en UTF-8 : enregistrez-le en UTF-8 (les accents doivent s'afficher correctement)",
        line,
      },
    };
  }
}

/** Finds the line of the key or item at `segments`, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, segments: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const segment of segments) {
    if (typeof segment === 'number' && isSeq(node)) {
      node = node.items[segment];
    } else if (typeof segment === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      continue;
    } else {
      break;
    }
    if (!node) break;
    offset = (node as Node).range?.[0] ?? offset;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Canonical JSON (sorted keys): the same register written differently hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function parseRegister(bytes: Uint8Array): ParseResult {
  if (bytes.byteLength > MAX_REGISTER_BYTES) return { ok: false, problems: [tooLargeProblem(bytes.byteLength)] };
  const decoded = decodeUtf8(bytes);
  if ('problem' in decoded) return { ok: false, problems: [decoded.problem] };
  if (decoded.text.trim() === '') return { ok: false, problems: [{ path: FILE, message: 'le fichier est vide' }] };
  // PostgreSQL text cannot hold NUL, and no register needs control characters.
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(decoded.text);
  if (control) {
    const line = decoded.text.slice(0, control.index).split('\n').length;
    return { ok: false, problems: [{ path: FILE, message: 'caractère de contrôle interdit dans le fichier (fichier binaire ?)', line }] };
  }

  const counter = new LineCounter();
  const doc = parseDocument(decoded.text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: FILE,
        message: `YAML invalide : ${yamlMessage(e.code, e.message)}`,
        line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, problems: [{ path: FILE, message: `YAML invalide : ${(e as Error).message}` }] };
  }
  if (value === null || value === undefined) return { ok: false, problems: [{ path: FILE, message: 'le fichier est vide (il ne contient que des commentaires)' }] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problems: [{ path: FILE, message: 'un registre commence par des clés (tenant, controller, dpo, …)' }] };
  }

  const locate = (p: Problem): Problem => ({ ...p, line: p.segments ? lineOf(doc, counter, p.segments) : p.line });
  const parsed = RegisterSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, problems: zodProblems(parsed.error, (path) => ({ known: knownKeys(RegisterSchema, path), required: requiredKeys(RegisterSchema, path) })).map(locate) };
  }
  const { errors, warnings } = checkRegister(parsed.data);
  if (errors.length > 0) return { ok: false, problems: errors.map(locate) };
  const canonical = canonicalJson(parsed.data);
  return {
    ok: true,
    register: parsed.data,
    canonical,
    hash: createHash('sha256').update(canonical).digest('hex'),
    warnings: warnings.map(locate),
  };
}

function yamlMessage(code: string, raw: string): string {
  const firstLine = raw.split('\n')[0] ?? raw;
  if (code === 'DUPLICATE_KEY') return `clé en double (${firstLine})`;
  if (code === 'TAB_AS_INDENT') return "tabulation utilisée pour l'indentation ; utilisez des espaces";
  return firstLine;
}
