/**
 * Hourly: accounts past their end go (never confirmed after a week, or
 * unused for the register's retention after the last sign-in), with their
 * sessions and links. Their requests stay, under their own retention; only
 * the link to the account goes (ON DELETE CASCADE).
 */
import type { Job } from '../jobs/job.ts';

export const purgeCitizensJob: Job = {
  name: 'purge-citizen-accounts',
  everyMs: 60 * 60 * 1000,
  async run({ db }, now) {
    return db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('citizens').where('expires_at', '<=', now).returning(['tenant_id', 'id']).execute();
      for (const c of gone) {
        await trx.deleteFrom('sessions').where('tenant_id', '=', c.tenant_id).where('account_kind', '=', 'citizen').where('account_id', '=', c.id).execute();
        await trx.deleteFrom('account_links').where('tenant_id', '=', c.tenant_id).where('account_kind', '=', 'citizen').where('account_id', '=', c.id).execute();
      }
      return { deleted: gone.length };
    });
  },
};
