import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { BIN, bastide, cliEnv as env } from './testing.ts';

const FIXTURES = new URL('../register/fixtures/', import.meta.url).pathname;
const MINIMAL = readFileSync(join(FIXTURES, 'valid-minimal.yaml'), 'utf8');


function tempFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bastide-cli-')), name);
  writeFileSync(path, content);
  return path;
}

describe('bastide register check', () => {
  it('accepts a valid register with exit 0', () => {
    const r = bastide(['register', 'check', join(FIXTURES, 'valid-minimal.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /registre valide : val-fleuri \(2 traitements\)/);
  });

  it('rejects an invalid register with exit 1 and one « path: problem » line per error', () => {
    const r = bastide(['register', 'check', join(FIXTURES, 'invalid/duration-in-words.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^processings\[0\]\.retention\.duration: durée invalide « 2 ans ».*\(ligne \d+\)$/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('prints the problems as JSON with --json', () => {
    const r = bastide(['--json', 'register', 'check', join(FIXTURES, 'invalid/undeclared-service.yaml')]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ path: string }> };
    assert.equal(out.ok, false);
    assert.ok(out.problems.some((p) => p.path === 'processings[0].service'));
  });

  it('says plainly when the file does not exist, or is 20 MB', () => {
    const missing = bastide(['register', 'check', '/nonexistent/register.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /fichier introuvable/);
    const huge = bastide(['register', 'check', tempFile('huge.yaml', Buffer.alloc(20 * 1024 * 1024, 0x23))]);
    assert.equal(huge.code, 1);
    assert.match(huge.stderr, /\(fichier\): fichier trop volumineux \(20 Mo/);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`bastide register load, versions, export and notice render (${kind})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bastide-data-'));
    const databaseUrl = kind === 'postgres' ? process.env['DATABASE_URL'] : undefined;
    const run = (args: string[]) => bastide(kind === 'pglite' ? ['--data-dir', dataDir, ...args] : args, { databaseUrl });
    const tenant = uniqueTenantId('cli');
    const file = tempFile('register.yaml', MINIMAL.replace('id: val-fleuri', `id: ${tenant}`));

    it('loads a register, and makes a new version only when the content changed', () => {
      const first = run(['register', 'load', file]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout.trim(), `${tenant} version 1`);
      const same = run(['register', 'load', file]);
      assert.equal(same.stdout.trim(), `${tenant} version 1 (inchangée)`);
      writeFileSync(file, MINIMAL.replace('id: val-fleuri', `id: ${tenant}`).replace('Le Maire', 'La Maire'));
      const changed = run(['--json', 'register', 'load', file]);
      assert.equal(changed.code, 0, changed.stderr);
      assert.deepEqual({ ...JSON.parse(changed.stdout), hash: undefined, warnings: undefined }, { tenant, version: 2, created: true, hash: undefined, warnings: undefined, expiries: [] }, 'no retention rule changed: no date moved');
      const versions = run(['register', 'versions', '--tenant', tenant]);
      assert.deepEqual(versions.stdout.trim().split('\n').map((l) => l.split('\t')[0]), ['2', '1']);
    });

    it('refuses to load an invalid register and leaves the current version in force', () => {
      const bad = tempFile('bad.yaml', MINIMAL.replace('id: val-fleuri', `id: ${tenant}`).replace('legalBasis: public-task', 'legalBasis: mission'));
      const r = run(['register', 'load', bad]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /legalBasis: valeur « mission » inconnue/);
      assert.match(run(['notice', 'render', '--tenant', tenant, '--format', 'md']).stdout, /Version 2/);
    });

    it('renders the notice as HTML, JSON and Markdown', () => {
      const html = run(['notice', 'render', '--tenant', tenant]);
      assert.match(html.stdout, /^<!DOCTYPE html>/);
      const json = JSON.parse(run(['notice', 'render', '--tenant', tenant, '--format', 'json']).stdout) as { processings: unknown[]; version: number };
      assert.equal(json.processings.length, 2);
      assert.equal(json.version, 2);
      assert.match(run(['notice', 'render', '--tenant', tenant, '--format', 'md']).stdout, /^# Données personnelles/);
      const unknown = run(['notice', 'render', '--tenant', 'inconnue']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /collectivité inconnue : inconnue/);
    });

    it('exports the art. 30 register as CSV and HTML', () => {
      const csv = run(['register', 'export', '--tenant', tenant, '--format', 'csv']);
      assert.equal(csv.code, 0, csv.stderr);
      const lines = csv.stdout.replace(/^\uFEFF/, '').trim().split('\r\n');
      assert.equal(lines.length, 3, 'a header and one row per processing');
      assert.match(lines[0]!, /^Identifiant;Traitement;Responsable de traitement;Délégué à la protection des données/);
      assert.match(lines[1]!, /^signalement-voirie;/);
      const html = run(['register', 'export', '--tenant', tenant, '--format', 'html']);
      assert.match(html.stdout, /Registre des activités de traitement \(article 30 du RGPD\)/);
    });
  });
}

describe('the embedded data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastide-lock-'));
  let server: ReturnType<typeof spawn> | undefined;
  after(() => server?.kill('SIGTERM'));

  let out = '';

  it('starts the demo and prints demo agents whose tokens work on the API', async () => {
    server = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'serve', '--demo', '--port', '0'], { env: env() });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('par exemple : curl')) resolve();
      });
      server!.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const url = /Bastide écoute sur (http:\/\/localhost:\d+)/.exec(out)![1]!;
    const token = /val-fleuri +agent\.accueil@val-fleuri\.example +accueil +(bst_\S+)/.exec(out)?.[1];
    assert.ok(token, out);
    const records = await fetch(`${url}/api/v1/val-fleuri/records`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(records.status, 200);
    assert.ok(Array.isArray(await records.json()));
    assert.equal((await fetch(`${url}/val-fleuri/donnees-personnelles`)).status, 200);
  });

  it('refuses a second process with a message naming the one that holds it', async () => {
    const second = bastide(['--data-dir', dataDir, 'register', 'load', join(FIXTURES, 'valid-minimal.yaml')]);
    assert.equal(second.code, 3);
    assert.match(second.stderr, new RegExp(`déjà ouvert par le processus ${server!.pid} \\(« bastide serve »`));
    assert.doesNotMatch(second.stderr, /\n\s+at /);
  });

  it('is free again once that process has stopped', async () => {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server!.kill('SIGTERM');
    await exited;
    const again = bastide(['--data-dir', dataDir, 'register', 'load', join(FIXTURES, 'valid-minimal.yaml')]);
    assert.equal(again.code, 0, again.stderr);
  });
});
