import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bastideNodeFlags } from '../../scripts/node-flags.js';
import { BUILD_DIR, buildIsCurrent, listSources, sourcesStamp, STAMP_FILE } from '../../scripts/sources-stamp.js';
import { readMail } from '../mail/testing.ts';
import { contactData } from '../records/testing.ts';
import { cliEnv } from './testing.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the compiled build (scripts/build.js)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bastide-build-')), 'build');
  let server: ReturnType<typeof spawn> | undefined;
  after(() => server?.kill('SIGKILL'));

  it('compiles every source module, migrations included, and copies what the code reads beside it', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.js'), '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const migrations = (dir: string, ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext)).length;
    assert.equal(migrations(join(out, 'src/db/migrations'), '.js'), migrations(join(ROOT, 'src/db/migrations'), '.ts'));
    for (const file of ['src/cli/main.js', 'src/mail/mail-worker.js', 'src/db/pglite-worker-entry.js', 'src/web/assets/bastide.css', 'src/consent/client/consent-client.js', 'examples/val-fleuri.yaml'])
      assert.ok(existsSync(join(out, file)), file);
    assert.ok(!existsSync(join(out, 'src/cli/cli.test.js')), 'tests are not part of the build');
    const imports = readFileSync(join(out, 'src/server/app.js'), 'utf8');
    assert.doesNotMatch(imports, /from "\.[^"]*\.ts"/, 'relative imports name the compiled .js files');
  });

  it('checks a register exactly as the sources do', () => {
    const args = ['register', 'check', join(ROOT, 'examples/haute-vallee.yaml')];
    const compiled = spawnSync(process.execPath, [join(out, 'src/cli/main.js'), ...args], { encoding: 'utf8', env: cliEnv() });
    const sources = spawnSync(process.execPath, [join(ROOT, 'bin/bastide.js'), ...args], { encoding: 'utf8', env: cliEnv(undefined, { BASTIDE_FROM_SOURCE: '1' }) });
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.equal(compiled.stdout, sources.stdout);
  });

  it('serves the demo, takes a request and writes its receipt from the mail thread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-build-data-'));
    server = spawn(process.execPath, [join(out, 'src/cli/main.js'), '--data-dir', dataDir, 'serve', '--demo', '--port', '0'], { env: cliEnv() });
    let printed = '';
    const url = await new Promise<string>((resolve, reject) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const m = /Bastide écoute sur (http:\/\/localhost:\d+)/.exec(printed);
        if (m) resolve(m[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const sent = await fetch(`${url}/api/v1/val-fleuri/forms/contact-mairie/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: contactData({ courriel: 'compiled.build@example.fr' }) }),
    });
    assert.equal(sent.status, 201, await sent.clone().text());
    const { trackingCode } = ((await sent.json()) as { receipt: { trackingCode: string } }).receipt;
    const outbox = join(dataDir, 'outbox');
    let receipt: string | undefined;
    for (let i = 0; i < 100 && !receipt; i++) {
      const files = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [];
      receipt = files.map((f) => readMail(readFileSync(join(outbox, f), 'utf8')).decoded).find((m) => m.includes('compiled.build@example.fr'));
      if (!receipt) await sleep(100);
    }
    assert.ok(receipt, 'the receipt was written');
    assert.ok(receipt.includes(trackingCode), 'with its tracking code');
  });
});

describe('bastide as an executable', () => {
  it('runs with the heap bounds of its first line, as npm start does', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-flags-'));
    // Spawned as a program (its #! line), not through process.execPath.
    const child = spawn(join(ROOT, 'bin/bastide.js'), ['--data-dir', dataDir, 'serve', '--port', '0'], { env: cliEnv(), stdio: 'ignore' });
    try {
      let cmdline = '';
      // Until env (the #! line's `/usr/bin/env -S`) has replaced itself with node: on a busy machine that takes a while.
      for (let i = 0; i < 250 && (!cmdline.includes('serve') || /^\S*\benv /.test(cmdline)); i++) {
        await sleep(20);
        cmdline = existsSync(`/proc/${child.pid}/cmdline`) ? readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ') : '';
      }
      const flags = bastideNodeFlags();
      assert.ok(flags.some((f) => f.startsWith('--max-old-space-size=')) && flags.some((f) => f.startsWith('--max-semi-space-size=')), flags.join(' '));
      assert.ok(cmdline.startsWith(`node ${flags.join(' ')} `) || cmdline.includes(`/node ${flags.join(' ')} `), cmdline);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('whether the build is current (bin/bastide.js runs it only then)', () => {
  const root = mkdtempSync(join(tmpdir(), 'bastide-stamp-'));
  for (const dir of ['src/a', 'bench']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'src/a/one.ts'), 'export const one = 1;\n');
  writeFileSync(join(root, 'bench/b.ts'), 'export {};\n');
  const stamp = () => {
    mkdirSync(join(root, BUILD_DIR), { recursive: true });
    writeFileSync(join(root, BUILD_DIR, STAMP_FILE), JSON.stringify({ stamp: sourcesStamp(root) }));
  };

  it('is current right after a build, and no longer once a file is edited, added or deleted', () => {
    assert.deepEqual(listSources(root), ['bench/b.ts', 'src/a/one.ts']);
    assert.equal(buildIsCurrent(root), false, 'no build yet');
    stamp();
    assert.equal(buildIsCurrent(root), true);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'src/a/one.ts'), later, later);
    assert.equal(buildIsCurrent(root), false, 'edited');
    stamp();
    writeFileSync(join(root, 'src/a/two.ts'), 'export const two = 2;\n');
    assert.equal(buildIsCurrent(root), false, 'added');
    stamp();
    rmSync(join(root, 'src/a/two.ts'));
    assert.equal(buildIsCurrent(root), false, 'deleted');
  });
});
