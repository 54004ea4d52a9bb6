/**
 * What application logs must never hold: credentials, cookies, and any body
 * (a body carries what citizens typed). Reads of personal data go to the
 * access journal instead.
 */
import type { LogFn, Logger } from 'pino';
import { AppError } from '../errors/app-error.ts';
import { safeError } from './safe-error.ts';

export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'res.headers["set-cookie"]',
  'body',
  'data',
  'email',
  'password',
];

/**
 * pino takes an Error's message as the line's message when the error is
 * logged alone (`log.error(err)`, as Fastify's hooks do) or when the caller
 * passes it: both go, the error itself goes through `safeError`.
 */
function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, second] = args as unknown[];
  if (first instanceof Error) return method.call(this, { err: first }, 'error');
  const err = typeof first === 'object' && first !== null ? ((first as { err?: unknown }).err ?? (first as { error?: unknown }).error) : undefined;
  if (err instanceof Error && !(err instanceof AppError) && typeof second === 'string' && err.message !== '' && second.includes(err.message)) return method.call(this, first as object, 'error');
  return method.apply(this, args);
}

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: LOG_REDACTIONS, censor: '[masqué]' },
    hooks: { logMethod },
    serializers: {
      err: (e: unknown) => safeError(e),
      error: (e: unknown) => safeError(e),
      // Query strings may carry codes or e-mail addresses: log the path only,
      // without the secrets some paths hold (draft links, tracking codes).
      req(req: { method: string; url: string; id: string }) {
        return { id: req.id, method: req.method, path: redactPath(req.url.split('?')[0] ?? '') };
      },
    },
  };
}

/** `/t/demarches/f/brouillon/SECRET` and `/api/v1/t/tracking/CODE` lose their last segment. */
export function redactPath(path: string): string {
  return path.replace(/(\/brouillon\/|\/tracking\/)[^/]+/, '$1[masqué]');
}
