/**
 * `parseRegister` against the fixtures: the minimal register must load with no
 * warning, and each file of fixtures/invalid/ — the minimal register with one
 * defect — must be refused with the path and message its `# expect:` lines
 * give, and with no problem elsewhere (so that each fixture tests one check).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFields } from '../forms/form-fields-html.ts';
import { validateSubmission } from '../forms/form-validation.ts';
import { retentionText } from '../notice/retention-text.ts';
import { MAX_REGISTER_BYTES, parseRegister, type ParseResult } from './parse.ts';
import { formatProblem, type Problem } from './problem.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const INVALID = `${FIXTURES}invalid/`;
const VALID = readFileSync(`${FIXTURES}valid-minimal.yaml`, 'utf8');

const parse = (text: string | Uint8Array): ParseResult =>
  parseRegister(typeof text === 'string' ? new TextEncoder().encode(text) : text);

function problemsOf(result: ParseResult): Problem[] {
  assert.equal(result.ok, false, 'the register should have been refused');
  return result.ok ? [] : result.problems;
}

const show = (problems: readonly Problem[]) => problems.map((p) => `  ${formatProblem(p)}`).join('\n') || '  (aucun problème)';

/** 1-based number of the first line of `text` that contains `needle`. */
function lineContaining(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `no line contains ${JSON.stringify(needle)}`);
  return index + 1;
}

interface Fixture {
  file: string;
  text: string;
  sentence: string;
  expects: Array<{ path: string; message: string }>;
}

