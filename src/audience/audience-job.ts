/**
 * Hourly in `bastide serve`: every authority that measures its audience has
 * its past days' raw hits aggregated and deleted. A day is aggregated in one
 * statement, so several servers running the job at once cannot count a hit
 * twice: the second finds the day's hits gone.
 */
import type { Job } from '../jobs/job.ts';
import { withPrincipal } from '../db/principal.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { aggregateAudience } from './aggregate.ts';
import { audienceService } from './audience-service.ts';


export const audienceJob: Job = {
  name: 'audience',
  everyMs: 60 * 60 * 1000,
  async run({ db }, now) {
    const registers = new RegisterDirectory(db, { ttlMs: 0 });
    const tenants = await db.selectFrom('tenants').select('id').where('current_version', 'is not', null).orderBy('id').execute();
    let days = 0;
    let hits = 0;
    let dropped = 0;
    for (const { id } of tenants) {
      const loaded = await registers.current(id);
      const service = loaded && audienceService(loaded.register);
      if (!service) {
        // No longer measured (the register dropped audienceProcessing): the last raw hits go, unaggregated, after two days.
        const gone = await withPrincipal(db, { kind: 'system', tenantId: id }, (trx) =>
          trx.deleteFrom('audience_hits').where('tenant_id', '=', id).where('at', '<', new Date(now.getTime() - 2 * 86_400_000)).executeTakeFirst(),
        );
        dropped += Number(gone.numDeletedRows);
        continue;
      }
      const report = await aggregateAudience(db, id, service, now);
      days += report.days.length;
      hits += report.hits;
    }
    return { days, hits, dropped };
  },
};
