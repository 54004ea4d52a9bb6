/**
 * The daily retention run inside `bastide serve`. Checked every hour and run
 * for a tenant whose last run began more than a day ago, so that a server
 * restarted every night still purges. Several servers on one database: the
 * run's lease lets one in, the others skip (RetentionBusy).
 */
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { Job } from '../jobs/job.ts';
import { RetentionBusy, RetentionRefused, runRetention } from './retention-run.ts';

const DAY_MS = 24 * 3600 * 1000;

async function dueTenants(db: Kysely<Tables>, now: Date): Promise<string[]> {
  const tenants = await db.selectFrom('tenants').select('id').where('current_version', 'is not', null).orderBy('id').execute();
  const out: string[] = [];
  for (const { id } of tenants) {
    const last = await withPrincipal(db, { kind: 'system', tenantId: id }, (trx) =>
      trx.selectFrom('retention_runs').select('started_at').where('tenant_id', '=', id).orderBy('started_at', 'desc').limit(1).executeTakeFirst(),
    );
    if (!last || now.getTime() - new Date(last.started_at).getTime() >= DAY_MS - 3600 * 1000) out.push(id);
  }
  return out;
}

export const retentionJob: Job = {
  name: 'retention',
  everyMs: 60 * 60 * 1000,
  async run({ db, keys, publicUrl }, now) {
    let deleted = 0;
    let notices = 0;
    let held = 0;
    let busy = 0;
    // A run refused for one tenant (a run once made with a later --now) must not stop the others'; the summary says so.
    const refused: string[] = [];
    const tenants = await dueTenants(db, now);
    for (const tenantId of tenants) {
      try {
        const report = await runRetention(db, tenantId, { asOf: now, publicUrl, ...(keys ? { keys: () => keys } : {}) });
        notices += report.deletionNotices ?? 0;
        for (const p of report.processings) {
          deleted += p.deleted;
          held += p.held;
        }
      } catch (e) {
        if (e instanceof RetentionBusy) busy++;
        else if (e instanceof RetentionRefused) refused.push(tenantId);
        else throw e;
      }
    }
    return { tenants: tenants.length, deleted, held, busy, notices, ...(refused.length > 0 ? { refused } : {}) };
  },
};
