/**
 * Creating an account: e-mail and password (CNIL policy, argon2id), then a
 * single-use link to the address. The page answers the same whether the
 * address already has an account or not: an existing confirmed account gets
 * an e-mail saying so instead of a link, so nobody learns from the page who
 * has an account. A second sign-up of an address not confirmed yet replaces
 * the password and the link (the latest wins; confirming asks the password).
 */
import { issueLink } from '../accounts/account-links.ts';
import { queueAccountMail } from '../accounts/account-mail.ts';
import { hashPassword } from '../accounts/password-hash.ts';
import { passwordProblem } from '../accounts/password-policy.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { UNCONFIRMED_MS } from './account-retention.ts';
import { emailProblem, findCitizenByEmail, insertCitizen, type CitizenDeps } from './citizen-accounts.ts';
import { accountPath, alreadyRegisteredMail, confirmationMail } from './citizen-mail.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** The policy's phrase as a sentence of the page. */
export function passwordSentence(problem: string): string {
  const s = problem.replace(/^mot de passe trop/, 'le mot de passe est trop');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

export function newPasswordProblems(email: string, password: string, confirmation: string, field = 'password'): FieldProblem[] {
  const weak = password === '' ? 'Choisissez un mot de passe.' : passwordProblem(password, email);
  if (weak) return [{ field, message: password === '' ? weak : passwordSentence(weak) }];
  if (password !== confirmation) return [{ field: 'confirmation', message: 'Les deux mots de passe saisis sont différents : saisissez le même dans les deux champs.' }];
  return [];
}

export async function sendConfirmationLink(deps: CitizenDeps, loaded: LoadedRegister, accountId: string, to: string, baseUrl: string, change: boolean, now = new Date()): Promise<void> {
  const tenantId = loaded.tenantId;
  const link = await issueLink(deps.db, { tenantId, purpose: 'confirmation', accountKind: 'citizen', accountId, now });
  const url = `${baseUrl}${accountPath(tenantId)}/confirmation?jeton=${link.token}`;
  await queueAccountMail(deps.db, deps.keys, tenantId, confirmationMail({ to, tenantName: loaded.register.tenant.name, url, expiresAt: link.expiresAt, change }), link.expiresAt, now);
}

export async function signUp(deps: CitizenDeps, loaded: LoadedRegister, input: { email: string; password: string; confirmation: string }, baseUrl: string, now = new Date()): Promise<{ ok: true } | { ok: false; errors: FieldProblem[] }> {
  const tenantId = loaded.tenantId;
  const bad = emailProblem(input.email);
  // Every problem at once, each on its field: the person corrects the whole form in one go.
  const errors = [...(bad ? [{ field: 'email', message: bad }] : []), ...newPasswordProblems(input.email, input.password, input.confirmation)];
  if (errors.length > 0) return { ok: false, errors };
  const email = input.email.trim();
  const existing = await findCitizenByEmail(deps, tenantId, email);
  if (existing?.confirmedAt) {
    const base = `${baseUrl}${accountPath(tenantId)}`;
    const expires = new Date(now.getTime() + 24 * 60 * 60_000);
    await queueAccountMail(deps.db, deps.keys, tenantId, alreadyRegisteredMail({ to: email, tenantName: loaded.register.tenant.name, signInUrl: `${base}/connexion`, resetUrl: `${base}/mot-de-passe-oublie` }), expires, now);
    return { ok: true };
  }
  const hash = await hashPassword(input.password);
  let id = existing?.id;
  if (id) await deps.db.updateTable('citizens').set({ password_hash: hash, expires_at: new Date(now.getTime() + UNCONFIRMED_MS) }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  else {
    await insertCitizen(deps, { tenantId, email, passwordHash: hash, expiresAt: new Date(now.getTime() + UNCONFIRMED_MS), now });
    // Another sign-up of the same address at the same moment may have won the insert: use its row.
    id = (await findCitizenByEmail(deps, tenantId, email))?.id;
  }
  if (id) await sendConfirmationLink(deps, loaded, id, email, baseUrl, false, now);
  return { ok: true };
}
