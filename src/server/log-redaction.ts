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
