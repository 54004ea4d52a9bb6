/**
 * A request as its tracking code shows it: which form, its status and two
 * dates, nothing the citizen typed. Looked up as the public principal with
 * the code's hash, so row-level security returns that one record or none,
 * and the public role cannot read any data column anyway.
 */
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { RecordStatus, Tables } from '../db/tables.ts';
import { trackingHash } from './tracking-code.ts';

export interface TrackedRequest {
  formId: string;
  status: RecordStatus;
  submittedAt: Date;
  updatedAt: Date;
}

export const STATUS_LABELS: Record<RecordStatus, string> = {
  received: 'Reçue',
  'in-progress': 'En cours de traitement',
  done: 'Traitée',
  rejected: 'Refusée',
};

/** `code` must already be normalised (normaliseTrackingCode). */
export async function findTrackedRequest(db: Kysely<Tables>, tenantId: string, code: string): Promise<TrackedRequest | undefined> {
  const hash = trackingHash(tenantId, code);
  const row = await withPrincipal(db, { kind: 'public', tenantId, trackingHash: hash }, (trx) =>
    trx.selectFrom('records').select(['form_id', 'status', 'created_at', 'updated_at']).where('tracking_hash', '=', hash).executeTakeFirst(),
  );
  return row ? { formId: row.form_id, status: row.status, submittedAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) } : undefined;
}
