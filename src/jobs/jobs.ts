/** Every background job of the server. */
import type { Job } from './job.ts';
import { purgeDraftsJob } from './purge-drafts-job.ts';
import { purgeSessionsJob } from './purge-sessions-job.ts';
import { purgeCitizensJob } from '../citizens/purge-citizens-job.ts';
import { retentionJob } from '../retention/retention-job.ts';
import { rightsJob } from '../rights/rights-job.ts';
import { audienceJob } from '../audience/audience-job.ts';

export const JOBS: readonly Job[] = [purgeDraftsJob, purgeSessionsJob, purgeCitizensJob, retentionJob, rightsJob, audienceJob];
