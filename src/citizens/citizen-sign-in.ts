/**
 * Signing a citizen in: the agents' password check and lockout
 * (accounts/password-lockout.ts), no second factor. An account whose address
 * is not confirmed yet opens nothing: the right password sends a new link.
 */
import { checkPassword, clearFailures } from '../accounts/password-lockout.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { accountExpiry } from './account-retention.ts';
import { findCitizenByEmail, normaliseEmail, type CitizenDeps } from './citizen-accounts.ts';
import { sendConfirmationLink } from './sign-up.ts';

export type CitizenSignIn = { kind: 'ok'; citizenId: string } | { kind: 'unconfirmed' } | { kind: 'invalid' } | { kind: 'locked'; until: Date };

export async function signInCitizen(deps: CitizenDeps, loaded: LoadedRegister, email: string, password: string, baseUrl: string, now = new Date()): Promise<CitizenSignIn> {
  const tenantId = loaded.tenantId;
  const account = email.trim() ? await findCitizenByEmail(deps, tenantId, email) : undefined;
  const verdict = await checkPassword(deps.db, 'citizens', { tenantId, ghostKey: `${tenantId}\ncitizen\n${normaliseEmail(email)}`, account, password, now });
  if (verdict.kind !== 'ok' || !account) return verdict.kind === 'ok' ? { kind: 'invalid' } : verdict;
  if (!account.confirmedAt) {
    await sendConfirmationLink(deps, loaded, account.id, account.email, baseUrl, false, now);
    return { kind: 'unconfirmed' };
  }
  await clearFailures(deps.db, 'citizens', tenantId, account.id);
  // Each sign-in pushes back the account's end, as the register's retention says.
  await deps.db.updateTable('citizens').set({ last_sign_in_at: now, expires_at: accountExpiry(loaded.register, now) }).where('tenant_id', '=', tenantId).where('id', '=', account.id).execute();
  return { kind: 'ok', citizenId: account.id };
}
