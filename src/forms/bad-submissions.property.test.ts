/**
 * Generated bad submissions, from the field types of the demo registers:
 * each run takes a valid submission of one form and spoils one field (or
 * group) with a bad value of a kind its type allows: the wrong JSON type,
 * a lone surrogate, a control character, a value too long, out of its
 * pattern or its date bounds, an impossible date, an option not offered,
 * deep nesting, a key sent twice, ten thousand keys, a required value left
 * out, rows beyond the group's bounds, a field the form does not declare…
 * Every one must get a 400 whose errors all name that field, never a 5xx,
 * and none may be stored. Good values (accented and Arabic names, bidi
 * marks that are stripped, French dates, padded options) must still pass.
 *
 * Runs on every database: the good submissions are stored in it, and the
 * count of records that proves no bad one was is read from it. Fixed seed
 * (BASTIDE_FUZZ_SEED=n to draw others); a failure prints the seed, the path
 * of the failing run and the counterexample (`tenant/form/field` and the
 * mutation), so that the same seed replays it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { compilePattern } from '../register/field-pattern.ts';
import { parseRegister } from '../register/parse.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import type { Field, Form } from '../register/schema.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { dateBounds } from './field-validation.ts';
import { fieldId, inputName } from './form-fields-html.ts';
import { PNG, rowsToFill, sampleFor, validData, validFormData, validRow, type Sample } from './testing.ts';

const SEED = Number.parseInt(process.env['BASTIDE_FUZZ_SEED'] ?? '20261202', 10);
if (!Number.isSafeInteger(SEED)) throw new Error('BASTIDE_FUZZ_SEED must be an integer');
const BAD_API_RUNS = 10_000;
const BAD_FORM_RUNS = 1_000;
const GOOD_RUNS = 300;

// ---------------------------------------------------------------------------
// What can be spoilt: every field of every form, in every row of its group.

interface Target {
  tenant: string;
  form: Form;
  field: Field;
  /** `nom`, `enfants`, `enfants[1].prenom`. */
  path: string;
  group?: Field;
  row?: number;
}

/** A target prints as `tenant/form/path` in a counterexample, not as its whole form. */
function target(t: Target): Target {
  return Object.assign(t, { [fc.toStringMethod]: () => `${t.tenant}/${t.form.id}/${t.path}` });
}

function registerOf(url: URL) {
  const parsed = parseRegister(new Uint8Array(readFileSync(url)));
  if (!parsed.ok) throw new Error(`${url} is invalid`);
  return parsed.register;
}

const TARGETS: Target[] = [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement].flatMap((url) => {
  const register = registerOf(url);
  return register.processings.flatMap((p) =>
    p.forms.flatMap((form) =>
      form.fields.flatMap((field): Target[] => {
        const own = target({ tenant: register.tenant.id, form, field, path: field.name });
        if (field.type !== 'group') return [own];
        return [
          own,
          ...Array.from({ length: rowsToFill(field) }, (_, row) =>
            (field.fields ?? []).map((sub) => target({ tenant: register.tenant.id, form, field: sub, path: `${field.name}[${row}].${sub.name}`, group: field, row })),
          ).flat(),
        ];
      }),
    ),
  );
});
const TENANTS = [...new Set(TARGETS.map((t) => t.tenant))];

/** The object holding the target's value in `data`. */
function holder(data: Record<string, unknown>, t: Target): Record<string, unknown> {
  return t.group ? (data[t.group.name] as Array<Record<string, unknown>>)[t.row!]! : data;
}

// ---------------------------------------------------------------------------
// Bad values, by kind. A mutation is a small description (printed as is when
// a run fails); the value itself is built from it.

type Mutation =
  | { kind: 'json'; value: unknown }
  | { kind: 'insert'; char: number; at: number; inFilename: boolean }
  | { kind: 'long'; extra: number }
  | { kind: 'nesting'; depth: number; object: boolean }
  | { kind: 'many-keys'; count: number }
  | { kind: 'duplicate-key' }
  | { kind: 'missing'; value: null | '' | '   ' | 'absent' }
  | { kind: 'rows'; count: number }
  | { kind: 'unknown-field'; name: string };

