/**
 * POST /api/v1/{tenant}/forms/{formId}/submissions: the JSON way to submit.
 * Files come as `{ "filename", "contentBase64" }`. Answers 201 with the
 * record id and the receipt, 400 with every field error, 404, 409 or 429.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { SubmittedValue } from '../forms/submitted-value.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { sendReceipt, trackingUrl } from './send-receipt.ts';
import { submitForm } from './submit-form.ts';

/** Base64 of the largest upload (20 MB) and some room for the other fields. */
const API_BODY_LIMIT = 28 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** JSON has no files: `{filename, contentBase64}` objects become files, anything else stays as sent. */
function decodeFiles(value: unknown): SubmittedValue {
  if (Array.isArray(value)) return value.map(decodeFiles);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['contentBase64'] === 'string' && Object.keys(o).every((k) => k === 'filename' || k === 'contentBase64')) {
      const content = o['contentBase64'].replace(/\s/g, '');
      return { kind: 'file', filename: typeof o['filename'] === 'string' ? o['filename'] : 'fichier', bytes: BASE64.test(content) ? Buffer.from(content, 'base64') : Buffer.alloc(0) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeFiles(v)]));
  }
  return value as SubmittedValue;
}

export function publicBaseUrl(ctx: AppContext, request: FastifyRequest): string {
  // Without BASTIDE_PUBLIC_URL (development), links follow the Host the browser used.
  return ctx.config.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
}

export function submissionApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { tenant: string; formId: string }; Body: unknown }>(
    '/api/v1/:tenant/forms/:formId/submissions',
    { bodyLimit: API_BODY_LIMIT, config: { rateLimit: { max: ctx.config.submissionsPerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const loaded = await requireTenant(ctx.registers, request.params.tenant);
      const body = request.body as { data?: unknown } | null;
      if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'data'))
        return reply.code(400).send({ errors: [{ field: 'data', message: 'Le corps de la requête doit être {"data": {…}}.' }] });
      const key = request.headers['idempotency-key'];
      const result = await submitForm({ db: ctx.database.db, keys: ctx.keys }, loaded, request.params.formId, decodeFiles(body.data), {
        ip: request.ip,
        submissionKey: typeof key === 'string' && key.length > 0 && key.length <= 200 ? `api:${key}` : undefined,
      });
      if (!result.ok) {
        if (result.reason === 'unknown-form') throw new AppError('form-not-found');
        if (result.reason === 'duplicate') return reply.code(409).send({ error: 'duplicate-submission', message: 'Cette demande a déjà été envoyée (même Idempotency-Key).' });
        return reply.code(400).send({ errors: result.errors });
      }
      const base = publicBaseUrl(ctx, request);
      sendReceipt(ctx.mail, loaded, result.stored, base);
      return reply.code(201).send({
        id: result.stored.recordId,
        receipt: {
          trackingCode: result.stored.trackingCode,
          trackingUrl: trackingUrl(base, loaded.tenantId, result.stored.trackingCode),
          submittedAt: result.stored.createdAt.toISOString(),
          form: result.stored.formTitle,
          emailSent: Boolean(result.stored.receiptTo),
        },
      });
    },
  );
}
