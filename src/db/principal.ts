/**
 * Who a transaction acts for. Every query on records runs inside
 * `withPrincipal`, which switches to a non-owner role and sets the tenant
 * (and services, tracking code…) for that transaction only, so PostgreSQL's
 * row-level security decides what exists, whatever the route code asks.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Tables } from './tables.ts';

export type Principal =
  | { kind: 'public'; tenantId: string; trackingHash?: string; draftHash?: string }
  | { kind: 'agent'; tenantId: string; agentId: string; services: readonly string[] }
  | { kind: 'dpo'; tenantId: string; agentId: string }
  | { kind: 'system'; tenantId: string }
  /** The outbox worker: every tenant's sealed messages, and no other table. */
  | { kind: 'mailer'; tenantId: '' }
  /** A signed-in citizen: its linked requests and those bearing its confirmed e-mail's blind indexes. */
  | { kind: 'citizen'; tenantId: string; citizenId: string; subjects: readonly string[] }
  /** Fulfilling a rights request: one person's records (their blind indexes), archives included, and nobody else's. */
  | { kind: 'rights'; tenantId: string; subjects: readonly string[] };

const ROLE: Record<Principal['kind'], string> = {
  public: 'bastide_public',
  agent: 'bastide_agent',
  dpo: 'bastide_dpo',
  system: 'bastide_system',
  mailer: 'bastide_mailer',
  citizen: 'bastide_citizen',
  rights: 'bastide_rights',
};

export type Tx = Transaction<Tables>;

export async function withPrincipal<T>(db: Kysely<Tables>, principal: Principal, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await applyPrincipal(trx, principal);
    return fn(trx);
  });
}

/** Sets role and settings for the current transaction (`is_local`: they end with it). */
export async function applyPrincipal(trx: Tx, principal: Principal): Promise<void> {
  const services = principal.kind === 'agent' ? principal.services.join(',') : '';
  const agent = principal.kind === 'agent' || principal.kind === 'dpo' ? principal.agentId : '';
  const tracking = principal.kind === 'public' ? (principal.trackingHash ?? '') : '';
  const draft = principal.kind === 'public' ? (principal.draftHash ?? '') : '';
  const citizen = principal.kind === 'citizen' ? principal.citizenId : '';
  const subjects = principal.kind === 'citizen' || principal.kind === 'rights' ? principal.subjects.join(',') : '';
  await sql`select set_config('role', ${ROLE[principal.kind]}, true),
      set_config('app.tenant', ${principal.tenantId}, true),
      set_config('app.services', ${services}, true),
      set_config('app.agent', ${agent}, true),
      set_config('app.tracking', ${tracking}, true),
      set_config('app.draft', ${draft}, true),
      set_config('app.citizen', ${citizen}, true),
      set_config('app.subjects', ${subjects}, true)`.execute(trx);
}
