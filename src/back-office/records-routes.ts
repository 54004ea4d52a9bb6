/**
 * The back office's pages on requests. Every action is a POST with the
 * session's CSRF token, followed by a redirect (303) to a page that says
 * what was done; a record the agent may not see is the same 404 page
 * whether it exists in another service, another tenant, or nowhere.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { journalActor, recordsPrincipal } from '../accounts/actor.ts';
import { withPrincipal } from '../db/principal.ts';
import { appendJournalWithRecords } from '../journal/journal-records.ts';
import { isUuid } from '../db/uuid.ts';
import { AppError } from '../errors/app-error.ts';
import { findForm } from '../forms/find-form.ts';
import { readRecord, readUpload } from '../records/record-reader.ts';
import { changeStatus, isRecordStatus } from '../records/record-status.ts';
import type { AppContext } from '../server/app-context.ts';
import { sendPage } from '../web/reply.ts';
import { field, fields } from '../web/urlencoded-body.ts';
import { agentPage, safeReturn, type AgentRequest } from './agent-session.ts';
import { listPage, type ListQuery } from './list-page.ts';
import { NOBODY, parseDay, type RecordFilter } from './record-filter.ts';
import { listForAgent, SORTS, type Sort } from './record-list.ts';
import { recordPage } from './record-page.ts';
import { addNote, listMessages, listNotes, NOTE_MAX } from './record-messages.ts';
import { REPLY_MAX, sendReply } from './record-reply.ts';
import { recipientOf } from '../records/subject-key.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { agentNames, claimRecord, releaseRecord } from './record-work.ts';
import { attachment } from '../records/record-api-routes.ts';

type TenantReq = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string | undefined> }>;
type RecordReq = FastifyRequest<{ Params: { tenant: string; id: string }; Querystring: Record<string, string | undefined> }>;
type FileReq = FastifyRequest<{ Params: { tenant: string; id: string; uploadId: string } }>;

const NOTICES: Record<string, string> = {
  statut: 'Le statut est enregistré.',
  prise: 'Vous prenez en charge cette demande : vos collègues le voient.',
  liberee: 'Vous ne prenez plus en charge cette demande.',
  note: 'La note est enregistrée.',
  reponse: 'La réponse est envoyée et gardée avec la demande.',
};

export function readListQuery(req: AgentRequest, query: Record<string, string | undefined>): { query: ListQuery; filter: RecordFilter; errors: Array<{ field: string; message: string }> } {
  const errors: Array<{ field: string; message: string }> = [];
  const register = req.loaded.register;
  const str = (k: string) => (query[k] ?? '').slice(0, 100);
  const form = findForm(register, str('form')) ? str('form') : '';
  const status = isRecordStatus(str('status')) ? str('status') : '';
  const sort = (SORTS as readonly string[]).includes(str('sort')) ? (str('sort') as Sort) : 'recent';
  const holder = str('holder') === NOBODY || isUuid(str('holder')) ? str('holder').toLowerCase() : '';
  const page = /^\d{1,5}$/.test(str('page')) && Number(str('page')) >= 1 ? Number(str('page')) : 1;
  const from = parseDay(str('from'));
  const to = parseDay(str('to'));
  if (from === 'bad') errors.push({ field: 'from', message: 'La date de début doit être une date valide (JJ/MM/AAAA).' });
  if (to === 'bad') errors.push({ field: 'to', message: 'La date de fin doit être une date valide (JJ/MM/AAAA).' });
  const since = typeof from === 'object' ? from.start : undefined;
  const until = typeof to === 'object' ? to.next : undefined;
  if (since && until && since >= until) errors.push({ field: 'to', message: 'La date de fin doit suivre la date de début.' });
  const search = (query['q'] ?? '').trim();
  const searchBad = search.length > 100 || /[\u0000-\u001f\u007f]/.test(search);
  if (searchBad) errors.push({ field: 'q', message: 'La recherche compte au plus 100 caractères, sans caractère de contrôle.' });
  return {
    query: { q: searchBad ? search.slice(0, 200) : search, form, status, from: typeof from === 'object' ? from.iso : '', to: typeof to === 'object' ? to.iso : '', holder, sort, page },
    filter: {
      formId: form || undefined,
      status: isRecordStatus(status) ? status : undefined,
      from: since,
      until,
      claimedBy: holder || undefined,
      search: searchBad ? undefined : search || undefined,
    },
    errors,
  };
}

/** The forms of the agent's services, for the filter. */
export function agentForms(req: AgentRequest): Array<{ id: string; title: string }> {
  return req.loaded.register.processings
    .filter((p) => p.forms.length > 0 && (!p.service || req.actor.services.includes(p.service)))
    .flatMap((p) => p.forms.map((f) => ({ id: f.id, title: f.title })));
}

