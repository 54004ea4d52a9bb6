/** « Mes demandes » self-service (self-service.ts): the download of everything, and the erasure of one request. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountPage } from '../citizens/account-layout.ts';
import { citizenPage, type CitizenRequest } from '../citizens/citizen-session.ts';
import { AppError } from '../errors/app-error.ts';
import { frenchDate } from '../notice/french-date.ts';
import type { AppContext } from '../server/app-context.ts';
import { html } from '../web/html.ts';
import { sendPage } from '../web/reply.ts';
import { askErasureFromAccount, myDataExport } from './self-service.ts';

type Req = FastifyRequest<{ Params: { tenant: string; id?: string } }>;

export function selfServiceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };
  const citizen = (req: CitizenRequest) => req.principal as CitizenRequest['principal'] & { kind: 'citizen' };

  app.get('/:tenant/mon-compte/mes-donnees.json', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    const data = await myDataExport(deps, req.loaded, citizen(req), req.account);
    return reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="mes-donnees-${req.tenantId}.json"`)
      .send(JSON.stringify(data, null, 2));
  });

  app.post('/:tenant/mon-compte/demandes/:id/effacement', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    const done = await askErasureFromAccount(deps, req.loaded, citizen(req), req.account, request.params.id ?? '');
    if (done.kind === 'not-found') throw new AppError('record-not-found');
    if (done.kind === 'erased') return reply.redirect(`/${req.tenantId}/mon-compte?fait=efface`, 303);
    ctx.mail.nudge();
    return sendPage(
      reply,
      accountPage(
        req,
        { title: 'Demande d’effacement transmise' },
        html`<h1>Demande d’effacement transmise</h1>
<p class="status-message" role="status">Cette demande ne peut pas être effacée tout de suite. Votre demande d’effacement (référence ${done.requestId}) est transmise au délégué à la protection des données, qui vous répondra au plus tard le ${frenchDate(done.dueAt)}.</p>
${done.reason ? html`<p>Raison : ${done.reason}</p>` : ''}
<p><a href="/${req.tenantId}/mon-compte">Retour à mes demandes</a></p>`,
      ),
    );
  });
}