function readFixtures(): Fixture[] {
  return readdirSync(INVALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${INVALID}${file}`, 'utf8');
      const expects = [...text.matchAll(/^# expect: (.+?) \| (.+)$/gm)].map((m) => ({ path: m[1]!, message: m[2]! }));
      const sentence = /^# (refuses .+)$/m.exec(text)?.[1] ?? `refuses ${file}`;
      return { file, text, sentence, expects };
    });
}

describe('the minimal register', () => {
  it('parses with no problem and no warning', () => {
    const result = parse(VALID);
    assert.ok(result.ok, result.ok ? '' : `refused:\n${show(result.problems)}`);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.register.tenant.id, 'val-fleuri');
    assert.equal(result.register.processings.length, 2);
    assert.match(result.hash, /^[0-9a-f]{64}$/);
  });

  it('parses with a text pattern and date bounds, kept as written', () => {
    const text = VALID.replace('autocomplete: family-name }', () => "autocomplete: family-name, pattern: '^\\p{L}[\\p{L} \\-]*$', patternMessage: des lettres }").replace(
      'type: date, category: civil-status, required: true }',
      'type: date, category: civil-status, required: true, notBefore: -P18Y, notAfter: today }',
    );
    const result = parse(text);
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    const [nom] = result.register.processings[0]!.forms[0]!.fields;
    const date = result.register.processings[1]!.forms[0]!.fields[1]!;
    assert.equal(nom?.pattern, '^\\p{L}[\\p{L} \\-]*$');
    assert.equal(nom?.patternMessage, 'des lettres');
    assert.deepEqual([date.notBefore, date.notAfter], ['-P18Y', 'today']);
  });

  it('parses when the file starts with a UTF-8 byte order mark', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const result = parse(new Uint8Array([...bom, ...new TextEncoder().encode(VALID)]));
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    assert.equal(result.hash, (parse(VALID) as { hash: string }).hash);
  });
});

describe('the consent and audience keys', () => {
  /** The cookies and embeds of ../shared/REGISTER.md's example, as a DPO copies them, without the processings Bastide adds. */
  const AS_IN_REGISTER_MD = `${VALID.trimEnd()}
  - { name: bastide_vid, category: audience-exempt, purpose: Mesure d'audience anonyme, lifetime: P13M }
embeds:
  - { id: youtube, name: YouTube, category: video }
  - { id: facebook, name: Facebook, category: social }
`;

  it('loads the cookies and embeds of REGISTER.md, warning that their proofs and the audience have no processing', () => {
    const result = parse(AS_IN_REGISTER_MD);
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    assert.ok(result.warnings.some((w) => w.path === 'consentProofProcessing' && /gardées 1 ans? par défaut/.test(w.message)), show(result.warnings));
    assert.ok(result.warnings.some((w) => w.path === 'cookies' && /rien ne sera mesuré/.test(w.message)), show(result.warnings));
  });

  it('accepts a loopback http origin (a site on the same machine) and lowers the case of origins', () => {
    const result = parse(VALID.replace('origins: [https://www.val-fleuri.example]', 'origins: [https://WWW.Val-Fleuri.example/, "https://portail.val-fleuri.example:443", https://mairie.saint-étienne.example, http://localhost:8080, http://127.0.0.1:3001]'));
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    // As a browser's Origin header writes them: lower case, no default port, punycode.
    assert.deepEqual(result.register.tenant.origins, ['https://www.val-fleuri.example', 'https://portail.val-fleuri.example', 'https://mairie.xn--saint-tienne-geb.example', 'http://localhost:8080', 'http://127.0.0.1:3001']);
    assert.deepEqual(
      result.warnings.filter((w) => w.path.startsWith('tenant.origins')).map((w) => w.path),
      ['tenant.origins[3]', 'tenant.origins[4]'],
      'a site on this machine is for trials',
    );
  });
});

describe('each invalid fixture', () => {
  const fixtures = readFixtures();

  it('exists, with at least one « # expect: path | message » line', () => {
    assert.ok(fixtures.length >= 60, `only ${fixtures.length} fixtures`);
    for (const f of fixtures) assert.ok(f.expects.length > 0, `${f.file} has no « # expect: » line`);
  });

  for (const fixture of fixtures) {
    const paths = [...new Set(fixture.expects.map((e) => e.path))].join(' and ');
    it(`${fixture.sentence} at ${paths} (${fixture.file})`, () => {
      const problems = problemsOf(parse(fixture.text));
      for (const expected of fixture.expects) {
        assert.ok(
          problems.some((p) => p.path === expected.path && p.message.includes(expected.message)),
          `expected « ${expected.path}: …${expected.message}… » among:\n${show(problems)}`,
        );
      }
      const unexpected = problems.filter((p) => !fixture.expects.some((e) => e.path === p.path));
      assert.deepEqual(unexpected, [], `problems at paths the fixture does not expect:\n${show(unexpected)}`);
    });
  }
});

