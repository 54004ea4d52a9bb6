/**
 * A citizen's password: changed from the account (the current one asked
 * first), or reset from an e-mailed link valid one hour. Either way every
 * session of the account ends; after a change, the caller opens a new one.
 */
import type { Kysely } from 'kysely';
import { checkLink, consumeLink, linkProblem } from '../accounts/account-links.ts';
import { queueAccountMail } from '../accounts/account-mail.ts';
import { hashPassword } from '../accounts/password-hash.ts';
import { checkPassword } from '../accounts/password-lockout.ts';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { endAccountSessions } from '../sessions/session-store.ts';
import { issueLink } from '../accounts/account-links.ts';
import { accountExpiry } from './account-retention.ts';
import { findCitizen, findCitizenByEmail, type CitizenAccount, type CitizenDeps } from './citizen-accounts.ts';
import { accountPath, citizenResetMail } from './citizen-mail.ts';
import { lockedMessage } from './confirm-email.ts';
import { newPasswordProblems, type FieldProblem } from './sign-up.ts';

export const MAX_RESETS_PER_HOUR = 3;

export type PasswordResult = { ok: true } | { ok: false; errors: FieldProblem[] };

/** The current password, checked with the sign-in's lockout (a stolen session cannot guess it). */
export async function currentPasswordProblem(db: Kysely<Tables>, account: CitizenAccount, password: string, field = 'current'): Promise<FieldProblem | undefined> {
  const verdict = await checkPassword(db, 'citizens', { tenantId: account.tenantId, ghostKey: '', account, password, now: new Date() });
  if (verdict.kind === 'locked') return { field, message: lockedMessage(verdict.until) };
  if (verdict.kind === 'invalid') return { field, message: 'Mot de passe actuel incorrect.' };
  return undefined;
}

export async function changePassword(deps: CitizenDeps, account: CitizenAccount, input: { current: string; password: string; confirmation: string }): Promise<PasswordResult> {
  const wrong = await currentPasswordProblem(deps.db, account, input.current);
  if (wrong) return { ok: false, errors: [wrong] };
  const errors = newPasswordProblems(account.email, input.password, input.confirmation);
  if (errors.length > 0) return { ok: false, errors };
  await deps.db.updateTable('citizens').set({ password_hash: await hashPassword(input.password), failed_sign_ins: 0, locked_until: null }).where('tenant_id', '=', account.tenantId).where('id', '=', account.id).execute();
  await endAccountSessions(deps.db, account.tenantId, 'citizen', account.id);
  return { ok: true };
}

/** Queues a link for an existing account, a few an hour at most; the page answers the same whatever happens. */
export async function requestCitizenReset(deps: CitizenDeps, loaded: LoadedRegister, email: string, baseUrl: string, now = new Date()): Promise<boolean> {
  const tenantId = loaded.tenantId;
  const account = email.trim() ? await findCitizenByEmail(deps, tenantId, email) : undefined;
  if (!account) return false;
  const recent = await deps.db
    .selectFrom('account_links')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('account_kind', '=', 'citizen')
    .where('account_id', '=', account.id)
    .where('purpose', '=', 'reset')
    .where('created_at', '>', new Date(now.getTime() - 60 * 60_000))
    .executeTakeFirst();
  if (Number(recent?.n ?? 0) >= MAX_RESETS_PER_HOUR) return false;
  const link = await issueLink(deps.db, { tenantId, purpose: 'reset', accountKind: 'citizen', accountId: account.id, now });
  const url = `${baseUrl}${accountPath(tenantId)}/nouveau-mot-de-passe?jeton=${link.token}`;
  await queueAccountMail(deps.db, deps.keys, tenantId, citizenResetMail({ to: account.email, tenantName: loaded.register.tenant.name, url, expiresAt: link.expiresAt }), link.expiresAt, now);
  return true;
}

export async function resetLinkProblem(deps: CitizenDeps, tenantId: string, token: string): Promise<string | undefined> {
  const link = await checkLink(deps.db, tenantId, 'reset', 'citizen', token);
  return link.ok ? undefined : linkProblem(link.reason);
}

/** A proven owner of the mailbox: the password is set, the address counts as confirmed, the lock is lifted. */
export async function resetWithLink(deps: CitizenDeps, loaded: LoadedRegister, input: { token: string; password: string; confirmation: string }, now = new Date()): Promise<PasswordResult> {
  const tenantId = loaded.tenantId;
  const link = await checkLink(deps.db, tenantId, 'reset', 'citizen', input.token, now);
  const account = link.ok ? await findCitizen(deps, tenantId, link.accountId) : undefined;
  if (!link.ok || !account) return { ok: false, errors: [{ field: 'link', message: linkProblem(link.ok ? 'unknown' : link.reason) }] };
  const errors = newPasswordProblems(account.email, input.password, input.confirmation);
  if (errors.length > 0) return { ok: false, errors };
  const hash = await hashPassword(input.password);
  const used = await deps.db.transaction().execute(async (trx) => {
    const consumed = await consumeLink(trx, tenantId, 'reset', 'citizen', input.token, now);
    if (!consumed.ok) return consumed;
    await trx
      .updateTable('citizens')
      .set({ password_hash: hash, failed_sign_ins: 0, locked_until: null, confirmed_at: account.confirmedAt ?? now, ...(account.confirmedAt ? {} : { expires_at: accountExpiry(loaded.register, now) }) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', account.id)
      .execute();
    return consumed;
  });
  if (!used.ok) return { ok: false, errors: [{ field: 'link', message: linkProblem(used.reason) }] };
  await endAccountSessions(deps.db, tenantId, 'citizen', account.id, now);
  return { ok: true };
}