async function colleagues(ctx: AppContext, req: AgentRequest): Promise<Array<{ id: string; name: string }>> {
  if (req.actor.services.length === 0) return [];
  const rows = await ctx.database.db
    .selectFrom('agents')
    .innerJoin('agent_services', (j) => j.onRef('agent_services.tenant_id', '=', 'agents.tenant_id').onRef('agent_services.agent_id', '=', 'agents.id'))
    .select(['agents.id', 'agents.email', 'agents.display_name'])
    .distinct()
    .where('agents.tenant_id', '=', req.tenantId)
    .where('agent_services.service_id', 'in', [...req.actor.services])
    .where('agents.disabled_at', 'is', null)
    .orderBy('agents.email')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name ?? r.email }));
}

export function recordsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;
  const deps = { db, keys: ctx.keys };

  app.get('/:tenant/back-office', async (request: TenantReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    const { query, filter, errors } = readListQuery(req, request.query);
    const { rows, total, moreThanTotal } = await listForAgent(db, recordsPrincipal(req.actor), filter, query.sort, query.page);
    // A search looks into what citizens typed: the records it shows are journaled (the words searched are not).
    if (filter.search && rows.length > 0)
      await withPrincipal(db, recordsPrincipal(req.actor), (trx) =>
        appendJournalWithRecords(trx, req.tenantId, { ...journalActor(req.actor), action: 'list' }, 'recherche dans la liste des demandes', rows.map((r) => r.id)),
      );
    const names = await agentNames(db, req.tenantId, rows.flatMap((r) => (r.claimedBy ? [r.claimedBy] : [])));
    const restricted = Number(request.query['limitees'] ?? 0);
    const notice =
      request.query['fait'] === 'lot'
        ? `Statut changé pour ${Number(request.query['n'] ?? 0)} demande(s).${Number.isInteger(restricted) && restricted > 0 && restricted <= 500 ? ` ${restricted} demande(s) limitée(s) (RGPD, article 18) n’ont pas été modifiées.` : ''}`
        : undefined;
    return sendPage(reply, listPage(req, { query, forms: agentForms(req), colleagues: await colleagues(ctx, req), rows, total, moreThanTotal, names, errors, notice }), errors.length > 0 ? 400 : 200);
  });

  app.post('/:tenant/back-office/demandes/statut', async (request: TenantReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    const status = field(request.body, 'status');
    const ids = fields(request.body, 'ids').filter(isUuid).map((s) => s.toLowerCase()).slice(0, 500);
    if (!isRecordStatus(status)) throw new AppError('invalid-status', 'Choisissez l’un des statuts proposés.');
    let changed = 0;
    let restricted = 0;
    for (const id of ids)
      try {
        if (await changeStatus(deps, recordsPrincipal(req.actor), req.loaded.register, id, status)) changed++;
      } catch (e) {
        if (!(e instanceof AppError && e.id === 'record-restricted')) throw e;
        restricted++;
      }
    const back = safeReturn(req.tenantId, field(request.body, 'retour'));
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}fait=lot&n=${changed}${restricted > 0 ? `&limitees=${restricted}` : ''}`, 303);
  });

  async function showRecord(request: RecordReq, req: AgentRequest, extra: { errors?: Array<{ field: string; message: string }>; noteDraft?: string; replyDraft?: string } = {}) {
    const id = request.params.id;
    const record = isUuid(id) ? await readRecord(deps, recordsPrincipal(req.actor), journalActor(req.actor), id.toLowerCase()) : undefined;
    if (!record) throw new AppError('record-not-found');
    const found = findForm(req.loaded.register, record.formId);
    const holderId = await currentHolder(req, record.id);
    const names = await agentNames(db, req.tenantId, holderId ? [holderId] : []);
    const notes = await listNotes(deps, recordsPrincipal(req.actor), record.id);
    const replies = await listMessages(deps, recordsPrincipal(req.actor), 'reply', record.id);
    return recordPage(req, {
      record,
      replies,
      recipient: found ? recipientOf(found.form.fields, record.data) : undefined,
      form: found?.form,
      formTitle: found?.form.title ?? record.formId,
      holder: holderId ? { id: holderId, name: names.get(holderId) ?? 'un collègue' } : null,
      notes,
      notice: NOTICES[request.query['fait'] ?? ''] ?? (request.query['fait'] === 'tenue' ? heldNotice(request.query['par']) : undefined),
      ...extra,
    });
  }

  const heldNotice = (name: string | undefined) => `Cette demande est déjà prise en charge par ${(name ?? 'un collègue').slice(0, 200)} : pour la reprendre, utilisez le bouton « Reprendre la demande ».`;

  async function currentHolder(req: AgentRequest, recordId: string): Promise<string | null> {
    const row = await withPrincipal(db, recordsPrincipal(req.actor), (trx) =>
      trx.selectFrom('records').select('claimed_by').where('tenant_id', '=', req.tenantId).where('id', '=', recordId).executeTakeFirst(),
    );
    return row?.claimed_by ?? null;
  }

  app.get('/:tenant/back-office/demandes/:id', async (request: RecordReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    return sendPage(reply, await showRecord(request, req));
  });

  const recordPath = (req: AgentRequest, id: string) => `/${req.tenantId}/back-office/demandes/${id}`;

  async function recordAction(request: RecordReq, reply: Parameters<typeof agentPage>[2], act: (req: AgentRequest, id: string) => Promise<string | undefined>) {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    const id = request.params.id;
    if (!isUuid(id)) throw new AppError('record-not-found');
    const done = await act(req, id.toLowerCase());
    if (done === undefined) return reply;
    return reply.redirect(`${recordPath(req, id.toLowerCase())}?${done}`, 303);
  }

  app.post('/:tenant/back-office/demandes/:id/statut', async (request: RecordReq, reply) =>
    recordAction(request, reply, async (req, id) => {
      const status = field(request.body, 'status');
      if (!isRecordStatus(status)) throw new AppError('invalid-status', 'Choisissez l’un des statuts proposés.');
      if (!(await changeStatus(deps, recordsPrincipal(req.actor), req.loaded.register, id, status))) throw new AppError('record-not-found');
      return 'fait=statut';
    }),
  );

  app.post('/:tenant/back-office/demandes/:id/prise-en-charge', async (request: RecordReq, reply) =>
    recordAction(request, reply, async (req, id) => {
      const result = await claimRecord(deps, recordsPrincipal(req.actor), id, req.actor.agentId, field(request.body, 'reprendre') === '1');
      if (result.kind === 'not-found') throw new AppError('record-not-found');
      if (result.kind === 'held') {
        const name = (await agentNames(db, req.tenantId, [result.holderId])).get(result.holderId) ?? 'un collègue';
        return `fait=tenue&par=${encodeURIComponent(name)}`;
      }
      return 'fait=prise';
    }),
  );

  app.post('/:tenant/back-office/demandes/:id/liberation', async (request: RecordReq, reply) =>
    recordAction(request, reply, async (req, id) => {
      await releaseRecord(deps, recordsPrincipal(req.actor), id, req.actor.agentId);
      return 'fait=liberee';
    }),
  );

  /** The text of a note or a reply, or the French reason it is refused. */
  function typedText(body: unknown, name: string, what: string, max: number): { text: string } | { error: string; draft: string } {
    const raw = field(body, name);
    const text = raw.replace(/\r\n?/g, '\n').trim();
    const error = !text
      ? `Saisissez le texte de ${what}.`
      : text.length > max
        ? `${what[0]!.toUpperCase()}${what.slice(1)} compte ${text.length} caractères : ${max} au plus.`
        : /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)
          ? `${what[0]!.toUpperCase()}${what.slice(1)} contient des caractères de contrôle : retirez-les.`
          : undefined;
    // The text typed is given back with the message, never lost.
    return error ? { error, draft: raw.slice(0, max * 2) } : { text };
  }

  app.post('/:tenant/back-office/demandes/:id/notes', async (request: RecordReq, reply) =>
    recordAction(request, reply, async (req, id) => {
      const typed = typedText(request.body, 'note', 'la note', NOTE_MAX);
      if ('error' in typed) {
        await sendPage(reply, await showRecord(request, req, { errors: [{ field: 'note', message: typed.error }], noteDraft: typed.draft }), 400);
        return undefined;
      }
      if (!(await addNote(deps, recordsPrincipal(req.actor), journalActor(req.actor), id, typed.text))) throw new AppError('record-not-found');
      return 'fait=note';
    }),
  );

  app.post('/:tenant/back-office/demandes/:id/reponse', async (request: RecordReq, reply) =>
    recordAction(request, reply, async (req, id) => {
      const typed = typedText(request.body, 'reponse', 'la réponse', REPLY_MAX);
      if ('error' in typed) {
        await sendPage(reply, await showRecord(request, req, { errors: [{ field: 'reponse', message: typed.error }], replyDraft: typed.draft }), 400);
        return undefined;
      }
      const record = await readRecord(deps, recordsPrincipal(req.actor), journalActor(req.actor), id);
      if (!record) throw new AppError('record-not-found');
      const found = findForm(req.loaded.register, record.formId);
      const to = found ? recipientOf(found.form.fields, record.data) : undefined;
      if (!found || !to) {
        await sendPage(reply, await showRecord(request, req, { errors: [{ field: 'reponse', message: 'Cette demande ne donne pas d’adresse électronique : la réponse ne peut pas partir par courriel.' }], replyDraft: typed.text }), 400);
        return undefined;
      }
      const service = req.loaded.register.services.find((s) => s.id === found.processing.service)?.name ?? 'concerné';
      const facts = { to, recordId: id, formTitle: found.form.title, receivedAt: new Date(record.createdAt), text: typed.text, serviceName: service };
      if (!(await sendReply(deps, recordsPrincipal(req.actor), journalActor(req.actor), req.loaded, facts, requestBaseUrl(ctx, request)))) throw new AppError('record-not-found');
      ctx.mail.nudge();
      return 'fait=reponse';
    }),
  );

  app.get('/:tenant/back-office/demandes/:id/fichiers/:uploadId', async (request: FileReq, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    const { id, uploadId } = request.params;
    const file = isUuid(id) && isUuid(uploadId) ? await readUpload(deps, recordsPrincipal(req.actor), journalActor(req.actor), id.toLowerCase(), uploadId.toLowerCase()) : undefined;
    if (!file) throw new AppError('file-not-found');
    return reply.type(file.mediaType).header('content-disposition', attachment(file.filename)).header('x-content-type-options', 'nosniff').send(file.bytes);
  });
}
