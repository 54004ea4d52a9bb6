/** For tests of administration and password links: e-mails read from the test SMTP server, an admin signed in through TOTP. */
import assert from 'node:assert/strict';
import { pendingTotpSecret } from '../../accounts/sign-in.ts';
import { totpCode } from '../../accounts/totp.ts';
import { readMail, type TestSmtpServer } from '../../mail/testing.ts';
import type { TestServer } from '../../server/testing.ts';
import { csrfOf, signInWithPassword, type TestBrowser } from '../testing.ts';

/** The decoded text of the `nth` message (from 1) received for `to`, waiting for the outbox to send it. */
export async function mailTo(smtp: TestSmtpServer, to: string, nth = 1, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = smtp.received.filter((m) => m.to.includes(to));
    if (mails.length >= nth) return readMail(mails[nth - 1]!.raw).decoded;
    assert.ok(Date.now() < deadline, `no message number ${nth} for ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const countMailsTo = (smtp: TestSmtpServer, to: string) => smtp.received.filter((m) => m.to.includes(to)).length;

/** The path and query of the link to `segment` in a message (`/t/back-office/invitation?jeton=…`). */
export function linkIn(text: string, segment: string): string {
  const m = new RegExp(`https?://[^/\\s]+(/[^\\s]*/back-office/${segment}\\?jeton=[A-Za-z0-9_-]+)`).exec(text);
  assert.ok(m, `a ${segment} link in the message`);
  return m[1]!;
}

/** Signs an admin or DPO in for the first time: password, then enrolment in TOTP. Returns the secret. */
export async function signInEnrolling(server: TestServer, browser: TestBrowser, tenantId: string, agentId: string, email: string): Promise<string> {
  const first = await signInWithPassword(browser, tenantId, email);
  assert.equal(first.location, `/${tenantId}/back-office/double-authentification`);
  const enrol = await browser.get(first.location);
  const secret = (await pendingTotpSecret(server.database.db, server.ctx.keys, tenantId, agentId))!;
  const done = await browser.post(first.location, { csrf: csrfOf(enrol.body), code: totpCode(secret, Date.now()) });
  assert.equal(done.status, 200);
  return secret;
}
