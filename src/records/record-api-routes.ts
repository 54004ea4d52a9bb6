/**
 * The agents' API on records: GET /records (own services only), GET and
 * PATCH /records/{id}, GET /records/{id}/files/{uploadId}. Bearer token
 * first (401), then what row-level security lets the agent see: anything
 * else, another service's record, another tenant's or a malformed id, is the
 * same 404, so that a record's existence is never revealed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { journalActor, recordsPrincipal } from '../accounts/actor.ts';
import { requireActor } from '../accounts/bearer-auth.ts';
import { isUuid } from '../db/uuid.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { requireTenant } from '../web/tenant.ts';
import { listRecords, readRecord, readUpload } from './record-reader.ts';
import { changeStatus, isRecordStatus, RECORD_STATUSES } from './record-status.ts';

type TenantParams = { tenant: string };
type RecordParams = { tenant: string; id: string };
type FileParams = { tenant: string; id: string; uploadId: string };

const MAX_LIMIT = 500;

function integer(text: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,7}$/.test(text) || n < min || n > max) throw new AppError('bad-request', `Le paramètre « ${name} » doit être un entier entre ${min} et ${max}.`);
  return n;
}

function statusMessage(value: unknown): string {
  const shown = typeof value === 'string' ? `« ${value.slice(0, 40)} »` : 'absent ou mal formé';
  return `Statut ${shown} invalide : le corps doit être {"status": …} avec l’un des statuts ${RECORD_STATUSES.join(', ')}.`;
}

/** RFC 6266: an ASCII fallback, then the real name in UTF-8. */
export function attachment(filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function recordApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  async function authenticate(request: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) {
    const loaded = await requireTenant(ctx.registers, request.params.tenant);
    const actor = await requireActor(ctx.database.db, ctx.limits, request, reply, loaded.tenantId);
    // Personal data: never kept by a browser or a proxy.
    reply.header('cache-control', 'no-store');
    return { loaded, actor };
  }

  app.get<{ Params: TenantParams; Querystring: { status?: string; limit?: string; offset?: string } }>('/api/v1/:tenant/records', async (request, reply) => {
    const { actor } = await authenticate(request, reply);
    const { status } = request.query;
    if (status !== undefined && !isRecordStatus(status)) throw new AppError('invalid-status', statusMessage(status));
    return listRecords(ctx.database.db, recordsPrincipal(actor), {
      status,
      limit: integer(request.query.limit, 100, 1, MAX_LIMIT, 'limit'),
      offset: integer(request.query.offset, 0, 0, 1_000_000, 'offset'),
    });
  });

  app.get<{ Params: RecordParams }>('/api/v1/:tenant/records/:id', async (request, reply) => {
    const { loaded, actor } = await authenticate(request, reply);
    const { id } = request.params;
    const record = isUuid(id) ? await readRecord(deps, recordsPrincipal(actor), journalActor(actor), id.toLowerCase()) : undefined;
    if (!record) throw new AppError('record-not-found');
    return { ...record, files: record.files.map((f) => ({ ...f, url: `/api/v1/${loaded.tenantId}/records/${record.id}/files/${f.id}` })) };
  });

  app.patch<{ Params: RecordParams; Body: unknown }>('/api/v1/:tenant/records/:id', async (request, reply) => {
    const { loaded, actor } = await authenticate(request, reply);
    const { id } = request.params;
    if (!isUuid(id)) throw new AppError('record-not-found');
    const body = request.body;
    const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const status = fields['status'];
    if (!isRecordStatus(status) || Object.keys(fields).length !== 1) throw new AppError('invalid-status', statusMessage(status));
    const changed = await changeStatus(deps, recordsPrincipal(actor), loaded.register, id.toLowerCase(), status);
    if (!changed) throw new AppError('record-not-found');
    return changed;
  });

  app.get<{ Params: FileParams }>('/api/v1/:tenant/records/:id/files/:uploadId', async (request, reply) => {
    const { actor } = await authenticate(request, reply);
    const { id, uploadId } = request.params;
    const file = isUuid(id) && isUuid(uploadId) ? await readUpload(deps, recordsPrincipal(actor), journalActor(actor), id.toLowerCase(), uploadId.toLowerCase()) : undefined;
    if (!file) throw new AppError('file-not-found');
    return reply.type(file.mediaType).header('content-disposition', attachment(file.filename)).send(file.bytes);
  });
}
