/**
 * Runs each job every `everyMs` in this process. Timers are unref'd so they
 * never keep a process alive, a job never overlaps itself, and `stop` waits
 * for a run in progress so the database is not closed under it. Jobs must be
 * safe to run on several instances at once (each is a set-based delete).
 */
import type { Job, JobDeps } from './job.ts';

export interface SchedulerLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Scheduler {
  /** Runs a job now, as its timer would (tests, and `stop` waiting on it). */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(jobs: readonly Job[], deps: JobDeps, logger: SchedulerLogger, clock: () => Date = () => new Date()): Scheduler {
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const run = (job: Job): Promise<void> => {
    const current = running.get(job.name);
    if (current) return current;
    const started = Date.now();
    const promise = job
      .run(deps, clock())
      .then((summary) => logger.info({ job: job.name, ms: Date.now() - started, ...summary }, 'job done'))
      .catch((err: unknown) => logger.error({ job: job.name, err }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  };

  const timers = jobs.map((job) => {
    const timer = setInterval(() => {
      if (!stopped) void run(job);
    }, job.everyMs);
    timer.unref();
    return timer;
  });

  return {
    runNow(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) return Promise.reject(new Error(`unknown job ${name}`));
      return run(job);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.all(running.values());
    },
  };
}
