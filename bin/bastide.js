#!/usr/bin/env node
// Runs the compiled JavaScript of .build/ (scripts/build.js, run by `npm ci`)
// when it was built from the sources as they are now; otherwise the
// TypeScript sources through tsx, so that an edited file is never run stale.
// BASTIDE_FROM_SOURCE=1 always runs the sources.
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from '../scripts/sources-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.env.BASTIDE_FROM_SOURCE !== '1' && buildIsCurrent(root)) {
  await import('../.build/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
