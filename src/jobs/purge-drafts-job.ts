/** Hourly: drafts past their form's retention are deleted, so a draft is never kept longer than the form says. */
import { purgeExpiredDrafts } from '../forms/draft-repository.ts';
import type { Job } from './job.ts';

export const purgeDraftsJob: Job = {
  name: 'purge-drafts',
  everyMs: 60 * 60 * 1000,
  async run({ db }, now) {
    const results = await purgeExpiredDrafts(db, now);
    return { deleted: results.reduce((n, r) => n + r.deleted, 0), tenants: results.length };
  },
};