describe('select options written as plain texts', () => {
  /** The cantine form's tarif written as a DPO reading REGISTER.md would: `options: [Amont, Aval, Confluent]`. */
  const PLAIN = VALID.replace(
    '            options:\n              - { value: plein, label: Plein tarif }\n              - { value: quotient-familial, label: Tarif selon le quotient familial }\n',
    '            options: [Amont, Aval, Confluent]\n',
  ).replace('equals: quotient-familial', 'equals: Aval');
  const tarifOf = (result: ParseResult) => {
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    return result.register.processings[1]!.forms[0]!;
  };

  it('loads, each text being both the value and the label', () => {
    assert.notEqual(PLAIN, VALID);
    const form = tarifOf(parse(PLAIN));
    assert.deepEqual(form.fields[3]?.options, [
      { value: 'Amont', label: 'Amont' },
      { value: 'Aval', label: 'Aval' },
      { value: 'Confluent', label: 'Confluent' },
    ]);
  });

  it('lets a retention rule name one of them, read by the notice, and refuses another', () => {
    const result = parse(PLAIN);
    assert.ok(result.ok);
    assert.match(retentionText(result.register.processings[1]!).rules[0] ?? '', /lorsque « Tarif » est « Aval »/);
    const wrong = problemsOf(parse(PLAIN.replace('equals: Aval', 'equals: Nord')));
    assert.deepEqual(wrong.map((p) => p.message), ["« Nord » n'est pas une option du champ « tarif » ; options : Amont, Aval, Confluent"]);
  });

  it('hashes as the same register written with {value, label}', () => {
    const long = PLAIN.replace('options: [Amont, Aval, Confluent]', 'options: [{ value: Amont, label: Amont }, { value: Aval, label: Aval }, Confluent]');
    assert.equal((parse(long) as { hash: string }).hash, (parse(PLAIN) as { hash: string }).hash);
  });

  it('is rendered as a select offering each text', () => {
    const form = tarifOf(parse(PLAIN));
    const page = String(renderFields(form.fields, { values: { tarif: 'Aval' }, errors: new Map(), files: new Map(), autofocus: undefined }));
    assert.match(page, /<option value="Amont">Amont<\/option><option value="Aval" selected>Aval<\/option><option value="Confluent">Confluent<\/option>/);
  });

  it('validates a submission: one of the texts is accepted, another refused with the choices', async () => {
    const form = tarifOf(parse(PLAIN));
    const data = { nomEnfant: 'Martin', dateNaissance: '2018-03-04', courriel: 'parent@example.org' };
    const ok = await validateSubmission(form, { ...data, tarif: 'Aval' });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.equal(ok.values['tarif'], 'Aval');
    const refused = await validateSubmission(form, { ...data, tarif: 'Nord' });
    assert.ok(!refused.ok);
    assert.deepEqual(refused.errors, [{ field: 'tarif', message: 'Le champ « Tarif » doit être l\'une des valeurs proposées (Amont, Aval, Confluent).' }]);
  });

  it('accepts numbers as texts, and refuses other types in words a DPO can act on, with the line', () => {
    const numbers = tarifOf(parse(PLAIN.replace('[Amont, Aval, Confluent]', '[1, 2, Aval]')));
    assert.deepEqual(numbers.fields[3]?.options?.map((o) => o.value), ['1', '2', 'Aval']);
    const at = 'processings[1].forms[0].fields[3].options[1]';
    for (const [written, says] of [
      ['true', 'attendu : un texte, un nombre ou une option (clés value, label) ; reçu : true'],
      ['[a, b]', 'attendu : un texte, un nombre ou une option (clés value, label) ; reçu : une liste'],
      ["''", 'texte vide'],
    ] as const) {
      const text = PLAIN.replace('[Amont, Aval, Confluent]', `\n              - Amont\n              - ${written}\n              - Confluent`);
      const problems = problemsOf(parse(text));
      assert.deepEqual(problems.map(formatProblem), [`${at}: ${says} (ligne ${lineContaining(text, `- ${written}`)})`]);
    }
    const half = problemsOf(parse(PLAIN.replace('[Amont, Aval, Confluent]', '[Amont, { value: aval }]')));
    assert.deepEqual(half.map((p) => `${p.path}: ${p.message}`), ['processings[1].forms[0].fields[3].options[1].label: clé obligatoire manquante']);
  });
});

describe('values of the wrong type', () => {
  it('names the keys a block should hold when a text is written instead', () => {
    const text = VALID.replace(/^controller:\n(  .*\n)+/m, 'controller: Mairie de Val-Fleuri\n');
    const [problem, ...rest] = problemsOf(parse(text));
    assert.deepEqual(rest, []);
    assert.equal(
      formatProblem(problem!),
      `controller: attendu : le responsable du traitement (clés name, email…) ; reçu : le texte « Mairie de Val-Fleuri » (ligne ${lineContaining(text, 'controller:')})`,
    );
  });

  it('says what a field is when a list item is not one', () => {
    const text = VALID.replace('          - { name: nomEnfant,', '          - nomEnfant\n          - { name: nomEnfant,');
    const problem = problemsOf(parse(text)).find((p) => p.path === 'processings[1].forms[0].fields[0]');
    assert.equal(problem?.message, 'attendu : un champ (clés name, label, type…) ; reçu : le texte « nomEnfant »');
    assert.equal(problem?.line, lineContaining(text, '- nomEnfant'));
  });

  it('asks for a list, and for a text, naming what was written', () => {
    const empty = problemsOf(parse(VALID.replace(/^    subjects: .*$/m, '    subjects:')));
    assert.match(empty[0]?.message ?? '', /^attendu : une liste \(une ligne « - … » par élément, ou \[a, b\]\) ; reçu : une valeur vide$/);
    const block = problemsOf(parse(VALID.replace('  name: Commune de Val-Fleuri\n', '  name: { fr: Commune de Val-Fleuri }\n')));
    assert.deepEqual(block.map((p) => `${p.path}: ${p.message}`), ['tenant.name: attendu : un texte ; reçu : des clés (fr)']);
  });
});

