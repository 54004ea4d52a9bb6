/**
 * Who is behind a "mon compte" request: the session of the `bastide_citoyen`
 * cookie (server-side, sessions/session-store.ts, kind 'citizen'). The cookie
 * is scoped to the tenant's whole site, so that its form pages know the
 * citizen is signed in and link what they send to the account; HttpOnly,
 * SameSite=Lax, Secure behind https, no Max-Age (the server's deadlines
 * decide). Every POST of the account carries a CSRF token bound to it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../db/principal.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { createSession, endSession, resumeSession, type Session } from '../sessions/session-store.ts';
import { checkFormToken, issueFormToken } from '../web/csrf.ts';
import { requireTenant } from '../web/tenant.ts';
import { field } from '../web/urlencoded-body.ts';
import { accountProcessing } from './account-retention.ts';
import { findCitizen, type CitizenAccount } from './citizen-accounts.ts';
import { accountPath } from './citizen-mail.ts';

export const CITIZEN_COOKIE = 'bastide_citoyen';
const CSRF_SCOPE = 'mon-compte';

const cookieOptions = (tenantId: string, publicUrl: string | undefined) => ({
  path: `/${tenantId}`,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: Boolean(publicUrl?.startsWith('https://')),
});

export interface CitizenRequest {
  loaded: LoadedRegister;
  tenantId: string;
  account: CitizenAccount;
  session: Session;
  principal: Principal;
  csrf: string;
}

/** Its linked requests, and those bearing its confirmed address (never a pending one). */
export function citizenPrincipal(account: CitizenAccount): Principal {
  return { kind: 'citizen', tenantId: account.tenantId, citizenId: account.id, subjects: account.confirmedAt ? [account.emailIndex] : [] };
}

export const signInPath = (tenantId: string) => `${accountPath(tenantId)}/connexion`;

/** The tenant, if it offers accounts (its register declares them): else a 404. */
export async function accountTenant(ctx: AppContext, tenantId: string): Promise<LoadedRegister> {
  const loaded = await requireTenant(ctx.registers, tenantId);
  if (!accountProcessing(loaded.register)) throw new AppError('page-not-found');
  return loaded;
}

export async function startCitizenSession(ctx: AppContext, reply: FastifyReply, tenantId: string, citizenId: string, previous?: Session): Promise<string> {
  if (previous) await endSession(ctx.database.db, previous);
  const { id } = await createSession(ctx.database.db, { tenantId, accountKind: 'citizen', accountId: citizenId, stage: 'active' });
  reply.setCookie(CITIZEN_COOKIE, id, cookieOptions(tenantId, ctx.config.publicUrl));
  return id;
}

export function clearCitizenCookie(ctx: AppContext, reply: FastifyReply, tenantId: string): void {
  reply.clearCookie(CITIZEN_COOKIE, cookieOptions(tenantId, ctx.config.publicUrl));
}

/** The signed-in, confirmed citizen of the cookie, or undefined (used by the form pages too). */
export async function currentCitizen(ctx: AppContext, request: FastifyRequest, tenantId: string): Promise<{ id: string; session: Session; account: CitizenAccount } | undefined> {
  const id = request.cookies[CITIZEN_COOKIE];
  const session = await resumeSession(ctx.database.db, tenantId, 'citizen', id);
  if (!session || !id) return undefined;
  const account = await findCitizen({ db: ctx.database.db, keys: ctx.keys }, tenantId, session.accountId);
  if (!account?.confirmedAt) {
    await endSession(ctx.database.db, session);
    return undefined;
  }
  return { id, session, account };
}

export function citizenCsrf(ctx: AppContext, tenantId: string, sessionId: string): Promise<string> {
  return issueFormToken(ctx.keys, tenantId, sessionId, CSRF_SCOPE);
}

/** The signed-in citizen, or undefined after a redirect to the sign-in page; a POST without its token is refused (403). */
export async function citizenPage(ctx: AppContext, request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply): Promise<CitizenRequest | undefined> {
  const loaded = await accountTenant(ctx, request.params.tenant);
  const tenantId = loaded.tenantId;
  reply.header('cache-control', 'no-store');
  const found = await currentCitizen(ctx, request, tenantId);
  if (!found) {
    const query = new URLSearchParams();
    if (request.cookies[CITIZEN_COOKIE]) query.set('fin', 'expiree');
    const q = query.toString();
    await reply.redirect(`${signInPath(tenantId)}${q ? `?${q}` : ''}`, 303);
    return undefined;
  }
  if (request.method === 'POST') {
    const check = await checkFormToken(ctx.keys, tenantId, found.id, CSRF_SCOPE, field(request.body, 'csrf'));
    if (!check.ok) throw new AppError('csrf-refused');
  }
  return { loaded, tenantId, account: found.account, session: found.session, principal: citizenPrincipal(found.account), csrf: await citizenCsrf(ctx, tenantId, found.id) };
}
