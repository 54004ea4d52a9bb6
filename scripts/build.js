#!/usr/bin/env node
// Compiles the TypeScript of src/ and bench/ to plain JavaScript in .build/,
// file for file in the same layout, so that `bastide` runs without compiling
// at start-up (tsx's loader thread and esbuild's service cost the server
// about 80 MB; docs/decisions.md). Run by `npm ci` (prepare) and `npm run build`.
// bin/bastide.js uses .build only while its stamp matches the sources
// (sources-stamp.js), and the sources through tsx otherwise.
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILD_DIR, STAMP_FILE, listSources, sourcesStamp } from './sources-stamp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');
// --out DIR: somewhere else than .build (the build's own test); bin/bastide.js only ever runs .build.
const outAt = process.argv.indexOf('--out');
const final = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(ROOT, BUILD_DIR);

const started = Date.now();
const sources = listSources(ROOT);
const stamp = sourcesStamp(ROOT, sources);
// Written beside the final folder, then swapped in: a half-written build is never run.
const staging = `${final}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });

const compiled = sources.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: compiled,
  outdir: staging,
  outbase: '.',
  bundle: true, // only so that the plugin sees each import; every one stays external
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'silent',
  plugins: [
    {
      name: 'keep-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const path = /^\.\.?\//.test(args.path) ? args.path.replace(/\.ts$/, '.js') : args.path;
          return { path, external: true };
        });
      },
    },
  ],
});
for (const w of result.warnings) console.warn(w.text);

// Files read at run time beside the code (stylesheets, the consent client, the embedded database's thread).
for (const file of sources) {
  if (file.endsWith('.ts') || file.includes('/fixtures/')) continue;
  const target = join(staging, file);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(ROOT, file), target);
}
// Paths such as ../../examples/ resolve from .build/src/… as they do from src/…, and packages from anywhere.
for (const dir of ['examples', 'node_modules']) symlinkSync(relative(final, join(ROOT, dir)), join(staging, dir));
writeFileSync(join(staging, STAMP_FILE), `${JSON.stringify({ stamp, files: compiled.length })}\n`);

rmSync(final, { recursive: true, force: true });
renameSync(staging, final);
if (!quiet) {
  console.log(`bastide: ${compiled.length} fichiers compilés dans ${relative(process.cwd(), final) || '.'} en ${Date.now() - started} ms`);
}
