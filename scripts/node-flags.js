// The Node options `bastide` runs with: those of bin/bastide.js's first line
// (#!/usr/bin/env -S node …), read from there so that a benchmark starting
// the server another way uses exactly them.
import { readFileSync } from 'node:fs';

export function bastideNodeFlags() {
  const first = readFileSync(new URL('../bin/bastide.js', import.meta.url), 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  if (!m) throw new Error(`bin/bastide.js: unexpected first line: ${first}`);
  return m[1].trim().split(' ').filter(Boolean);
}
