import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

describe('the data folder lock', () => {
  it('refuses a second opener, naming the holder, and frees the folder on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockDataDir(dir, 'bastide serve');
    assert.throws(
      () => lockDataDir(dir, 'bastide register load'),
      (e: unknown) => e instanceof DataDirLockedError && e.holder.pid === process.pid && /« bastide serve »/.test(e.message),
    );
    release();
    assert.equal(existsSync(join(dir, 'bastide.lock')), false);
    lockDataDir(dir, 'again')();
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    // Pid numbers are below 2^22 on Linux: this one cannot be running.
    writeFileSync(join(dir, 'bastide.lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), command: 'crashed', startedAt: '2026-01-01T00:00:00Z' }));
    const release = lockDataDir(dir, 'bastide serve');
    release();
  });

  it('takes over an empty or garbled lock file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, 'bastide.lock'), '');
    lockDataDir(dir, 'bastide serve')();
  });
});
