/** Test helpers of the rights desk: file a request, read the e-mails it sends, follow the confirmation link as a browser. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { csrfOf, TestBrowser } from '../back-office/testing.ts';
import type { DatabaseKind } from '../db/database.ts';
import { readMail, startTestSmtpServer, type TestSmtpServer } from '../mail/testing.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';

/** A server whose e-mails reach a real SMTP server, for the tests of a `describe`: started before them, closed after. */
export function serverWithSmtp(kind: DatabaseKind): { server: TestServer; smtp: TestSmtpServer } {
  const env = {} as { server: TestServer; smtp: TestSmtpServer };
  before(async () => {
    env.smtp = await startTestSmtpServer();
    env.server = await startTestServer({ kind, smtpUrl: env.smtp.url });
  });
  after(async () => {
    await env.server?.close();
    await env.smtp?.close();
  });
  return env;
}

export interface ApiReply {
  status: number;
  body: any;
}

export async function api(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? await response.json() : await response.text() };
}

/** The decoded texts of the messages sent to `to` that match, once there are at least `count`. */
export async function mailsTo(smtp: TestSmtpServer, to: string, pattern: RegExp, count = 1, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = smtp.received.filter((m) => m.to.includes(to)).map((m) => readMail(m.raw).decoded).filter((t) => pattern.test(t));
    if (found.length >= count) return found;
    assert.ok(Date.now() < deadline, `${count} message(s) matching ${pattern} to ${to}; got ${found.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function linkIn(text: string, segment: 'confirmation' | 'reponse', requestId?: string): string {
  const scoped = requestId ? text.split(/\n(?=Bonjour,)/).find((t) => t.includes(requestId)) ?? text : text;
  const m = new RegExp(`https?://[^/\\s]+(/[^\\s]*/mes-droits/${segment}\\?jeton=[A-Za-z0-9_-]+)`).exec(scoped);
  assert.ok(m, `a ${segment} link in the message`);
  return m[1]!;
}

/** Opens the link and presses the button, as the person would. */
export async function confirmLink(base: string, path: string): Promise<{ status: number; body: string }> {
  const browser = new TestBrowser(base);
  const page = await browser.get(path);
  assert.equal(page.status, 200);
  const token = /name="jeton" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const done = await browser.post(path.split('?')[0]!, { csrf: csrfOf(page.body), jeton: token });
  return { status: done.status, body: done.body };
}
