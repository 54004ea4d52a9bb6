/**
 * The citizen-facing pages the end-to-end tests visit, and a server holding
 * both example registers, each in a second version so that version 1 of
 * each notice is an archived page.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { parseRegister } from '../src/register/parse.ts';
import type { Form } from '../src/register/schema.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';

export const TENANTS = [
  { id: 'val-fleuri', name: 'Commune de Val-Fleuri', register: EXAMPLE_REGISTERS.commune },
  { id: 'haute-vallee', name: 'Département de la Haute-Vallée', register: EXAMPLE_REGISTERS.departement },
] as const;

export type PageKind = 'home' | 'notice' | 'versions' | 'archived' | 'procedures' | 'rights' | 'form' | 'tracking' | 'not-found';

/** Every form of each demo register, as declared. */
export function formsOf(register: URL): Form[] {
  const parsed = parseRegister(new Uint8Array(readFileSync(register)));
  if (!parsed.ok) throw new Error(`${register.pathname} is not a valid register`);
  return parsed.register.processings.flatMap((p) => p.forms);
}

export const FORMS = TENANTS.flatMap((t) => formsOf(t.register).map((form) => ({ tenant: t, form, path: `/${t.id}/demarches/${form.id}` })));

export interface PageCase {
  /** How a test name refers to the page. */
  label: string;
  path: string;
  kind: PageKind;
  status: number;
}

export const PAGES: PageCase[] = [
  { label: 'the home page listing the authorities', path: '/', kind: 'home', status: 200 },
  ...TENANTS.flatMap((t): PageCase[] => [
    { label: `the privacy notice of ${t.name}`, path: `/${t.id}/donnees-personnelles`, kind: 'notice', status: 200 },
    { label: `the list of notice versions of ${t.name}`, path: `/${t.id}/donnees-personnelles/versions`, kind: 'versions', status: 200 },
    { label: `the archived version 1 of the notice of ${t.name}`, path: `/${t.id}/donnees-personnelles/versions/1`, kind: 'archived', status: 200 },
    { label: `the online procedures of ${t.name}`, path: `/${t.id}/demarches`, kind: 'procedures', status: 200 },
    { label: `the rights page of ${t.name}`, path: `/${t.id}/mes-droits`, kind: 'rights', status: 200 },
    { label: `the tracking page of ${t.name}`, path: `/${t.id}/suivi`, kind: 'tracking', status: 200 },
  ]),
  ...FORMS.map(({ tenant, form, path }): PageCase => ({ label: `the blank form « ${form.title} » of ${tenant.name}`, path, kind: 'form', status: 200 })),
  { label: 'the 404 page of an unknown authority', path: '/inconnue/donnees-personnelles', kind: 'not-found', status: 404 },
  { label: 'the 404 page of an unknown page of a known authority', path: '/val-fleuri/page-inconnue', kind: 'not-found', status: 404 },
  { label: 'the 404 page of a notice version that does not exist', path: '/val-fleuri/donnees-personnelles/versions/99', kind: 'not-found', status: 404 },
];

/** Appended to the controller's name in version 2 of each register. */
export const RENAMED_SUFFIX = ' (coordonnées mises à jour)';

/**
 * Starts the real server with both example registers, then loads each one
 * again with its controller renamed, so that each tenant has a version 2 in
 * force and a version 1 archived.
 */
export async function startE2EServer(): Promise<TestServer> {
  const server = await startTestServer({ registers: TENANTS.map((t) => t.register) });
  try {
    for (const t of TENANTS) {
      const doc = parseDocument(await readFile(t.register, 'utf8'));
      doc.setIn(['controller', 'name'], `${String(doc.getIn(['controller', 'name']))}${RENAMED_SUFFIX}`);
      const { version } = await server.load(doc.toString());
      if (version !== 2) throw new Error(`${t.id}: expected version 2 after reloading the register, got ${version}`);
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** A page the server answers to a POST or a query, fetched once for the HTML checker. */
export interface FetchedPage {
  label: string;
  status: number;
  body: string;
}

/**
 * The pages a citizen only reaches by acting: each form sent empty (errors),
 * a confirmation, a refused token, a form sent twice, a saved and a resumed
 * draft, the tracking page with a result and with an error.
 */
export async function actionPages(server: TestServer): Promise<FetchedPage[]> {
  const { openForm, postForm, trackingCodeIn, validFormData } = await import('../src/forms/testing.ts');
  const out: FetchedPage[] = [];
  const add = (label: string, r: { status: number; html: string }) => out.push({ label, status: r.status, body: r.html });
  for (const { tenant, form, path } of FORMS) {
    const opened = await openForm(server.url, path);
    const blank = new FormData();
    for (const g of form.fields.filter((f) => f.type === 'group')) blank.set(`_rows[${g.name}]`, String(Math.max(g.repeat?.min ?? 0, g.required ? 1 : 0)));
    add(`the form « ${form.title} » of ${tenant.name} sent empty`, await postForm(server.url, path, opened, blank));
  }
  const { form, path } = FORMS.find((f) => f.form.id === 'inscription-enfance')!;
  const opened = await openForm(server.url, path);
  const sent = await postForm(server.url, path, opened, validFormData(form));
  add('the confirmation page', sent);
  add('the page of a form sent twice', await postForm(server.url, path, opened, validFormData(form)));
  add('the page of a refused form token', await postForm(server.url, path, { cookie: opened.cookie, token: 'v1.forged' }, validFormData(form)));
  add('the page of a row added', await postForm(server.url, path, await openForm(server.url, path), validFormData(form), 'add:personnesAutorisees'));
  const draft = await postForm(server.url, path, await openForm(server.url, path), validFormData(form), 'draft');
  add('the page of a saved draft', draft);
  const link = /href="(http[^"]+\/brouillon\/[^"]+)"/.exec(draft.html)![1]!;
  const resumed = await fetch(link);
  out.push({ label: 'a resumed draft', status: resumed.status, body: await resumed.text() });
  const code = trackingCodeIn(sent.html)!;
  const lookups: Array<[string, string]> = [
    ['the tracking page showing a request', `?code=${code}`],
    ['the tracking page with an unknown code', '?code=ABCD-EFGH-JKMN'],
  ];
  for (const [label, query] of lookups) {
    const res = await fetch(`${server.url}/val-fleuri/suivi${query}`);
    out.push({ label, status: res.status, body: await res.text() });
  }
  return out;
}
