/** The DPO's archives (archives-page.ts): the list, one archive, its files; reads under the DPO principal, journaled. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dpoPrincipal, journalActor } from '../../accounts/actor.ts';
import { withPrincipal } from '../../db/principal.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../errors/app-error.ts';
import { findForm } from '../../forms/find-form.ts';
import { attachment } from '../../records/record-api-routes.ts';
import { readRecord, readUpload } from '../../records/record-reader.ts';
import type { AppContext } from '../../server/app-context.ts';
import { sendPage } from '../../web/reply.ts';
import { rolePage } from '../admin/role-page.ts';
import { archivePage, archivesPage } from './archives-page.ts';

const LIST_LIMIT = 200;

type Req = FastifyRequest<{ Params: { tenant: string; id?: string; uploadId?: string } }>;

export function archiveRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };

  async function dpo(request: Req, reply: Parameters<typeof rolePage>[2]) {
    const req = await rolePage(ctx, request, reply, 'dpo');
    if (!req) return undefined;
    const principal = dpoPrincipal(req.actor);
    if (!principal) throw new AppError('forbidden-role');
    return { req, principal };
  }

  app.get('/:tenant/back-office/archives', async (request: Req, reply) => {
    const page = await dpo(request, reply);
    if (!page) return reply;
    const rows = await withPrincipal(deps.db, page.principal, (trx) =>
      trx
        .selectFrom('records')
        .select(['id', 'form_id', 'processing_id', 'created_at', 'archived_at', 'expires_at'])
        .where('tenant_id', '=', page.req.tenantId)
        .where('archived_at', 'is not', null)
        .orderBy('archived_at', 'desc')
        .orderBy('id')
        .limit(LIST_LIMIT)
        .execute(),
    );
    const items = rows.map((r) => ({ id: r.id, formId: r.form_id, processingId: r.processing_id, createdAt: new Date(r.created_at), archivedAt: new Date(r.archived_at!), deletesAt: r.expires_at ? new Date(r.expires_at) : null }));
    return sendPage(reply, archivesPage(page.req, items, LIST_LIMIT));
  });

  app.get('/:tenant/back-office/archives/:id', async (request: Req, reply) => {
    const page = await dpo(request, reply);
    if (!page) return reply;
    const id = request.params.id ?? '';
    const record = isUuid(id) ? await readRecord(deps, page.principal, journalActor(page.req.actor), id.toLowerCase()) : undefined;
    if (!record) throw new AppError('record-not-found');
    return sendPage(reply, archivePage(page.req, record, findForm(page.req.loaded.register, record.formId)?.form));
  });

  app.get('/:tenant/back-office/archives/:id/fichiers/:uploadId', async (request: Req, reply) => {
    const page = await dpo(request, reply);
    if (!page) return reply;
    const { id = '', uploadId = '' } = request.params;
    const file = isUuid(id) && isUuid(uploadId) ? await readUpload(deps, page.principal, journalActor(page.req.actor), id.toLowerCase(), uploadId.toLowerCase()) : undefined;
    if (!file) throw new AppError('file-not-found');
    return reply.type(file.mediaType).header('content-disposition', attachment(file.filename)).header('x-content-type-options', 'nosniff').send(file.bytes);
  });
}
