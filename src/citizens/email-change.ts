/**
 * Changing the account's address: the new one is kept aside (sealed, with
 * its blind index) until the link sent to it is used; until then the
 * confirmed address stays in force, and with it the requests it finds.
 */
import type { LoadedRegister } from '../register/register-repository.ts';
import { emailIndex, emailProblem, normaliseEmail, sealContact, type CitizenAccount, type CitizenDeps } from './citizen-accounts.ts';
import { currentPasswordProblem } from './citizen-passwords.ts';
import { sendConfirmationLink, type FieldProblem } from './sign-up.ts';

export async function requestEmailChange(deps: CitizenDeps, loaded: LoadedRegister, account: CitizenAccount, input: { email: string; current: string }, baseUrl: string): Promise<{ ok: true } | { ok: false; errors: FieldProblem[] }> {
  const bad = emailProblem(input.email);
  if (bad) return { ok: false, errors: [{ field: 'email', message: bad }] };
  if (normaliseEmail(input.email) === normaliseEmail(account.email)) return { ok: false, errors: [{ field: 'email', message: 'C’est déjà l’adresse de votre compte : saisissez la nouvelle adresse.' }] };
  const wrong = await currentPasswordProblem(deps.db, account, input.current);
  if (wrong) return { ok: false, errors: [wrong] };
  const email = input.email.trim();
  await deps.db
    .updateTable('citizens')
    .set({ pending_index: await emailIndex(deps.keys, loaded.tenantId, email), ...(await sealContact(deps, loaded.tenantId, account.id, { email: account.email, pendingEmail: email })) })
    .where('tenant_id', '=', loaded.tenantId)
    .where('id', '=', account.id)
    .execute();
  await sendConfirmationLink(deps, loaded, account.id, email, baseUrl, true);
  return { ok: true };
}
