/**
 * POST /api/v1/{tenant}/forms/{formId}/submissions: the JSON way to submit.
 * Files come as `{ "filename", "contentBase64" }`. Answers 201 with the
 * record id and the receipt, 400 with every field error, 404, 409, 422 or
 * 429. A replay under the same Idempotency-Key gets the first answer again.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { decodeJsonFiles } from '../forms/json-files.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { LARGE_BODY } from '../web/json-body-parser.ts';
import { nextTurn } from '../web/next-turn.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { tooManySubmissions } from '../web/rate-limits.ts';
import { trackingUrl } from './receipt-mail.ts';
import { submitForm, type StoredSubmission } from './submit-form.ts';

/** Base64 of the largest upload (20 MB) and some room for the other fields. */
const API_BODY_LIMIT = 28 * 1024 * 1024;
/** Visible ASCII, as RFC 9110 tokens and UUIDs are; bounded so that it fits its index. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) throw new AppError('idempotency-key-invalid');
  return header;
}

function answer(base: string, tenantId: string, stored: StoredSubmission) {
  return {
    id: stored.recordId,
    receipt: {
      trackingCode: stored.trackingCode,
      trackingUrl: trackingUrl(base, tenantId, stored.trackingCode),
      submittedAt: stored.createdAt.toISOString(),
      form: stored.formTitle,
      emailSent: stored.receiptQueued,
    },
  };
}

export function submissionApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { tenant: string; formId: string }; Body: unknown }>(
    '/api/v1/:tenant/forms/:formId/submissions',
    { bodyLimit: API_BODY_LIMIT },
    async (request, reply) => {
      const loaded = await requireTenant(ctx.registers, request.params.tenant);
      const verdict = ctx.limits.hit('submission', request.ip);
      if (!verdict.ok) {
        reply.header('retry-after', String(verdict.retryAfterSeconds));
        throw new AppError('too-many-requests', tooManySubmissions(verdict.retryAfterSeconds));
      }
      const body = request.body as { data?: unknown } | null;
      if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'data'))
        return reply.code(400).send({ errors: [{ field: 'data', message: 'Le corps de la requête doit être {"data": {…}}.' }] });
      const key = idempotencyKey(request.headers['idempotency-key']);
      if (Number(request.headers['content-length']) > LARGE_BODY) await nextTurn();
      const base = requestBaseUrl(ctx, request);
      const result = await submitForm({ db: ctx.database.db, keys: ctx.keys }, loaded, request.params.formId, decodeJsonFiles(body.data), {
        ip: request.ip,
        submissionKey: key === undefined ? undefined : `api:${key}`,
        baseUrl: base,
      });
      if (!result.ok) {
        if (result.reason === 'unknown-form') throw new AppError('form-not-found');
        if (result.reason === 'duplicate') {
          if (!result.original) throw new AppError('idempotency-key-reused');
          return reply.code(201).header('idempotent-replayed', 'true').send(answer(base, loaded.tenantId, result.original));
        }
        return reply.code(400).send({ errors: result.errors });
      }
      ctx.mail.nudge();
      return reply.code(201).send(answer(base, loaded.tenantId, result.stored));
    },
  );
}
