/**
 * Setting a back-office password from an e-mailed link (an invitation or a
 * reset). The link is used and the password stored in one transaction, so a
 * link clicked twice sets a password once. Then every session of the
 * account ends: whoever held one must sign in with the new password, and
 * the second factor, if the account has one, is still asked.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { endAccountSessions } from '../sessions/session-store.ts';
import { checkLink, consumeLink, linkProblem, type LinkPurpose } from './account-links.ts';
import { hashPassword } from './password-hash.ts';
import { passwordProblem } from './password-policy.ts';

export type PasswordLinkPurpose = Extract<LinkPurpose, 'invitation' | 'reset'>;

export type LinkTarget = { ok: true; agentId: string; email: string } | { ok: false; problem: string };

/** The enabled account a link opens, to show its form; a disabled account's links open nothing. */
export async function passwordLinkTarget(db: Kysely<Tables>, tenantId: string, purpose: PasswordLinkPurpose, token: string, now = new Date()): Promise<LinkTarget> {
  const link = await checkLink(db, tenantId, purpose, 'agent', token, now);
  if (!link.ok) return { ok: false, problem: linkProblem(link.reason) };
  const account = await db.selectFrom('agents').select(['email', 'disabled_at']).where('tenant_id', '=', tenantId).where('id', '=', link.accountId).executeTakeFirst();
  if (!account || account.disabled_at !== null) return { ok: false, problem: linkProblem('unknown') };
  return { ok: true, agentId: link.accountId, email: account.email };
}

/** The policy's phrase as a sentence of the page: "Le mot de passe est trop faible : …." */
function sentence(problem: string): string {
  const s = problem.replace(/^mot de passe trop/, 'le mot de passe est trop');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

export type SetPasswordResult = { ok: true; email: string } | { ok: false; field: 'password' | 'confirmation'; problem: string } | { ok: false; field: 'link'; problem: string };

export async function setPasswordWithLink(
  db: Kysely<Tables>,
  input: { tenantId: string; purpose: PasswordLinkPurpose; token: string; password: string; confirmation: string; now?: Date },
): Promise<SetPasswordResult> {
  const now = input.now ?? new Date();
  const target = await passwordLinkTarget(db, input.tenantId, input.purpose, input.token, now);
  if (!target.ok) return { ok: false, field: 'link', problem: target.problem };
  const weak = passwordProblem(input.password, target.email);
  if (weak) return { ok: false, field: 'password', problem: sentence(weak) };
  if (input.password !== input.confirmation) return { ok: false, field: 'confirmation', problem: 'Les deux mots de passe saisis sont différents : saisissez le même dans les deux champs.' };
  const hash = await hashPassword(input.password);
  const used = await db.transaction().execute(async (trx) => {
    const link = await consumeLink(trx, input.tenantId, input.purpose, 'agent', input.token, now);
    if (!link.ok) return link;
    // A proven owner of the mailbox: earlier failures no longer lock the account.
    await trx.updateTable('agents').set({ password_hash: hash, failed_sign_ins: 0, locked_until: null }).where('tenant_id', '=', input.tenantId).where('id', '=', link.accountId).where('disabled_at', 'is', null).execute();
    return link;
  });
  if (!used.ok) return { ok: false, field: 'link', problem: linkProblem(used.reason) };
  await endAccountSessions(db, input.tenantId, 'agent', used.accountId, now);
  return { ok: true, email: target.email };
}
