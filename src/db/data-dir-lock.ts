/**
 * One process per embedded data folder. PGlite gives no protection against a
 * second process opening the same files, and two writers corrupt them; a lock
 * file naming the holder turns that into a clear refusal.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: Holder,
  ) {
    super(
      `le dossier de données ${dir} est déjà ouvert par le processus ${holder.pid} (« ${holder.command} », démarré le ${holder.startedAt} sur ${holder.host}). ` +
        'Arrêtez ce processus, ou utilisez un autre dossier (--data-dir) ou un serveur PostgreSQL (DATABASE_URL).',
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/** Takes the lock or throws DataDirLockedError; returns the function that gives it back. */
export function lockDataDir(dir: string, command: string): () => void {
  const absolute = resolve(dir);
  mkdirSync(absolute, { recursive: true });
  const path = join(absolute, 'bastide.lock');
  const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      const release = () => {
        process.off('exit', release);
        if (readHolder(path)?.pid === me.pid) unlinkSync(path);
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(path);
      // A lock left by a process that died (same machine, pid gone) is stale: take it over.
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new DataDirLockedError(absolute, holder);
      }
      unlinkSync(path);
    }
  }
  throw new Error(`could not lock ${path}`);
}
