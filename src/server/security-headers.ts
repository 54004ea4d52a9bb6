/**
 * The security headers of every response, declared once. Helmet sends them
 * on each request Fastify runs through its hooks; answers written outside
 * that cycle (a malformed URL, a request Node's parser refuses) send the
 * headers helmet computes from the same options, so the two cannot drift.
 */
import { createRequire } from 'node:module';
import type { FastifyHelmetOptions } from '@fastify/helmet';

/** Citizen pages need no script; the consent manager will add its own first-party file. */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

/** Helmet's configuration: HSTS only behind a public https address. */
export function helmetOptions(publicUrl: string | undefined): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    hsts: publicUrl?.startsWith('https://') ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  };
}

interface HeaderSink {
  setHeader(name: string, value: string | number | readonly string[]): void;
  removeHeader(name: string): void;
}
type HelmetMiddleware = (req: unknown, res: HeaderSink, next: (error?: unknown) => void) => void;

// The very helmet that @fastify/helmet runs (its dependency, not ours), so that a version cannot differ either.
const helmet = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'))('helmet') as (options: object) => HelmetMiddleware;

/** What helmet sets for these options, computed once: no directive depends on the request. */
export function fixedSecurityHeaders(publicUrl: string | undefined): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const sink: HeaderSink = {
    setHeader: (name, value) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => {},
  };
  helmet(helmetOptions(publicUrl))({}, sink, (error) => {
    if (error) throw error;
  });
  return headers;
}
