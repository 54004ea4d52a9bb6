/** Routes of the signed-in account: Mes demandes, one request, the address, the deletion. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { AppContext } from '../server/app-context.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { sendPage } from '../web/reply.ts';
import { field } from '../web/urlencoded-body.ts';
import { deleteAccount, deletionPlan, heldRequests } from './account-deletion.ts';
import { currentPasswordProblem } from './citizen-passwords.ts';
import { clearCitizenCookie, citizenPage, type CitizenRequest } from './citizen-session.ts';
import { requestEmailChange } from './email-change.ts';
import { listMyRequests, readMyRequest } from './my-requests.ts';
import { requestPage, requestsPage } from './requests-pages.ts';
import { deletedPage, deletionPage, profilePage } from './settings-pages.ts';

type Req = FastifyRequest<{ Params: { tenant: string; id?: string }; Querystring: { fait?: string } }>;

const DONE: Record<string, string> = {
  confirme: 'Votre adresse est confirmée : votre compte est ouvert.',
  adresse: 'Votre nouvelle adresse est confirmée et en vigueur.',
  efface: 'La demande est effacée, avec ses pièces jointes.',
};

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, keys: ctx.keys };
  const citizen = (req: CitizenRequest) => req.principal as CitizenRequest['principal'] & { kind: 'citizen' };

  app.get('/:tenant/mon-compte', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    return sendPage(reply, requestsPage(req, await listMyRequests(deps, req.principal), DONE[request.query.fait ?? '']));
  });

  app.get('/:tenant/mon-compte/demandes/:id', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    // Another person's request does not exist here (row-level security): a 404, never a 403.
    const found = await readMyRequest(deps, citizen(req), request.params.id ?? '');
    if (!found) throw new AppError('record-not-found');
    return sendPage(reply, requestPage(req, found));
  });

  app.get('/:tenant/mon-compte/profil', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    return sendPage(reply, profilePage(req, {}));
  });

  app.post('/:tenant/mon-compte/profil', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    const email = field(request.body, 'email').slice(0, 320);
    const result = await requestEmailChange(deps, req.loaded, req.account, { email, current: field(request.body, 'current').slice(0, 1024) }, requestBaseUrl(ctx, request));
    if (!result.ok) return sendPage(reply, profilePage(req, { email, errors: result.errors }), 400);
    ctx.mail.nudge();
    const updated = { ...req, account: { ...req.account, pendingEmail: email.trim() } };
    return sendPage(reply, profilePage(updated, { notice: `Un lien de confirmation a été envoyé à ${email.trim()} : la nouvelle adresse sera en vigueur une fois confirmée.` }));
  });

  async function planFor(req: CitizenRequest) {
    const requests = await listMyRequests(deps, req.principal);
    return deletionPlan(req.loaded.register, requests, await heldRequests(ctx.database.db, req.tenantId, requests));
  }

  app.get('/:tenant/mon-compte/suppression', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    return sendPage(reply, deletionPage(req, await planFor(req)));
  });

  app.post('/:tenant/mon-compte/suppression', async (request: Req, reply) => {
    const req = await citizenPage(ctx, request, reply);
    if (!req) return reply;
    const plan = await planFor(req);
    const wrong = await currentPasswordProblem(ctx.database.db, req.account, field(request.body, 'current').slice(0, 1024));
    if (wrong) return sendPage(reply, deletionPage(req, plan, [wrong]), 400);
    const counts = await deleteAccount(deps, citizen(req), plan);
    clearCitizenCookie(ctx, reply, req.tenantId);
    return sendPage(reply, deletedPage(req.loaded, counts));
  });
}
