import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { Job } from './job.ts';
import { JOBS } from './jobs.ts';
import { startScheduler } from './scheduler.ts';

const quiet = { info: () => {}, error: () => {} };
const deps = { db: {} as Kysely<Tables> };

describe('the job scheduler', () => {
  it('declares the draft purge as an hourly job', () => {
    const job = JOBS.find((j) => j.name === 'purge-drafts');
    assert.equal(job?.everyMs, 3_600_000);
  });

  it('runs a job on its interval, never twice at once, and stop() waits for the run in progress', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const job: Job = {
      name: 'slow',
      everyMs: 10,
      run: () =>
        new Promise((resolve) => {
          runs++;
          release = () => resolve({});
        }),
    };
    const scheduler = startScheduler([job], deps, quiet);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(runs, 1, 'a second run does not start while the first is going');
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(stopped, false, 'stop waits for the run');
    release();
    await stopping;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(runs, 1, 'no run after stop');
  });

  it('logs a failing job and goes on', async () => {
    const errors: string[] = [];
    const scheduler = startScheduler([{ name: 'boom', everyMs: 3_600_000, run: async () => { throw new Error('x'); } }], deps, { info: () => {}, error: (_o, m) => errors.push(m) });
    await scheduler.runNow('boom');
    assert.deepEqual(errors, ['job failed']);
    await scheduler.stop();
  });
});
