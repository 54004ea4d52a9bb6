// What the compiled folder was built from: the path, size and modification
// time of every source file. bin/bastide.js compares it with the sources on
// disk (a few milliseconds) so that an edited, added or deleted file never
// runs from an old build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUILD_DIR = '.build';
export const STAMP_FILE = 'sources.json';
const SOURCE_DIRS = ['src', 'bench'];

/** Source files (paths relative to root, `/`-separated, sorted), test fixtures aside. */
export function listSources(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'fixtures' && entry.name !== 'node_modules') walk(path);
      } else if (entry.isFile()) out.push(path);
    }
  };
  // A deployment may leave bench/ out.
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) walk(dir);
  return out.sort();
}

export function sourcesStamp(root, files = listSources(root)) {
  const hash = createHash('sha256');
  for (const file of files) {
    const s = statSync(join(root, file));
    hash.update(`${file}\0${s.size}\0${Math.trunc(s.mtimeMs)}\n`);
  }
  return hash.digest('hex');
}

/** True when root/.build holds a build of the sources as they are now. */
export function buildIsCurrent(root) {
  try {
    const { stamp } = JSON.parse(readFileSync(join(root, BUILD_DIR, STAMP_FILE), 'utf8'));
    return stamp === sourcesStamp(root);
  } catch {
    return false;
  }
}
