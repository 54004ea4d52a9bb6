/**
 * The security headers of every response, declared once and computed once
 * by helmet at start-up (no directive depends on the request): every answer,
 * from a route, a hook or the raw socket (a malformed URL, a request Node's
 * parser refuses), sends the same values. Rebuilding them per request, as
 * @fastify/helmet does, cost about 40 µs of every request.
 */
import helmet, { type HelmetOptions } from 'helmet';

/** Citizen pages run one first-party script, the consent manager (consent.js); a form page with media adds frame-src for its providers (consent/form-media.ts). */
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
export function helmetOptions(publicUrl: string | undefined): HelmetOptions {
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

/** What helmet sets for these options, computed once: no directive depends on the request. */
export function fixedSecurityHeaders(publicUrl: string | undefined): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const sink: HeaderSink = {
    setHeader: (name, value) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => {},
  };
  const middleware = helmet(helmetOptions(publicUrl)) as unknown as (req: unknown, res: HeaderSink, next: (error?: unknown) => void) => void;
  middleware({}, sink, (error) => {
    if (error) throw error;
  });
  return headers;
}
