/**
 * "Mot de passe oublié ?": a single-use link valid one hour, e-mailed to an
 * enabled account. The caller answers the same whatever happens here, so
 * nobody learns from the page whether an e-mail has an account.
 */
import type { Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { issueLink } from './account-links.ts';
import { queueAccountMail, resetMail } from './account-mail.ts';

export const MAX_RESETS_PER_HOUR = 3;

export const resetPagePath = (tenantId: string) => `/${tenantId}/back-office/mot-de-passe`;

/** Requests of one account run one after the other here, so that the hourly count below cannot be passed by a burst. */
const queues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => queues.get(key) === settled && queues.delete(key));
  return run;
}

/**
 * True when a message was queued (for the caller to nudge the outbox; never shown).
 * The hourly cap holds within one instance; several instances may each send one more in a burst.
 */
export async function requestPasswordReset(db: Kysely<Tables>, keys: TenantKeys, loaded: LoadedRegister, email: string, baseUrl: string): Promise<boolean> {
  const account = await db
    .selectFrom('agents')
    .select(['id', 'email'])
    .where('tenant_id', '=', loaded.tenantId)
    .where('email', '=', email.trim().toLowerCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!account) return false;
  return oneAtATime(`${loaded.tenantId}\n${account.id}`, async () => {
    // A few an hour at most: nobody can flood a colleague's mailbox from the public page.
    const recent = await db
      .selectFrom('account_links')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', loaded.tenantId)
      .where('account_kind', '=', 'agent')
      .where('account_id', '=', account.id)
      .where('purpose', '=', 'reset')
      .where('created_at', '>', new Date(Date.now() - 60 * 60_000))
      .executeTakeFirst();
    if (Number(recent?.n ?? 0) >= MAX_RESETS_PER_HOUR) return false;
    const link = await issueLink(db, { tenantId: loaded.tenantId, purpose: 'reset', accountKind: 'agent', accountId: account.id });
    const url = `${baseUrl}${resetPagePath(loaded.tenantId)}?jeton=${link.token}`;
    await queueAccountMail(db, keys, loaded.tenantId, resetMail({ to: account.email, tenantName: loaded.register.tenant.name, url, expiresAt: link.expiresAt }), link.expiresAt);
    return true;
  });
}