const CONTROLS = [...Array.from({ length: 32 }, (_, i) => i).filter((c) => c !== 9 && c !== 10 && c !== 13), ...Array.from({ length: 33 }, (_, i) => 0x7f + i)];
const anyControl = (multiline: boolean) => fc.constantFrom(...(multiline ? CONTROLS : [...CONTROLS, 10, 13]));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff });
const insert = (char: fc.Arbitrary<number>, inFilename = false) =>
  fc.record({ kind: fc.constant('insert' as const), char, at: fc.nat({ max: 1000 }), inFilename: fc.constant(inFilename) });
const json = (...values: unknown[]) => fc.constantFrom(...values).map((value) => ({ kind: 'json' as const, value }));
const wrongJsonTypes = json(12, 0, -1.5, true, false, { value: 'x' }, ['x'], [[]], {});

/** Strings that the field's cleaning (trim) keeps as they are, for the refusals that depend on the content. */
const visible = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength }).filter((s) => s.trim() === s);

function isoPlusDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The kinds of bad value a field can get, each with its arbitrary. */
function badFor(t: Target): fc.Arbitrary<Mutation> {
  const f = t.field;
  const structural: Array<fc.Arbitrary<Mutation>> = [
    fc.record({ kind: fc.constant('nesting' as const), depth: fc.oneof(fc.integer({ min: 33, max: 60 }), fc.integer({ min: 61, max: 5000 })), object: fc.boolean() }),
    fc.record({ kind: fc.constant('many-keys' as const), count: fc.integer({ min: 10_001, max: 11_000 }) }),
    fc.constant({ kind: 'duplicate-key' as const }),
    fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,15}$/)
      .filter((name) => !(t.group?.fields ?? t.form.fields).some((g) => g.name === name))
      .map((name) => ({ kind: 'unknown-field' as const, name })),
  ];
  const missing: Array<fc.Arbitrary<Mutation>> = f.required ? [fc.constantFrom(null, '', '   ', 'absent' as const).map((value) => ({ kind: 'missing' as const, value }))] : [];
  if (f.type === 'group') {
    const least = Math.max(f.repeat?.min ?? 0, f.required ? 1 : 0);
    const max = f.repeat?.max ?? 1;
    const rows = least > 0 ? fc.oneof(fc.integer({ min: max + 1, max: max + 3 }), fc.integer({ min: 0, max: least - 1 })) : fc.integer({ min: max + 1, max: max + 3 });
    return fc.oneof(...structural, json('enfant', 3, true, { nom: 'x' }, ['x'], [1, 2], [[]], [null]), rows.map((count) => ({ kind: 'rows' as const, count })));
  }
  const multiline = f.type === 'textarea' || f.type === 'address';
  const strings: Array<fc.Arbitrary<Mutation>> = [insert(loneSurrogate), insert(anyControl(multiline))];
  switch (f.type) {
    case 'text':
    case 'textarea':
    case 'address': {
      const kinds = [...strings, wrongJsonTypes, fc.record({ kind: fc.constant('long' as const), extra: fc.integer({ min: 1, max: 3000 }) })];
      if (f.pattern) {
        const re = compilePattern(f.pattern);
        const max = f.maxLength ?? 200;
        kinds.push(fc.oneof(json('1.5', '31 000', 'ABCDE', '3100', '-3100', '31OOO'), visible('0123456789.-, aZé', Math.min(max, 12)).map((value) => ({ kind: 'json' as const, value }))).filter((m) => !re.test(String((m as { value: unknown }).value))));
      }
      return fc.oneof(...structural, ...missing, ...kinds);
    }
    case 'email':
      return fc.oneof(...structural, ...missing, ...strings, wrongJsonTypes, json('jeanne@', '@example.fr', 'jeanne.example.fr', 'a@b', 'a b@c.fr', 'a@b..', 'a@@b.fr', '<a@b.fr>', 'a@b.c'), fc.record({ kind: fc.constant('long' as const), extra: fc.integer({ min: 1, max: 500 }) }));
    case 'phone':
      return fc.oneof(...structural, ...missing, ...strings, wrongJsonTypes, json('12', 'abc', '06 12', '+33', '0000000000', '06-12-34-56-7', '+1'), fc.record({ kind: fc.constant('long' as const), extra: fc.integer({ min: 1, max: 500 }) }));
    case 'date': {
      const { notBefore, notAfter } = dateBounds(f);
      const kinds = [...strings, wrongJsonTypes, json('31/02/2026', '2026-02-30', '29/02/2025', '12/13/2020', 'hier', '01/01/1850', '2026-1-1', '2026/01/01', '99999-01-01', '20260101', '2101-01-01')];
      if (notAfter) kinds.push(fc.integer({ min: 1, max: 20_000 }).map((days) => ({ kind: 'json' as const, value: isoPlusDays(notAfter.iso, days) })));
      if (notBefore) kinds.push(fc.integer({ min: 1, max: 9_000 }).map((days) => ({ kind: 'json' as const, value: isoPlusDays(notBefore.iso, -days) })));
      return fc.oneof(...structural, ...missing, ...kinds);
    }
    case 'select': {
      const options = new Set((f.options ?? []).map((o) => o.value));
      return fc.oneof(
        ...structural,
        ...missing,
        ...strings,
        wrongJsonTypes,
        visible('abcdefghijklmnopqrstuvwxyz-0123456789 É', 20)
          .filter((s) => !options.has(s))
          .map((value) => ({ kind: 'json' as const, value })),
        fc.record({ kind: fc.constant('long' as const), extra: fc.integer({ min: 1, max: 500 }) }),
      );
    }
    case 'checkbox':
      return fc.oneof(...structural, ...(f.required ? [json(false, 'false', '0', null, '')] : []), json('peut-être', 'oui', 'yes', 'ON ', 2, 0, -1, {}, ['on'], 'o\u0000n'), insert(loneSurrogate));
    case 'file': {
      const pdfOnly = !(f.accept ?? []).includes('image/png');
      return fc.oneof(
        ...structural,
        ...missing,
        insert(loneSurrogate, true),
        insert(anyControl(false), true),
        json(
          'cv.pdf',
          42,
          { filename: 'a.pdf' },
          { filename: 5, contentBase64: 'JVBERi0=' },
          { filename: 'a.pdf', contentBase64: '' },
          { filename: 'a.pdf', contentBase64: '!!!!' },
          { filename: 'a.pdf', contentBase64: Buffer.from('du texte, pas un PDF').toString('base64') },
          ...(pdfOnly ? [{ filename: 'faux.pdf', contentBase64: PNG.toString('base64') }] : []),
          [{ filename: 'a.pdf', contentBase64: 'JVBERi0=' }],
        ),
      );
    }
    default:
      return fc.oneof(...structural, ...missing, ...strings, wrongJsonTypes);
  }
}

