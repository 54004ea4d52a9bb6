/** Hourly: sessions that can no longer be used are deleted (the cookie alone opens nothing anyway). */
import { purgeSessions } from '../sessions/session-store.ts';
import type { Job } from './job.ts';

export const purgeSessionsJob: Job = {
  name: 'purge-sessions',
  everyMs: 60 * 60 * 1000,
  async run({ db }, now) {
    return { deleted: await purgeSessions(db, now) };
  },
};
