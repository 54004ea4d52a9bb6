/**
 * Bodies of the back office's plain HTML forms (application/x-www-form-urlencoded):
 * small, read as text and split by URLSearchParams into strings, a name given
 * several times (check boxes) into an array. Never an object from the client.
 */
import type { FastifyInstance } from 'fastify';

export type UrlencodedBody = Record<string, string | string[]>;

const LIMIT = 256 * 1024;

export function registerUrlencodedBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: LIMIT }, (_request, body, done) => {
    const out: UrlencodedBody = Object.create(null) as UrlencodedBody;
    for (const [name, value] of new URLSearchParams(body as string)) {
      const seen = out[name];
      if (seen === undefined) out[name] = value;
      else if (Array.isArray(seen)) seen.push(value);
      else out[name] = [seen, value];
    }
    done(null, out);
  });
}

/** One value of a posted field (the first when given several), or ''. */
export function field(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as UrlencodedBody)[name] : undefined;
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

/** Every value of a posted field (check boxes). */
export function fields(body: unknown, name: string): string[] {
  const v = body && typeof body === 'object' ? (body as UrlencodedBody)[name] : undefined;
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}
