/** For tests of citizen accounts: sign up and confirm through the pages, links read from the test SMTP server, a form sent while signed in. */
import assert from 'node:assert/strict';
import { csrfOf, type Page, type TestBrowser } from '../back-office/testing.ts';
import { openForm, postForm, trackingCodeIn } from '../forms/testing.ts';
import { readMail, type TestSmtpServer } from '../mail/testing.ts';

export const CITIZEN_PASSWORD = 'Tulipe-Horizon-Brique-2026!';

export const account = (tenantId: string) => `/${tenantId}/mon-compte`;

export function signUp(browser: TestBrowser, tenantId: string, email: string, password = CITIZEN_PASSWORD): Promise<Page> {
  return browser.submit(`${account(tenantId)}/inscription`, `${account(tenantId)}/inscription`, { email, password, confirmation: password });
}

/** The path of the `segment?jeton=` link in a message. */
export function citizenLink(text: string, segment: 'confirmation' | 'nouveau-mot-de-passe'): string {
  const m = new RegExp(`https?://[^/\\s]+(/[^\\s]*/mon-compte/${segment}\\?jeton=[A-Za-z0-9_-]+)`).exec(text);
  assert.ok(m, `a ${segment} link in the message`);
  return m[1]!;
}

/** The path of the newest `segment` link e-mailed to `to` (receipts of requests sent earlier may come first). */
export async function waitForCitizenLink(smtp: TestSmtpServer, to: string, segment: 'confirmation' | 'nouveau-mot-de-passe', timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const pattern = new RegExp(`/mon-compte/${segment}\\?jeton=`);
  for (;;) {
    const found = smtp.received.map((m) => m.to.includes(to) && readMail(m.raw).decoded).filter((text): text is string => typeof text === 'string' && pattern.test(text));
    if (found.length > 0) return citizenLink(found.at(-1)!, segment);
    assert.ok(Date.now() < deadline, `no ${segment} link e-mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens the link's page and posts its form with the password; the answer. */
export async function confirm(browser: TestBrowser, link: string, password = CITIZEN_PASSWORD): Promise<Page> {
  const page = await browser.get(link);
  const token = /name="jeton" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return browser.post(link.split('?')[0]!, { csrf: csrfOf(page.body), jeton: token, password });
}

/** A confirmed account, signed in in `browser`. */
export async function confirmedCitizen(browser: TestBrowser, smtp: TestSmtpServer, tenantId: string, email: string): Promise<void> {
  assert.equal((await signUp(browser, tenantId, email)).status, 200);
  const done = await confirm(browser, await waitForCitizenLink(smtp, email, 'confirmation'));
  assert.equal(done.status, 303, done.body);
}

export function signIn(browser: TestBrowser, tenantId: string, email: string, password = CITIZEN_PASSWORD): Promise<Page> {
  return browser.submit(`${account(tenantId)}/connexion`, `${account(tenantId)}/connexion`, { email, password });
}

export function cookieHeader(browser: TestBrowser): string {
  return ['bastide_session', 'bastide_citoyen'].flatMap((n) => (browser.cookie(n) ? [`${n}=${browser.cookie(n)}`] : [])).join('; ');
}

/** Sends the HTML form as the browser (with its cookies); the tracking code shown. */
export async function sendForm(browser: TestBrowser, tenantId: string, formId: string, values: Record<string, string>): Promise<string> {
  const path = `/${tenantId}/demarches/${formId}`;
  const opened = await openForm(browser.base, path, cookieHeader(browser));
  if (!browser.cookie('bastide_session')) browser.setCookie('bastide_session', opened.cookie.split('=').slice(1).join('='));
  const body = new FormData();
  for (const [k, v] of Object.entries(values)) body.append(k, v);
  const sent = await postForm(browser.base, path, { cookie: cookieHeader(browser), token: opened.token }, body);
  assert.equal(sent.status, 200, sent.html.slice(0, 500));
  const code = trackingCodeIn(sent.html);
  assert.ok(code);
  return code;
}