const PLACEHOLDER = '@@mutation@@';

function nested(depth: number, object: boolean): string {
  return object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** `base` with `char` at `at` (wrapped); a line break goes inside, since a value is trimmed first. */
function inserted(base: string, char: number, at: number): string {
  const inside = char === 10 || char === 13;
  const i = inside ? 1 + (at % Math.max(1, base.length - 1)) : at % (base.length + 1);
  return base.slice(0, i) + String.fromCharCode(char) + base.slice(i);
}

function longValue(f: Field, extra: number): string {
  if (f.type === 'email') return `${'a'.repeat(250 + extra)}@exemple.fr`;
  const max = f.type === 'text' || f.type === 'textarea' || f.type === 'address' ? (f.maxLength ?? { text: 200, textarea: 5000, address: 300 }[f.type]) : 300;
  return 'x'.repeat(max + extra);
}

/** The JSON text of the submission, and the path its errors must name. */
function apply(t: Target, m: Mutation): { body: string; path: string } {
  const data = validData(t.form);
  const where = holder(data, t);
  const key = t.field.name;
  const base = where[key];
  let raw: string | undefined;
  let path = t.path;
  switch (m.kind) {
    case 'json':
      where[key] = m.value;
      break;
    case 'insert':
      if (m.inFilename) where[key] = { ...(base as object), filename: inserted((base as { filename: string }).filename, m.char, m.at) };
      else where[key] = inserted(typeof base === 'string' ? base : 'on', m.char, m.at);
      break;
    case 'long':
      where[key] = longValue(t.field, m.extra);
      break;
    case 'nesting':
      raw = nested(m.depth, m.object);
      break;
    case 'many-keys':
      raw = `{${Array.from({ length: m.count }, (_, i) => `"k${i}":${i}`).join(',')}}`;
      break;
    case 'duplicate-key':
      raw = `${JSON.stringify(base)},${JSON.stringify(key)}:${JSON.stringify(base)}`;
      break;
    case 'missing':
      if (m.value === 'absent') delete where[key];
      else where[key] = m.value;
      break;
    case 'rows':
      where[key] = Array.from({ length: m.count }, () => validRow(t.field));
      break;
    case 'unknown-field':
      where[m.name] = 'valeur';
      path = t.path.replace(/[^.]+$/, m.name);
      break;
  }
  if (raw === undefined) return { body: JSON.stringify({ data }), path };
  where[key] = PLACEHOLDER;
  return { body: JSON.stringify({ data }).replace(JSON.stringify(PLACEHOLDER), raw), path };
}

/** An error names the field: its path (validation) or its JSON path (the body parser), or something inside it. */
function names(error: string, path: string): boolean {
  return [path, `data.${path}`].some((p) => error === p || error.startsWith(`${p}.`) || error.startsWith(`${p}[`));
}

// ---------------------------------------------------------------------------
// The HTML form takes strings and files only: the kinds a browser can send.

type FormMutation = { kind: 'text'; value: string } | { kind: 'twice' } | { kind: 'omit' } | { kind: 'rows'; count: number } | { kind: 'file'; sample: 'empty-name-control' | 'wrong-type' };

function formBadFor(t: Target): fc.Arbitrary<FormMutation> {
  const f = t.field;
  const text = (a: fc.Arbitrary<string>) => a.map((value) => ({ kind: 'text' as const, value }));
  const base = sampleFor(f);
  const baseText = base.kind === 'text' || base.kind === 'select' ? base.value : 'on';
  if (f.type === 'group') {
    const max = f.repeat?.max ?? 1;
    return fc.integer({ min: max + 1, max: max + 3 }).map((count) => ({ kind: 'rows' as const, count }));
  }
  if (f.type === 'file')
    return fc.oneof(fc.constantFrom('empty-name-control' as const, 'wrong-type' as const).map((sample) => ({ kind: 'file' as const, sample })), ...(f.required ? [fc.constant({ kind: 'omit' as const })] : []));
  const multiline = f.type === 'textarea' || f.type === 'address';
  const kinds: Array<fc.Arbitrary<FormMutation>> = [
    fc.tuple(anyControl(multiline), fc.nat({ max: 1000 })).map(([c, at]) => ({ kind: 'text' as const, value: inserted(baseText, c, at) })),
    fc.constant({ kind: 'twice' as const }),
  ];
  if (f.required) kinds.push(f.type === 'checkbox' ? fc.constant({ kind: 'omit' as const }) : text(fc.constantFrom('', '   ')));
  if (f.type === 'text' || f.type === 'textarea' || f.type === 'address') kinds.push(fc.integer({ min: 1, max: 3000 }).map((extra) => ({ kind: 'text' as const, value: longValue(f, extra) })));
  if (f.type === 'text' && f.pattern) {
    const re = compilePattern(f.pattern);
    kinds.push(text(visible('0123456789.-, aZé', Math.min(f.maxLength ?? 200, 12)).filter((s) => !re.test(s))));
  }
  if (f.type === 'date') {
    const { notAfter } = dateBounds(f);
    kinds.push(text(fc.constantFrom('31/02/2026', 'hier', '2026-13-01', '01/01/1850')));
    if (notAfter) kinds.push(text(fc.integer({ min: 1, max: 20_000 }).map((d) => isoPlusDays(notAfter.iso, d))));
  }
  if (f.type === 'email') kinds.push(text(fc.constantFrom('camille@', 'camille.exemple.fr', 'a b@c.fr')));
  if (f.type === 'phone') kinds.push(text(fc.constantFrom('12', '06 12', 'abc')));
  if (f.type === 'select') kinds.push(text(fc.constantFrom('pirate', 'AUTRE', '0')));
  if (f.type === 'checkbox') kinds.push(text(fc.constantFrom('peut-être', 'oui', '2')));
  return fc.oneof(...kinds);
}

// ---------------------------------------------------------------------------
// Good values that must pass, of kinds that once risked a refusal.

const NAMES = ['Zoé Lefèvre', '\u200Fمحمد بن علي\u200F', 'Nguyễn Thị Minh', 'Le Goff ar C’hoz', 'Ñúñez-García', '  Dupont  ', 'Dupont\tMartin', 'Zoe\u0301', 'O’Brien', '\u2067Łukasz\u2069'];

function goodFor(t: Target): fc.Arbitrary<unknown> | undefined {
  const f = t.field;
  switch (f.type) {
    case 'text':
      if (f.pattern) {
        const re = compilePattern(f.pattern);
        return fc.stringMatching(/^[0-9]{5}$/).filter((s) => re.test(s));
      }
      return (f.maxLength ?? 200) >= 30 ? fc.constantFrom(...NAMES) : undefined;
    case 'textarea':
    case 'address':
      return fc.constantFrom('12 rue des Lilas\r\nBât. B', 'مرحبا\u200F، شكرا\n\tligne 2', 'Ligne 1\n\nLigne 3 : « guillemets » & <balises>');
    case 'email':
      return fc.constantFrom(' Jeanne.Dupont@Example.FR ', 'jeanne\u200B.dupont@exemple.fr', 'zoé@exemple.fr');
    case 'phone':
      return fc.constantFrom('+33 6 12 34 56 78', '0612345678', '06.12.34.56.78', ' 05 61 00 00 00 ');
    case 'date': {
      const { notBefore, notAfter } = dateBounds(f);
      const days = [notBefore?.iso, notAfter?.iso, '2015-07-14'].filter((d): d is string => d !== undefined);
      return fc.constantFrom(...days, '14/07/2015', '1/2/2015');
    }
    case 'select':
      return fc.constantFrom(...(f.options ?? []).flatMap((o) => [o.value, ` ${o.value} `]));
    case 'checkbox':
      return fc.constantFrom(true, 'on', 'true', '1');
    default:
      return undefined;
  }
}

/** Arbitraries are built once per target: building one (patterns, filters) costs more than drawing from it. */
const built = new Map<unknown, Map<Target, unknown>>();
function memo<A>(make: (t: Target) => A, t: Target): A {
  const byTarget = built.get(make) ?? new Map<Target, unknown>();
  built.set(make, byTarget);
  if (!byTarget.has(t)) byTarget.set(t, make(t));
  return byTarget.get(t) as A;
}

// ---------------------------------------------------------------------------

for (const kind of testDatabaseKinds()) {
  describe(`generated bad submissions (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement], submissionsPerMinute: 1_000_000 });
      // As in production, the register in force is read again after a while, not on every request
      // (the test server's zero TTL would make each of these requests a query, most of the run's time).
      server.ctx.registers = new RegisterDirectory(server.database.db, { ttlMs: 60_000 });
    });
    after(async () => server.close());

    const stored = async () => {
      let n = 0;
      for (const tenantId of TENANTS)
        n += await withPrincipal(server.database.db, { kind: 'system', tenantId }, async (trx) =>
          Number((await trx.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
        );
      return n;
    };

    const submit = (t: Target, body: string) =>
      server.app.inject({ method: 'POST', url: `/api/v1/${t.tenant}/forms/${t.form.id}/submissions`, headers: { 'content-type': 'application/json' }, payload: body });

    /** A form page opened once: its session cookie and token serve every refused post (only a stored one uses a token up). */
    const opened = new Map<string, { cookie: string; token: string }>();
    async function open(t: Target, fresh = false) {
      const key = `${t.tenant}/${t.form.id}`;
      if (!fresh && opened.has(key)) return opened.get(key)!;
      const res = await server.app.inject({ method: 'GET', url: `/${t.tenant}/demarches/${t.form.id}` });
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(res.body)![1]!;
      opened.set(key, { cookie, token });
      return { cookie, token };
    }
    async function postForm(t: Target, body: FormData, fresh = false) {
      const { cookie, token } = await open(t, fresh);
      body.set('_csrf', token);
      body.set('_action', 'submit');
      const request = new Request('http://localhost/', { method: 'POST', body });
      const payload = Buffer.from(await request.arrayBuffer());
      return server.app.inject({ method: 'POST', url: `/${t.tenant}/demarches/${t.form.id}`, headers: { cookie, 'content-type': request.headers.get('content-type')! }, payload });
    }

    it(`answers ${BAD_API_RUNS.toLocaleString('en')} bad API submissions with a 400 naming the field, and ${BAD_FORM_RUNS.toLocaleString('en')} bad HTML forms with the page and the field's message, storing nothing`, async () => {
      const started = Date.now();
      const api = fc.constantFrom(...TARGETS).chain((t) => fc.tuple(fc.constant(t), memo(badFor, t)));
      await fc.assert(
        fc.asyncProperty(api, async ([t, m]) => {
          const { body, path } = apply(t, m);
          const res = await submit(t, body);
          assert.equal(res.statusCode, 400, `${t.form.id} ${t.path} ${m.kind}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          const errors = (res.json() as { errors: Array<{ field: string; message: string }> }).errors;
          assert.ok(errors.length > 0 && errors.every((e) => names(e.field, path) && typeof e.message === 'string' && e.message.length > 0), `${t.form.id} ${path} ${m.kind}: ${JSON.stringify(errors).slice(0, 500)}`);
        }),
        { seed: SEED, numRuns: BAD_API_RUNS, endOnFailure: true, examples: [] },
      );

      const html = fc.constantFrom(...TARGETS).chain((t) => fc.tuple(fc.constant(t), memo(formBadFor, t)));
      await fc.assert(
        fc.asyncProperty(html, async ([t, m]) => {
          const name = inputName(t.path);
          const overrides: Record<string, string | Sample | null> = {};
          if (m.kind === 'text') overrides[name] = m.value;
          if (m.kind === 'omit') overrides[name] = null;
          if (m.kind === 'file')
            overrides[name] =
              m.sample === 'wrong-type' ? { kind: 'file', name: 'piece.pdf', mimeType: 'application/pdf', buffer: Buffer.from('du texte') } : { kind: 'file', name: 'pi\u0007ce.pdf', mimeType: 'application/pdf', buffer: (sampleFor(t.field) as { buffer: Buffer }).buffer };
          const body = validFormData(t.form, overrides);
          if (m.kind === 'twice') body.append(name, body.get(name) ?? 'on');
          if (m.kind === 'rows') {
            body.set(`_rows[${t.field.name}]`, String(m.count));
            for (let i = rowsToFill(t.field); i < m.count; i++) for (const sub of t.field.fields ?? []) if (sub.type !== 'file') body.set(`${t.field.name}[${i}][${sub.name}]`, (sampleFor(sub) as { value?: string }).value ?? 'on');
          }
          const res = await postForm(t, body);
          assert.equal(res.statusCode, 400, `${t.form.id} ${t.path} ${m.kind}: ${res.statusCode}`);
          assert.ok(res.body.includes(`id="${fieldId(t.path)}-error"`), `${t.form.id} ${t.path} ${JSON.stringify(m).slice(0, 200)}: no message tied to the field`);
        }),
        { seed: SEED, numRuns: BAD_FORM_RUNS, endOnFailure: true },
      );

      assert.equal(await stored(), 0, 'no bad submission was stored');
      console.log(`# ${BAD_API_RUNS + BAD_FORM_RUNS} bad submissions (seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it(`accepts ${GOOD_RUNS} submissions with good values of the kinds that once risked a refusal`, async () => {
      const before = await stored();
      let accepted = 0;
      const good = fc
        .constantFrom(...TARGETS.filter((t) => goodFor(t) !== undefined))
        .chain((t) => fc.tuple(fc.constant(t), memo(goodFor, t)!, fc.boolean()));
      await fc.assert(
        fc.asyncProperty(good, async ([t, value, viaForm]) => {
          if (viaForm && typeof value === 'string') {
            const res = await postForm(t, validFormData(t.form, { [inputName(t.path)]: value }), true);
            assert.equal(res.statusCode, 200, `${t.form.id} ${t.path} ${JSON.stringify(value)}: ${res.body.match(/<section class="error-summary"[\s\S]*?<\/section>/)?.[0]}`);
          } else {
            const data = validData(t.form);
            holder(data, t)[t.field.name] = value;
            const res = await submit(t, JSON.stringify({ data }));
            assert.equal(res.statusCode, 201, `${t.form.id} ${t.path} ${JSON.stringify(value)}: ${res.body}`);
          }
          accepted++;
        }),
        { seed: SEED, numRuns: GOOD_RUNS, endOnFailure: true },
      );
      assert.equal(await stored(), before + accepted);
    });
  });
}
