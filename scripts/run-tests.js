#!/usr/bin/env node
// Runs every *.test.ts under src/ and e2e/ with Node's test runner (through tsx).
// Node 20's --test takes no globs, so the files are listed here.
// Usage: node scripts/run-tests.js [path-prefix ...]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const prefixes = process.argv.slice(2);
let files = ['src', 'e2e']
  .flatMap((dir) => find(dir))
  .filter((f) => prefixes.length === 0 || prefixes.some((p) => f.startsWith(p)))
  .sort();

// Browser tests need Debian's chromium. CI installs it and must run them; a
// newcomer's machine may not have it yet, so there they are skipped out loud.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium) && !process.env.CI) {
  // A browser test is one that drives Chromium through e2e/browser.ts (directly or through page-checks.ts).
  const browserTests = files.filter((f) => /from '\.\/(browser|page-checks)\.ts'/.test(readFileSync(f, 'utf8')));
  if (browserTests.length > 0) {
    console.warn(`\n*** ${chromium} is missing: skipping ${browserTests.join(', ')}.`);
    console.warn('*** Install it with: sudo apt-get install -y chromium (CI always runs them).\n');
    files = files.filter((f) => !browserTests.includes(f));
  }
}
if (files.length === 0) {
  console.error('no test file found');
  process.exit(1);
}
// Files run side by side: most wait on sockets, child processes or the database, not on the CPU. Each keeps
// to its own tenants, schemas, ports and folders, so none shares state with another.
const concurrency = process.env.BASTIDE_TEST_CONCURRENCY ?? '4';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