describe('line numbers', () => {
  it('gives the line of an unknown key', () => {
    const text = readFileSync(`${INVALID}unknown-field-key.yaml`, 'utf8');
    const problem = problemsOf(parse(text)).find((p) => p.path === 'processings[0].forms[0].fields[0].categroy');
    assert.ok(problem);
    assert.equal(problem.line, lineContaining(text, 'categroy:'));
    assert.match(formatProblem(problem), /^processings\[0\]\.forms\[0\]\.fields\[0\]\.categroy: clé inconnue .* \(ligne \d+\)$/);
  });

  it('gives the line of an unknown root key', () => {
    const text = readFileSync(`${INVALID}unknown-root-key.yaml`, 'utf8');
    const problem = problemsOf(parse(text)).find((p) => p.path === 'procesings');
    assert.equal(problem?.line, lineContaining(text, 'procesings:'));
  });

  it('gives the line of a bad duration', () => {
    const text = readFileSync(`${INVALID}duration-in-words.yaml`, 'utf8');
    const problem = problemsOf(parse(text)).find((p) => p.path === 'processings[0].retention.duration');
    assert.equal(problem?.line, lineContaining(text, 'duration: 2 ans'));
  });

  it('gives the line of a problem found by the cross checks (undeclared service)', () => {
    const text = readFileSync(`${INVALID}undeclared-service.yaml`, 'utf8');
    const problem = problemsOf(parse(text)).find((p) => p.path === 'processings[0].service');
    assert.equal(problem?.line, lineContaining(text, 'service: voirie'));
  });

  it('gives the line of a YAML indentation error', () => {
    const text = readFileSync(`${INVALID}yaml-bad-indentation.yaml`, 'utf8');
    const [first] = problemsOf(parse(text));
    assert.equal(first?.line, lineContaining(text, ' name: Commune de Val-Fleuri'), show(problemsOf(parse(text))));
  });

  it('gives the line of a tab used for indentation', () => {
    const text = readFileSync(`${INVALID}yaml-tab-indentation.yaml`, 'utf8');
    const tab = problemsOf(parse(text)).find((p) => p.message.includes('tabulation'));
    assert.equal(tab?.line, lineContaining(text, '\tkind: commune'), show(problemsOf(parse(text))));
  });

  it('gives the line of a duplicate YAML key', () => {
    const text = readFileSync(`${INVALID}yaml-duplicate-key.yaml`, 'utf8');
    const duplicate = problemsOf(parse(text)).find((p) => p.message.includes('clé en double'));
    assert.equal(duplicate?.line, lineContaining(text, 'name: Ville de Val-Fleuri'), show(problemsOf(parse(text))));
  });
});

