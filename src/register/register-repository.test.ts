import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadRegister } from './register-loader.ts';
import { currentVersionNumber, listTenants, listVersions, loadVersion } from './register-repository.ts';

const MINIMAL = readFileSync(new URL('./fixtures/valid-minimal.yaml', import.meta.url), 'utf8');

/** The minimal register under another tenant id, optionally with its controller renamed. */
function registerFor(tenantId: string, controllerName = 'Mairie de Val-Fleuri', comment = ''): Uint8Array {
  const yaml = MINIMAL.replace('id: val-fleuri', `id: ${tenantId}`).replace('name: Mairie de Val-Fleuri', `name: ${controllerName}`);
  return new TextEncoder().encode(`${comment}${yaml}`);
}

async function load(db: Parameters<typeof loadRegister>[0], bytes: Uint8Array) {
  const result = await loadRegister(db, bytes, 'test');
  assert.ok(result.ok, 'the register should load');
  return result;
}

describeEachDatabase('register versions', (database) => {
  it('creates the tenant with version 1 on first load', async () => {
    const tenant = uniqueTenantId();
    const result = await load(database().db, registerFor(tenant));
    assert.equal(result.tenantId, tenant);
    assert.equal(result.version, 1);
    assert.equal(result.created, true);
    assert.ok((await listTenants(database().db)).some((t) => t.id === tenant && t.currentVersion === 1));
  });

  it('keeps the version when only comments or layout changed', async () => {
    const tenant = uniqueTenantId();
    await load(database().db, registerFor(tenant));
    const again = await load(database().db, registerFor(tenant, undefined, '# relu par le DPO le 3 mars\n\n'));
    assert.equal(again.version, 1);
    assert.equal(again.created, false);
    assert.equal((await listVersions(database().db, tenant)).length, 1);
  });

  it('creates a new version when the content changes, and keeps the earlier ones', async () => {
    const tenant = uniqueTenantId();
    await load(database().db, registerFor(tenant));
    const second = await load(database().db, registerFor(tenant, 'Mairie de Val-Fleuri (nouvelle équipe)'));
    assert.equal(second.version, 2);
    const back = await load(database().db, registerFor(tenant));
    assert.equal(back.version, 3, 'going back to the first content is a change too');
    const versions = await listVersions(database().db, tenant);
    assert.deepEqual(versions.map((v) => v.version), [3, 2, 1]);
    assert.equal(versions[0]!.hash, versions[2]!.hash);
    const first = await loadVersion(database().db, tenant, 1);
    assert.equal(first?.register.controller.name, 'Mairie de Val-Fleuri');
    assert.equal((await loadVersion(database().db, tenant, 2))?.register.controller.name, 'Mairie de Val-Fleuri (nouvelle équipe)');
    assert.equal(await currentVersionNumber(database().db, tenant), 3);
  });

  it('records who loaded each version and keeps the YAML as written', async () => {
    const tenant = uniqueTenantId();
    const bytes = registerFor(tenant, undefined, '# commentaire conservé\n');
    await loadRegister(database().db, bytes, 'dpo@exemple');
    const [v] = await listVersions(database().db, tenant);
    assert.equal(v?.loadedBy, 'dpo@exemple');
    const row = await database().db.selectFrom('register_versions').select('source').where('tenant_id', '=', tenant).executeTakeFirstOrThrow();
    assert.match(row.source, /^# commentaire conservé/);
  });

  it('gives distinct version numbers to concurrent loads of one tenant', async () => {
    const tenant = uniqueTenantId();
    await load(database().db, registerFor(tenant));
    const results = await Promise.all(['A', 'B', 'C'].map((n) => load(database().db, registerFor(tenant, `Mairie ${n}`))));
    assert.deepEqual(results.map((r) => r.version).sort(), [2, 3, 4]);
  });

  it('keeps tenants apart: loading one never changes another', async () => {
    const a = uniqueTenantId('a');
    const b = uniqueTenantId('b');
    await load(database().db, registerFor(a));
    await load(database().db, registerFor(b));
    await load(database().db, registerFor(b, 'Autre mairie'));
    assert.equal(await currentVersionNumber(database().db, a), 1);
    assert.equal(await currentVersionNumber(database().db, b), 2);
  });

  it('loads nothing from an invalid register', async () => {
    const tenant = uniqueTenantId();
    const bad = new TextEncoder().encode(new TextDecoder().decode(registerFor(tenant)).replace('duration: P2Y', 'duration: 2 ans'));
    const result = await loadRegister(database().db, bad, 'test');
    assert.equal(result.ok, false);
    assert.equal(await currentVersionNumber(database().db, tenant), undefined);
  });
});
