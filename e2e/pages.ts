/**
 * The citizen-facing pages the end-to-end tests visit, and a server holding
 * both example registers, each in a second version so that version 1 of
 * each notice is an archived page.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';

export const TENANTS = [
  { id: 'val-fleuri', name: 'Commune de Val-Fleuri', register: EXAMPLE_REGISTERS.commune },
  { id: 'haute-vallee', name: 'Département de la Haute-Vallée', register: EXAMPLE_REGISTERS.departement },
] as const;

export type PageKind = 'home' | 'notice' | 'versions' | 'archived' | 'procedures' | 'rights' | 'not-found';

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
  ]),
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
