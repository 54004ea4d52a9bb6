/** Reading rights requests: the queue's rows (nothing personal) and one request with its secrets opened. */
import type { Selectable } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tx } from '../db/principal.ts';
import type { RightsRequestsTable, RightsRequestState, RightsRequestType } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { keyOf } from '../records/record-reader.ts';
import { isOverdue } from './deadlines.ts';
import { openSecrets, type RequestSecrets } from './request-secrets.ts';
import type { Outcome } from './outcome.ts';

export type RequestRow = Selectable<RightsRequestsTable>;

export interface RequestSummary {
  id: string;
  type: RightsRequestType;
  state: RightsRequestState;
  receivedAt: Date;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  dueAt: Date | null;
  extendedAt: Date | null;
  fulfilledAt: Date | null;
  overdue: boolean;
  scopeProcessing: string | null;
  scopedToRequest: boolean;
  restrictionLiftedAt: Date | null;
  outcome: Outcome | null;
  lastError: string | null;
}

const date = (d: Date | string | null) => (d === null ? null : new Date(d));

export function toSummary(r: RequestRow, now: Date): RequestSummary {
  const dueAt = date(r.due_at);
  return {
    id: r.id,
    type: r.type,
    state: r.state,
    receivedAt: new Date(r.received_at),
    verifiedAt: date(r.verified_at),
    verifiedBy: r.verified_by,
    dueAt,
    extendedAt: date(r.extended_at),
    fulfilledAt: date(r.fulfilled_at),
    overdue: isOverdue({ state: r.state, dueAt }, now),
    scopeProcessing: r.scope_processing,
    scopedToRequest: r.scope_tracking_hash !== null || r.scope_record_id !== null,
    restrictionLiftedAt: date(r.restriction_lifted_at),
    outcome: outcomeOf(r),
    lastError: r.last_error,
  };
}

/** What a fulfilled request did (jsonb comes back parsed from PostgreSQL, as text from PGlite). */
export function outcomeOf(row: RequestRow): Outcome | null {
  return (typeof row.outcome === 'string' ? JSON.parse(row.outcome) : row.outcome) as Outcome | null;
}

/** The row, locked for the step about to change it; undefined for an unknown or malformed id. */
export async function lockRequest(trx: Tx, tenantId: string, id: string): Promise<RequestRow | undefined> {
  if (!isUuid(id)) return undefined;
  return trx.selectFrom('rights_requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id.toLowerCase()).forUpdate().executeTakeFirst();
}

export async function secretsOf(keys: TenantKeys, row: RequestRow): Promise<RequestSecrets> {
  return openSecrets(keyOf(await keys.all(row.tenant_id), row.tenant_id, row.key_version), row.tenant_id, row.id, row.sealed);
}

/** The queue: open ones first by due date (overdue at the top), then those awaiting verification, then the answered. */
export async function listRequests(trx: Tx, tenantId: string, limit: number): Promise<RequestRow[]> {
  return trx
    .selectFrom('rights_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy((eb) => eb.case().when('state', '=', 'open').then(0).when('state', '=', 'awaiting-verification').then(1).else(2).end())
    .orderBy('due_at', 'asc')
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countByState(trx: Tx, tenantId: string, now: Date): Promise<Record<RightsRequestState | 'overdue', number>> {
  const rows = await trx
    .selectFrom('rights_requests')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.countAll<string>().filterWhere('due_at', '<', now).as('late')])
    .where('tenant_id', '=', tenantId)
    .groupBy('state')
    .execute();
  const counts = { 'awaiting-verification': 0, open: 0, done: 0, overdue: 0 };
  for (const r of rows) {
    counts[r.state] = Number(r.n);
    if (r.state === 'open') counts.overdue = Number(r.late);
  }
  return counts;
}
