import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testing.ts';
import { testKeyring } from '../server/testing.ts';
import { checkFormToken, FORM_TOKEN_TTL_MS, issueFormToken } from './csrf.ts';

describe('form tokens (CSRF)', () => {
  let database: Database;
  let keys: TenantKeys;
  const session = 'S'.repeat(43);
  const other = 'O'.repeat(43);
  const keyring = testKeyring();
  before(async () => {
    database = await openTestDatabase('pglite');
    await database.db.insertInto('tenants').values([{ id: 'a', name: 'A', current_version: null }, { id: 'b', name: 'B', current_version: null }]).execute();
    keys = new TenantKeys(database.db, keyring);
  });
  after(async () => database.close());

  it('accepts a token for its session, tenant and form, and gives its nonce', async () => {
    const token = await issueFormToken(keys, 'a', session, 'contact');
    const check = await checkFormToken(keys, 'a', session, 'contact', token);
    assert.ok(check.ok);
    assert.match(check.nonce, /^[A-Za-z0-9_-]{22}$/);
  });

  it('is checked by another instance sharing the database and master key (no per-process secret)', async () => {
    const token = await issueFormToken(keys, 'a', session, 'contact');
    const elsewhere = new TenantKeys(database.db, keyring);
    assert.ok((await checkFormToken(elsewhere, 'a', session, 'contact', token)).ok);
  });

  it('refuses another session, form or tenant as forged', async () => {
    const token = await issueFormToken(keys, 'a', session, 'contact');
    assert.deepEqual(await checkFormToken(keys, 'a', other, 'contact', token), { ok: false, reason: 'forged' });
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'autre', token), { ok: false, reason: 'forged' });
    assert.deepEqual(await checkFormToken(keys, 'b', session, 'contact', token), { ok: false, reason: 'forged' });
  });

  it('refuses a token older than two hours, or from the future', async () => {
    const now = Date.now();
    const old = await issueFormToken(keys, 'a', session, 'contact', now - FORM_TOKEN_TTL_MS - 1);
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'contact', old, now), { ok: false, reason: 'expired' });
    const future = await issueFormToken(keys, 'a', session, 'contact', now + 10 * 60_000);
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'contact', future, now), { ok: false, reason: 'expired' });
    const recent = await issueFormToken(keys, 'a', session, 'contact', now - FORM_TOKEN_TTL_MS + 1000);
    assert.ok((await checkFormToken(keys, 'a', session, 'contact', recent, now)).ok);
  });

  it('refuses a missing session or token, and anything not shaped as a token', async () => {
    const token = await issueFormToken(keys, 'a', session, 'contact');
    assert.deepEqual(await checkFormToken(keys, 'a', undefined, 'contact', token), { ok: false, reason: 'missing' });
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'contact', ''), { ok: false, reason: 'missing' });
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'contact', ['x']), { ok: false, reason: 'missing' });
    assert.deepEqual(await checkFormToken(keys, 'a', session, 'contact', 'v1.zz.' + 'a'.repeat(80)), { ok: false, reason: 'malformed' });
  });
});
