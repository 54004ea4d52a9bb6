/**
 * Using a confirmation link: it confirms a new account, or puts in force a
 * new address asked from the profile. The link alone is not enough: the
 * page asks the account's password, so that whoever signed up with someone
 * else's address cannot have it confirmed by its owner's click, and a mail
 * scanner opening the link confirms nothing.
 */
import { checkLink, consumeLink, linkProblem } from '../accounts/account-links.ts';
import { checkPassword } from '../accounts/password-lockout.ts';
import { frenchDateTime } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { accountExpiry } from './account-retention.ts';
import { findCitizen, sealContact, type CitizenDeps } from './citizen-accounts.ts';

export type ConfirmResult = { ok: true; citizenId: string; change: boolean } | { ok: false; field: 'link' | 'password'; problem: string };

export const lockedMessage = (until: Date) => `Trop d’essais infructueux : la connexion est bloquée jusqu’au ${frenchDateTime(until)}. Réessayez après cette heure.`;

export async function confirmWithLink(deps: CitizenDeps, loaded: LoadedRegister, token: string, password: string, now = new Date()): Promise<ConfirmResult> {
  const tenantId = loaded.tenantId;
  const link = await checkLink(deps.db, tenantId, 'confirmation', 'citizen', token, now);
  if (!link.ok) return { ok: false, field: 'link', problem: linkProblem(link.reason) };
  const account = await findCitizen(deps, tenantId, link.accountId);
  if (!account) return { ok: false, field: 'link', problem: linkProblem('unknown') };
  const verdict = await checkPassword(deps.db, 'citizens', { tenantId, ghostKey: '', account, password, now });
  if (verdict.kind === 'locked') return { ok: false, field: 'password', problem: lockedMessage(verdict.until) };
  if (verdict.kind === 'invalid') return { ok: false, field: 'password', problem: 'Mot de passe incorrect : saisissez celui choisi pour ce compte.' };
  const change = account.confirmedAt !== null;
  const pendingIndex = change ? await deps.db.selectFrom('citizens').select('pending_index').where('tenant_id', '=', tenantId).where('id', '=', account.id).executeTakeFirst() : undefined;
  if (change && (!account.pendingEmail || !pendingIndex?.pending_index)) return { ok: false, field: 'link', problem: linkProblem('used') };
  // Sealed before the transaction: on PGlite a key query inside it would wait for the only connection.
  const update = change
    ? { email_index: pendingIndex!.pending_index!, pending_index: null, ...(await sealContact(deps, tenantId, account.id, { email: account.pendingEmail! })) }
    : { confirmed_at: now, last_sign_in_at: now, expires_at: accountExpiry(loaded.register, now) };
  try {
    const used = await deps.db.transaction().execute(async (trx) => {
      const consumed = await consumeLink(trx, tenantId, 'confirmation', 'citizen', token, now);
      if (!consumed.ok) return consumed;
      await trx.updateTable('citizens').set({ ...update, failed_sign_ins: 0, locked_until: null }).where('tenant_id', '=', tenantId).where('id', '=', account.id).execute();
      return consumed;
    });
    if (!used.ok) return { ok: false, field: 'link', problem: linkProblem(used.reason) };
  } catch (e) {
    if ((e as { code?: string }).code === '23505') return { ok: false, field: 'link', problem: 'Cette adresse est déjà celle d’un autre compte : elle ne peut pas être utilisée pour celui-ci.' };
    throw e;
  }
  return { ok: true, citizenId: account.id, change };
}