describe('files that are not a register', () => {
  it('refuses an empty file at (fichier)', () => {
    const [problem, ...rest] = problemsOf(parse(new Uint8Array()));
    assert.equal(problem?.path, '(fichier)');
    assert.match(problem?.message ?? '', /le fichier est vide/);
    assert.deepEqual(rest, []);
  });

  it('refuses a file of blank lines at (fichier)', () => {
    const [problem] = problemsOf(parse('\n   \n\n'));
    assert.equal(problem?.path, '(fichier)');
    assert.match(problem?.message ?? '', /le fichier est vide/);
  });

  it('refuses a 20 MB file at (fichier) without parsing it', () => {
    const line = `# ${'x'.repeat(78)}\n`;
    const padding = new TextEncoder().encode(line.repeat(Math.ceil((20 * 1024 * 1024) / line.length)));
    const bytes = new Uint8Array([...new TextEncoder().encode(VALID), ...padding]);
    assert.ok(bytes.byteLength > 20 * 1024 * 1024);
    const problems = problemsOf(parse(bytes));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, '(fichier)');
    assert.match(problems[0]?.message ?? '', /trop volumineux/);
  });

  it('accepts a register padded with comments to exactly the size limit', () => {
    const head = new TextEncoder().encode(VALID);
    const padding = new TextEncoder().encode(`#${' '.repeat(MAX_REGISTER_BYTES - head.byteLength - 2)}\n`);
    const bytes = new Uint8Array([...head, ...padding]);
    assert.equal(bytes.byteLength, MAX_REGISTER_BYTES);
    const result = parse(bytes);
    assert.ok(result.ok, result.ok ? '' : show(result.problems));
    assert.equal(problemsOf(parse(new Uint8Array([...bytes, 0x0a])))[0]?.path, '(fichier)');
  });

  it('refuses non-UTF-8 bytes (Latin-1 « é ») at (fichier) with the line number', () => {
    const utf8 = new TextEncoder().encode(VALID);
    const eAcute = [0xc3, 0xa9];
    const at = Buffer.from(utf8).indexOf(Buffer.from('Hébergeur'));
    assert.ok(at > 0);
    const latin1 = new Uint8Array([...utf8.slice(0, at + 1), 0xe9, ...utf8.slice(at + 1 + eAcute.length)]);
    const problems = problemsOf(parse(latin1));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, '(fichier)');
    assert.match(problems[0]?.message ?? '', /UTF-8/);
    assert.equal(problems[0]?.line, lineContaining(VALID, 'Hébergeur'));
  });
});

describe('the register hash', () => {
  /** The minimal register rewritten: comments changed, sections and keys in another order. */
  function rewritten(): string {
    const lines = VALID.split('\n').filter((l) => !l.startsWith('#'));
    const cookiesAt = lines.indexOf('cookies:');
    assert.ok(cookiesAt > 0);
    const cookies = lines.splice(cookiesAt).filter((l) => l !== '');
    const body = [...cookies, ...lines]
      .join('\n')
      .replace('  id: val-fleuri\n  name: Commune de Val-Fleuri\n', '  name: Commune de Val-Fleuri # nom affiché\n  id: val-fleuri\n')
      .replace('{ name: bastide_session, category: essential,', '{ category: essential, name: bastide_session,');
    return `# Registre de Val-Fleuri, version du conseil municipal\n${body}\n# fin\n`;
  }

  it('is the same for two registers that differ only by comments and key order', () => {
    const text = rewritten();
    assert.notEqual(text, VALID);
    const a = parse(VALID);
    const b = parse(text);
    assert.ok(a.ok && b.ok, 'both should parse');
    assert.equal(b.hash, a.hash);
    assert.equal(b.canonical, a.canonical);
  });

  it('is the same whether a default is written out or left implicit', () => {
    const a = parse(VALID);
    const b = parse(VALID.replace('    transfersOutsideEU: none\n', ''));
    assert.ok(a.ok && b.ok);
    assert.equal(b.hash, a.hash);
  });

  it('changes when the content changes', () => {
    const a = parse(VALID);
    const b = parse(VALID.replace('      duration: P2Y\n', '      duration: P3Y\n'));
    const c = parse(VALID.replace('purpose: Session de connexion', 'purpose: Session de connexion au compte'));
    assert.ok(a.ok && b.ok && c.ok);
    assert.notEqual(b.hash, a.hash);
    assert.notEqual(c.hash, a.hash);
    assert.notEqual(c.hash, b.hash);
  });
});
