/**
 * Size of the consent manager a page loads (`npm run bench:consent-size`).
 *
 * For each demo register (examples/val-fleuri.yaml, examples/haute-vallee.yaml)
 * a test server (PGlite in memory) serves a page of the platform
 * (`/{tenant}/demarches`); the benchmark reads from that page the
 * two things the consent manager adds to it, `<script src="/{tenant}/consent.js?v=…">`
 * and `<link rel="stylesheet" href="/assets/consent.<hash>.css">`, fetches
 * them, and reports their size as is, compressed by `gzip -9` (the gzip
 * program, or zlib at level 9 without it) and by brotli (quality 11, for
 * reference), and as the server sends them to a browser that accepts gzip
 * (the script compressed, the stylesheet not); the script in English too (`?lang=en`), as the
 * authority's other sites may load it. Goal (issue 10): **≤ 5 KB gzipped
 * for the script**. The comparison figures are those the issue quotes for
 * other consent managers and audience trackers (the issue's numbers, not
 * measured here).
 *
 *   node --import tsx bench/consent-size.ts [--json]
 *
 * Exit status: 0 whatever the sizes (a measurement); 1 if a page, the
 * script or the stylesheet could not be fetched; 2 on a bad option.
 */
import { spawnSync } from 'node:child_process';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { EXAMPLE_REGISTERS, startTestServer } from '../src/server/testing.ts';
import { machineInfo, num, output, parseBenchArgs, runBenchmark } from './harness.ts';

const GOAL_SCRIPT_GZIP_BYTES = 5 * 1024;

/** As quoted by issue 10 (gzipped sizes of each project's script, the issue's figures, not measured here). */
const ISSUE_FIGURES = [
  { name: 'vanilla-cookieconsent', kb: '15.5' },
  { name: 'Orejime', kb: '14.7' },
  { name: 'tarteaucitron', kb: '60–73' },
  { name: 'Klaro', kb: '68.9' },
  { name: 'Matomo tracker (matomo.js)', kb: '21.9' },
  { name: 'Plausible / Umami tracker', kb: '~1.4' },
];

/** `gzip -9` of these bytes: the program when there is one (its output read from stdin: no file name in the header), else zlib. */
function gzip9(bytes: Buffer): { bytes: number; by: 'gzip -9' | 'zlib level 9' } {
  const run = spawnSync('gzip', ['-9', '-c', '-n'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (run.status === 0 && run.stdout.length > 0) return { bytes: run.stdout.length, by: 'gzip -9' };
  return { bytes: gzipSync(bytes, { level: 9 }).length, by: 'zlib level 9' };
}

const brotli11 = (bytes: Buffer) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

interface Measured {
  url: string;
  bytes: number;
  gzip9: number;
  /** The body the server sends to a browser that accepts gzip, and how it is encoded (the stylesheets are sent uncompressed). */
  served: number;
  servedEncoding: string;
  brotli11: number;
}

async function measure(url: string): Promise<Measured> {
  const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  if (plain.status !== 200) throw new Error(`${url}: status ${plain.status}`);
  const body = Buffer.from(await plain.arrayBuffer());
  // fetch would decompress: the size sent comes from the content-length.
  const gz = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  const decoded = Buffer.from(await gz.arrayBuffer());
  const encoding = gz.headers.get('content-encoding') ?? 'identity';
  const served = Number(gz.headers.get('content-length') ?? (encoding === 'identity' ? decoded.length : NaN));
  return { url, bytes: body.length, gzip9: gzip9(body).bytes, served, servedEncoding: encoding, brotli11: brotli11(body) };
}

async function main(): Promise<number> {
  const usage = 'usage: node --import tsx bench/consent-size.ts [--json]';
  const { values } = parseBenchArgs(usage, { json: { type: 'boolean', default: false } });
  const json = values['json'] === true;
  const { say } = output(json);
  const server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
  try {
    const tenants = [];
    for (const tenant of ['val-fleuri', 'haute-vallee']) {
      const pageUrl = `${server.url}/${tenant}/demarches`;
      const page = await fetch(pageUrl);
      const html = await page.text();
      if (page.status !== 200) throw new Error(`${pageUrl}: status ${page.status}`);
      const script = /<script[^>]*\ssrc="([^"]*\/consent\.js[^"]*)"/.exec(html)?.[1];
      const css = /<link[^>]*\shref="([^"]*\/consent\.[^"]*\.css)"/.exec(html)?.[1];
      if (!script || !css) throw new Error(`${pageUrl}: no consent.js or consent stylesheet in the page`);
      const unescape = (s: string) => s.replace(/&amp;/g, '&');
      const js = await measure(new URL(unescape(script), server.url).href);
      const jsEn = await measure(`${server.url}/${tenant}/consent.js?lang=en`);
      const stylesheet = await measure(new URL(unescape(css), server.url).href);
      tenants.push({
        tenant,
        script: js,
        scriptEnglish: jsEn,
        stylesheet,
        together: { bytes: js.bytes + stylesheet.bytes, gzip9: js.gzip9 + stylesheet.gzip9, served: js.served + stylesheet.served, servedEncoding: `${js.servedEncoding} + ${stylesheet.servedEncoding}`, brotli11: js.brotli11 + stylesheet.brotli11 },
        verdict: js.gzip9 <= GOAL_SCRIPT_GZIP_BYTES ? 'PASS' : 'OVER',
      });
    }
    const compressor = gzip9(Buffer.from('x')).by;
    if (json) {
      process.stdout.write(`${JSON.stringify({ benchmark: 'consent-size', machine: machineInfo(), compressor, goalScriptGzipBytes: GOAL_SCRIPT_GZIP_BYTES, tenants, issueFigures: ISSUE_FIGURES })}\n`);
    } else {
      const kb = (n: number) => (Number.isNaN(n) ? '?' : `${num(n / 1024, 2)} KB`);
      say(`consent manager as a page of the platform loads it (KB = 1,024 bytes; gzip: ${compressor}; served: the body the server sends with Accept-Encoding: gzip)`);
      say();
      say(`${'register'.padEnd(14)}${'file'.padEnd(22)}${'bytes'.padStart(10)}${'gzip -9'.padStart(11)}${'brotli 11'.padStart(11)}${'served'.padStart(11)}  encoding`);
      for (const t of tenants) {
        const row = (file: string, m: { bytes: number; gzip9: number; served: number; servedEncoding: string; brotli11: number }) =>
          say(`${t.tenant.padEnd(14)}${file.padEnd(22)}${num(m.bytes).padStart(10)}${kb(m.gzip9).padStart(11)}${kb(m.brotli11).padStart(11)}${kb(m.served).padStart(11)}  ${m.servedEncoding}`);
        row('consent.js (fr)', t.script);
        row('consent.js?lang=en', t.scriptEnglish);
        row('consent.css', t.stylesheet);
        row('script + stylesheet', t.together);
      }
      say();
      for (const t of tenants) say(`${t.tenant}: consent.js ${kb(t.script.gzip9)} gzipped (goal ≤ ${kb(GOAL_SCRIPT_GZIP_BYTES)}) ${t.verdict}`);
      say();
      say('for comparison, the figures issue 10 quotes (gzipped, not measured here):');
      for (const f of ISSUE_FIGURES) say(`  ${f.name.padEnd(30)}${f.kb} KB`);
    }
    return 0;
  } finally {
    await server.close();
  }
}

runBenchmark('consent-size', main);
