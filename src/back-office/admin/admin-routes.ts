/**
 * Administration, for the admin role only: the tenant's accounts, inviting
 * one, changing its name, role and services, disabling and re-enabling it,
 * the register's versions. Every action is a POST with the session's CSRF
 * token, then a redirect (303) to a page saying what was done. None of it
 * reads a record: an administrator sees the requests of the services they
 * are an agent of, like anyone else.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setAgentDisabled, updateAgent, type AdminResult } from '../../accounts/agent-admin.ts';
import { listAgents, type ListedAgent } from '../../accounts/agent-directory.ts';
import { inviteAgent, resendInvitation } from '../../accounts/invite-agent.ts';
import { isUuid } from '../../db/uuid.ts';
import { AppError } from '../../errors/app-error.ts';
import { listVersions } from '../../register/register-repository.ts';
import type { AppContext } from '../../server/app-context.ts';
import { requestBaseUrl } from '../../web/public-url.ts';
import { sendPage } from '../../web/reply.ts';
import { field, fields } from '../../web/urlencoded-body.ts';
import type { AgentRequest } from '../agent-session.ts';
import { adminBase, agentEditPage, agentsPage, invitePage, registerPage } from './admin-pages.ts';
import type { AgentFormValues } from './agent-form.ts';
import { rolePage } from './role-page.ts';

type TenantReq = FastifyRequest<{ Params: { tenant: string }; Querystring: { fait?: string } }>;
type AgentReq = FastifyRequest<{ Params: { tenant: string; id: string }; Querystring: { fait?: string } }>;

const NOTICES: Record<string, string> = {
  invite: 'L’invitation est envoyée : la personne a trois jours pour choisir son mot de passe.',
  modifie: 'Les modifications sont enregistrées.',
  desactive: 'Le compte est désactivé : ses sessions sont fermées et ses jetons révoqués.',
  reactive: 'Le compte est réactivé.',
  renvoye: 'Une nouvelle invitation est envoyée ; le lien précédent ne fonctionne plus.',
};

function formValues(body: unknown): AgentFormValues {
  return { email: field(body, 'email').slice(0, 320), name: field(body, 'name').slice(0, 400), role: field(body, 'role').slice(0, 20), services: fields(body, 'services').slice(0, 200).map((s) => s.slice(0, 100)) };
}

export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;
  const admin = (request: TenantReq | AgentReq, reply: FastifyReply) => rolePage(ctx, request, reply, 'admin');

  async function account(req: AgentRequest, id: string): Promise<ListedAgent> {
    const found = isUuid(id) ? (await listAgents(db, req.tenantId, id.toLowerCase()))[0] : undefined;
    if (!found) throw new AppError('page-not-found', 'Ce compte n’existe pas dans votre collectivité.');
    return found;
  }

  const current = (a: ListedAgent): AgentFormValues => ({ email: a.email, name: a.name ?? '', role: a.role, services: a.services });

  app.get('/:tenant/back-office/administration', async (request: TenantReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    return sendPage(reply, agentsPage(req, await listAgents(db, req.tenantId), NOTICES[request.query.fait ?? '']));
  });

  app.get('/:tenant/back-office/administration/inviter', async (request: TenantReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    return sendPage(reply, invitePage(req, { email: '', name: '', role: 'agent', services: [] }, []));
  });

  app.post('/:tenant/back-office/administration/inviter', async (request: TenantReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const values = formValues(request.body);
    const result = await inviteAgent(db, ctx.keys, req.loaded, values, requestBaseUrl(ctx, request));
    if (!result.ok) return sendPage(reply, invitePage(req, values, result.errors), 400);
    ctx.mail.nudge();
    return reply.redirect(`${adminBase(req.tenantId)}?fait=invite`, 303);
  });

  app.get('/:tenant/back-office/administration/comptes/:id', async (request: AgentReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const a = await account(req, request.params.id);
    return sendPage(reply, agentEditPage(req, a, current(a), [], NOTICES[request.query.fait ?? '']));
  });

  /** After a change: back to the account (or the list), or the account page again with what was refused. */
  async function answer(reply: FastifyReply, req: AgentRequest, a: ListedAgent, result: AdminResult, done: string, values = current(a)) {
    if ('notFound' in result) throw new AppError('page-not-found', 'Ce compte n’existe pas dans votre collectivité.');
    if (!result.ok) return sendPage(reply, agentEditPage(req, a, values, result.errors), 400);
    return reply.redirect(`${adminBase(req.tenantId)}/comptes/${a.id}?fait=${done}`, 303);
  }

  app.post('/:tenant/back-office/administration/comptes/:id', async (request: AgentReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const a = await account(req, request.params.id);
    const values = { ...formValues(request.body), email: a.email };
    const result = await updateAgent(db, req.loaded, a.id, values);
    // An admin who just gave up the role has no administration page to come back to.
    if (result.ok && a.id === req.actor.agentId && values.role !== a.role) return reply.redirect(`/${req.tenantId}/back-office/connexion`, 303);
    return answer(reply, req, a, result, 'modifie', values);
  });

  app.post('/:tenant/back-office/administration/comptes/:id/desactivation', async (request: AgentReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const a = await account(req, request.params.id);
    const result = await setAgentDisabled(db, req.tenantId, a.id, true);
    if (result.ok && a.id === req.actor.agentId) return reply.redirect(`/${req.tenantId}/back-office/connexion`, 303);
    return answer(reply, req, a, result, 'desactive');
  });

  app.post('/:tenant/back-office/administration/comptes/:id/reactivation', async (request: AgentReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const a = await account(req, request.params.id);
    return answer(reply, req, a, await setAgentDisabled(db, req.tenantId, a.id, false), 'reactive');
  });

  app.post('/:tenant/back-office/administration/comptes/:id/invitation', async (request: AgentReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    const a = await account(req, request.params.id);
    // Refused when the password was chosen meanwhile: the account page then shows it as active.
    const sent = await resendInvitation(db, ctx.keys, req.loaded, a.id, requestBaseUrl(ctx, request));
    if (sent) ctx.mail.nudge();
    return reply.redirect(`${adminBase(req.tenantId)}/comptes/${a.id}${sent ? '?fait=renvoye' : ''}`, 303);
  });

  app.get('/:tenant/back-office/administration/registre', async (request: TenantReq, reply) => {
    const req = await admin(request, reply);
    if (!req) return reply;
    return sendPage(reply, registerPage(req, await listVersions(db, req.tenantId)));
  });
}
