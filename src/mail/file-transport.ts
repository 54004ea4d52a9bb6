/**
 * The outbox folder (no `SMTP_URL`): each message is written under a
 * temporary name, and `complete` renames it to its `.eml` name, one
 * synchronous call just before the outbox's COMMIT (a kill between the two
 * leaves a file the database does not count as sent, which is then written
 * again: a copy, never a loss), and never half a file. Leftover temporary
 * files of a process that was killed are removed at the next start.
 */
import { renameSync } from 'node:fs';
import { chmod, mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pooledRandomBytes } from '../crypto/random-pool.ts';
import type { Transport } from './mailer.ts';

/** `20261122T130500.123Z`: ISO 8601 basic format, sortable and free of `:` (not portable in file names). */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

const PART = /^\..*\.eml\.part$/;

export function fileTransport(dir: string): Transport {
  let ready: Promise<void> | undefined;
  // Messages hold addresses: the folder and its files are readable by their owner only.
  const prepareFolder = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    for (const name of await readdir(dir)) if (PART.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  };
  return {
    async prepare(message) {
      ready ??= prepareFolder().catch((error: unknown) => {
        ready = undefined; // try again on the next message
        throw error;
      });
      await ready;
      const name = `${fileStamp(new Date())}-${pooledRandomBytes(6).toString('hex')}.eml`;
      const part = join(dir, `.${name}.part`);
      await writeFile(part, message.raw, { mode: 0o600, flag: 'wx' });
      let settled = false;
      return {
        get ready() {
          return !settled;
        },
        complete() {
          if (settled) return { handed: false, answer: Promise.reject(new Error('message already handed over')) };
          settled = true;
          try {
            renameSync(part, join(dir, name));
            return { handed: true, answer: Promise.resolve() };
          } catch (error) {
            return { handed: false, answer: Promise.reject(error) };
          }
        },
        abandon() {
          if (settled) return;
          settled = true;
          void unlink(part).catch(() => undefined);
        },
      };
    },
    async close() {},
  };
}
