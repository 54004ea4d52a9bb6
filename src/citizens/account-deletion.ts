/**
 * Deleting a citizen account. The account, its sessions and links go. Its
 * requests are sorted by what the register says of their processing:
 * where the right to erasure applies (consent, contract, legitimate
 * interest) they are erased with the account; where the authority must keep
 * them (a legal obligation, a public task: GDPR art. 17(3)(b)), or a legal
 * hold freezes them, they stay until their retention date and only their
 * link to the account goes. The page shows the same plan before anything is
 * done.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { applyPrincipal, withPrincipal, type Principal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { Register } from '../register/schema.ts';
import { erasureException } from '../rights/erasure-exceptions.ts';
import type { CitizenDeps } from './citizen-accounts.ts';
import type { MyRequest } from './my-requests.ts';

export interface DeletionItem {
  request: MyRequest;
  keep: boolean;
  /** Why it is kept, in French, from the register (empty when erased). */
  reason: string;
}

/** The citizen's requests under a legal hold set by the DPO (ids only: the reason is not the citizen's to read here). */
export async function heldRequests(db: Kysely<Tables>, tenantId: string, requests: readonly MyRequest[]): Promise<ReadonlySet<string>> {
  if (requests.length === 0) return new Set();
  const rows = await withPrincipal(db, { kind: 'system', tenantId }, (trx) =>
    trx.selectFrom('record_holds').select('record_id').where('tenant_id', '=', tenantId).where('record_id', 'in', requests.map((r) => r.id)).execute(),
  );
  return new Set(rows.map((r) => r.record_id));
}

export function deletionPlan(register: Register, requests: readonly MyRequest[], held: ReadonlySet<string>): DeletionItem[] {
  return requests.map((request) => {
    const reason = erasureException(register, request, held.has(request.id));
    return { request, keep: reason !== undefined, reason: reason ?? '' };
  });
}

/** Erases what the plan erases (under the citizen's principal: its own requests only, nothing frozen), then the account, in one transaction. */
export async function deleteAccount(deps: CitizenDeps, principal: Principal & { kind: 'citizen' }, plan: readonly DeletionItem[]): Promise<{ erased: number; kept: number }> {
  const tenantId = principal.tenantId;
  const erase = plan.filter((i) => !i.keep).map((i) => i.request.id);
  return deps.db.transaction().execute(async (trx) => {
    let erased = 0;
    if (erase.length > 0) {
      await applyPrincipal(trx, principal);
      const result = await trx.deleteFrom('records').where('tenant_id', '=', tenantId).where('id', 'in', erase).executeTakeFirst();
      erased = Number(result.numDeletedRows);
      // Accounts, sessions and links are the owner's tables, like the agents'.
      await sql`SET LOCAL ROLE NONE`.execute(trx);
    }
    await trx.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('account_kind', '=', 'citizen').where('account_id', '=', principal.citizenId).execute();
    await trx.deleteFrom('account_links').where('tenant_id', '=', tenantId).where('account_kind', '=', 'citizen').where('account_id', '=', principal.citizenId).execute();
    // The links to kept requests go with the account (ON DELETE CASCADE).
    await trx.deleteFrom('citizens').where('tenant_id', '=', tenantId).where('id', '=', principal.citizenId).execute();
    return { erased, kept: plan.length - erased };
  });
}
