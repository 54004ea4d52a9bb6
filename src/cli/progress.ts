/**
 * A progress bar on stderr for long commands, only on a terminal and never
 * with --json: scripts and logs get the result alone.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(label: string, options: { json: boolean }): Progress {
  if (options.json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} ({percentage} %)`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(Math.max(total, done), done);
        started = true;
      } else {
        bar.setTotal(Math.max(total, done));
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
