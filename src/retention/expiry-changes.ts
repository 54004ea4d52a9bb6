/**
 * When a new register version changes a processing's retention (duration,
 * start, conditional rules), its records' expiry dates are recomputed with
 * the same code as at submission (computeExpiry), in batches of one
 * set-based UPDATE each. Before the version is loaded, the same computation
 * without writing says how many dates move earlier or later, and how many
 * records would be due at once: `register load` asks for
 * --confirm-retention before that happens.
 *
 * `tenants.expiries_version` says which version the dates follow. It moves
 * to the new version only once every batch is written, so an interrupted
 * recomputation is finished by the next `register load` or retention run.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { recordValues } from '../records/record-reader.ts';
import { loadVersion } from '../register/register-repository.ts';
import type { Processing, Register } from '../register/schema.ts';
import { computeExpiry, retentionAction, type ExpiryInput } from './expiry.ts';
import { finalDeletion } from './archive.ts';

export interface ExpiryMove {
  processingId: string;
  records: number;
  earlier: number;
  later: number;
  unchanged: number;
  /** Not due before the change, due at `now` after it. */
  dueAtOnce: number;
}

/** Opens sealed parts when a rule reads them; asked only when a changed processing has sealed records. */
export type KeysSource = () => TenantKeys;

const BATCH = 1000;
const ruleOf = (p: Processing) => JSON.stringify([p.retention.duration, p.retention.from, p.retention.then, p.retention.rules, p.retention.archiveFor ?? null]);

/** A record's date and action; an archived one's is its final deletion, the archive's duration after the end of its active retention. */
function expiryOf(p: Processing, input: ExpiryInput, archived: boolean): { at: Date | null; action: 'delete' | 'anonymise' | 'archive' } {
  const at = computeExpiry(p, input);
  if (!archived) return { at, action: retentionAction(p, input.values) };
  // A register that stops archiving ends the archives it kept (the preview counts them as due at once).
  return { at: at ? finalDeletion(p, at) : null, action: 'delete' };
}

/** Processings of `after` whose retention rule differs from `before`'s (all of them when there is no before). */
export function changedRetentions(before: Register | undefined, after: Register): Processing[] {
  const old = new Map((before?.processings ?? []).map((p) => [p.id, ruleOf(p)]));
  return after.processings.filter((p) => old.get(p.id) !== ruleOf(p));
}

/** Recomputes (and with `write`, stores) the expiry of every record of the given processings. */
export async function moveExpiries(db: Kysely<Tables>, keys: KeysSource, tenantId: string, processings: readonly Processing[], now: Date, write: boolean): Promise<ExpiryMove[]> {
  const system = { kind: 'system' as const, tenantId };
  const moves: ExpiryMove[] = [];
  let tenantKeys: Awaited<ReturnType<TenantKeys['all']>> | undefined;
  for (const p of processings) {
    const move: ExpiryMove = { processingId: p.id, records: 0, earlier: 0, later: 0, unchanged: 0, dueAtOnce: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const done = await withPrincipal(db, system, async (trx) => {
        const rows = await trx
          .selectFrom('records')
          .select(['id', 'data', 'sealed', 'key_version', 'created_at', 'closed_at', 'expires_at', 'expiry_action', 'archived_at'])
          .where('tenant_id', '=', tenantId)
          .where('processing_id', '=', p.id)
          // An anonymised record has no date any more, whatever the rule becomes.
          .where('anonymised_at', 'is', null)
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        const ids: string[] = [];
        const dates: Array<string | null> = [];
        const actions: string[] = [];
        for (const r of rows) {
          // Keys are asked for only when a record has a sealed part.
          if (r.sealed) tenantKeys ??= await keys().all(tenantId);
          const values = recordValues(tenantKeys ?? [], tenantId, r);
          const next = expiryOf(p, { createdAt: new Date(r.created_at), closedAt: r.closed_at ? new Date(r.closed_at) : null, values }, r.archived_at !== null);
          const was = r.expires_at ? new Date(r.expires_at) : null;
          move.records++;
          const a = was?.getTime() ?? Infinity;
          const b = next.at?.getTime() ?? Infinity;
          if (a === b) move.unchanged++;
          else {
            if (b < a) move.earlier++;
            else move.later++;
            if (b <= now.getTime() && a > now.getTime()) move.dueAtOnce++;
          }
          if (a !== b || r.expiry_action !== next.action) {
            ids.push(r.id);
            dates.push(next.at ? next.at.toISOString() : null);
            actions.push(next.action);
          }
        }
        if (write && ids.length > 0)
          // A new date is announced in turn (deletion-notice.ts).
          await sql`update records r set expires_at = v.e, expiry_action = v.a,
              deletion_notice_at = case when r.expires_at is not distinct from v.e then r.deletion_notice_at end from unnest(${ids}::uuid[], ${dates}::timestamptz[], ${actions}::text[]) as v(id, e, a)
            where r.tenant_id = ${tenantId} and r.id = v.id`.execute(trx);
        if (rows.length > 0) after = rows[rows.length - 1]!.id;
        return rows.length < BATCH;
      });
      if (done) break;
    }
    moves.push(move);
  }
  return moves;
}

/** Brings the tenant's expiry dates to its current register version; the moves made (none when already there). */
export async function syncExpiries(db: Kysely<Tables>, keys: KeysSource, tenantId: string, now = new Date()): Promise<ExpiryMove[]> {
  const tenant = await db.selectFrom('tenants').select(['current_version', 'expiries_version']).where('id', '=', tenantId).executeTakeFirst();
  if (!tenant || tenant.current_version === null || tenant.expiries_version === tenant.current_version) return [];
  const target = tenant.current_version;
  const after = await loadVersion(db, tenantId, target);
  const before = tenant.expiries_version === null ? undefined : await loadVersion(db, tenantId, tenant.expiries_version);
  if (!after) return [];
  const moves = await moveExpiries(db, keys, tenantId, changedRetentions(before?.register, after.register), now, true);
  await db.updateTable('tenants').set({ expiries_version: target }).where('id', '=', tenantId).where('current_version', '=', target).execute();
  return moves;
}

/** What loading `next` would do to the dates, without writing anything. */
export async function previewExpiries(db: Kysely<Tables>, keys: KeysSource, tenantId: string, current: Register | undefined, next: Register, now = new Date()): Promise<ExpiryMove[]> {
  return moveExpiries(db, keys, tenantId, changedRetentions(current, next), now, false);
}
