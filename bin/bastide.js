#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// The heap bounds above hold a server near 110 MB at rest and under 140 MB
// through a 200,000-row export (docs/decisions.md, « Bornes du tas »);
// `npm start` and a `bastide` on the PATH run with them. `node bin/bastide.js`
// runs without them (Node's default limits, set from the machine's memory).
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
