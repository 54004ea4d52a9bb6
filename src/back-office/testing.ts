/** A browser for tests of the back office: a cookie jar, manual redirects, the CSRF token read from each page. */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { addAgent } from '../accounts/add-agent.ts';
import type { AgentAccount } from '../accounts/agents-repository.ts';
import type { Tables } from '../db/tables.ts';
import type { LoadedRegister } from '../register/register-repository.ts';

export interface Page {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

export class TestBrowser {
  readonly #cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  async #send(method: string, path: string, body?: URLSearchParams): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers['cookie'] = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${this.base}${path}`, { method, headers, redirect: 'manual', ...(body ? { body: body.toString() } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name!.trim());
      else this.#cookies.set(name!.trim(), value);
    }
    return { status: response.status, location: response.headers.get('location'), body: await response.text(), headers: response.headers };
  }

  get(path: string): Promise<Page> {
    return this.#send('GET', path);
  }

  post(path: string, form: Record<string, string | string[]>): Promise<Page> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.#send('POST', path, body);
  }

  /** Loads `pagePath`, then posts its form with the page's CSRF token added. */
  async submit(pagePath: string, action: string, form: Record<string, string | string[]>): Promise<Page> {
    const page = await this.get(pagePath);
    return this.post(action, { csrf: csrfOf(page.body), ...form });
  }
}

export function csrfOf(body: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(body);
  assert.ok(m, 'the page carries a CSRF token');
  return m[1]!;
}

export const PASSWORD = 'Cheval-Batterie-Agrafe-2026!';

export async function agentWithPassword(db: Kysely<Tables>, loaded: LoadedRegister, role: 'agent' | 'dpo' | 'admin', services: string[], email: string): Promise<AgentAccount> {
  const added = await addAgent(db, loaded, { email, role, services, password: PASSWORD });
  assert.ok(added.ok, added.ok ? '' : added.problem);
  return added.agent;
}

/** Signs in with the password; the page it lands on. */
export async function signInWithPassword(browser: TestBrowser, tenantId: string, email: string, password = PASSWORD): Promise<Page> {
  return browser.submit(`/${tenantId}/back-office/connexion`, `/${tenantId}/back-office/connexion`, { email, password });
}

/** Submits a form through the public API as a citizen would; the new record's id. */
export async function submitRecord(baseUrl: string, tenantId: string, formId: string, data: unknown): Promise<string> {
  const r = await fetch(`${baseUrl}/api/v1/${tenantId}/forms/${formId}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  assert.equal(r.status, 201);
  return ((await r.json()) as { id: string }).id;
}
