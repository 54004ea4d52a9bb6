/**
 * What application logs must never hold: credentials, cookies, and any body
 * (a body carries what citizens typed). Reads of personal data go to the
 * access journal instead.
 */
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

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: LOG_REDACTIONS, censor: '[masqué]' },
    serializers: {
      // Query strings may carry codes or e-mail addresses: log the path only.
      req(req: { method: string; url: string; id: string }) {
        return { id: req.id, method: req.method, path: req.url.split('?')[0] };
      },
    },
  };
}
