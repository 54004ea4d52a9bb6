/**
 * What an error may say in a log: its kind, its codes and where it was
 * thrown. Never its message, and never what drivers attach to it (PGlite
 * puts the query's parameters on its errors, PostgreSQL a fragment of the
 * value in `detail`, SMTP replies quote addresses): the message of a
 * database error can hold what a citizen typed. Our own catalogue errors
 * (AppError) keep their message, which we wrote.
 */
import { AppError } from '../errors/app-error.ts';

const CODE = /^[A-Za-z0-9_.-]{1,40}$/;
const NAME = /^[a-z_][a-z0-9_$]{0,62}$/i;
const MAX_FRAMES = 12;
const HIDDEN = '[message masqué]';

export interface SafeError {
  [key: string]: unknown;
  type: string;
  /** Ours (AppError), or a placeholder. */
  message: string;
  code?: string;
  statusCode?: number;
  /** A constraint or table name says where, not what (SQL identifiers are ours). */
  constraint?: string;
  table?: string;
  stack: string;
  cause?: SafeError;
}

export function safeError(err: unknown, depth = 0): SafeError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: HIDDEN, stack: '' };
  const e = err as Record<string, unknown>;
  const ctorName = (err as { constructor?: { name?: unknown } }).constructor?.name;
  const out: SafeError = { type: typeof ctorName === 'string' && NAME.test(ctorName) ? ctorName : 'Error', message: err instanceof AppError ? err.message : HIDDEN, stack: '' };
  if (typeof e['code'] === 'string' && CODE.test(e['code'])) out.code = e['code'];
  if (typeof e['statusCode'] === 'number') out.statusCode = e['statusCode'];
  if (typeof e['constraint'] === 'string' && NAME.test(e['constraint'])) out.constraint = e['constraint'];
  if (typeof e['table'] === 'string' && NAME.test(e['table'])) out.table = e['table'];
  if (typeof e['stack'] === 'string') {
    // Frames only. The stack starts with the message, which can itself hold lines that look like frames
    // ("    at jean@…"): it is cut by its length, not by its look.
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    const stack = e['stack'];
    const rest = message && stack.includes(message) ? stack.slice(stack.indexOf(message) + message.length) : stack;
    out.stack = rest.split('\n').filter((line) => /^\s+at /.test(line)).slice(0, MAX_FRAMES).join('\n');
  }
  if (depth < 2 && e['cause'] !== undefined) out.cause = safeError(e['cause'], depth + 1);
  return out;
}

/** One line for a terminal: `TypeError (code 23505)` and the frames. */
export function describeSafely(err: unknown): string {
  const s = safeError(err);
  const codes = [s.code && `code ${s.code}`, s.constraint && `contrainte ${s.constraint}`].filter(Boolean).join(', ');
  return `${s.type}${codes ? ` (${codes})` : ''}${s.message === HIDDEN ? '' : ` : ${s.message}`}${s.stack ? `\n${s.stack}` : ''}`;
}
