import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { sql } from 'kysely';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import type { Database } from '../db/database.ts';
import { parseRegister } from '../register/parse.ts';
import { loadRegister } from '../register/register-loader.ts';
import { loadVersion, type LoadedRegister } from '../register/register-repository.ts';
import { testKeyring } from '../server/testing.ts';
import { submitForm } from './submit-form.ts';

const BASE = 'https://demarches.example.fr';

const MINIMAL = readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8');

/** The minimal register with a health field, retention from creation, and a security-log processing. */
function registerYaml(tenantId: string): string {
  return MINIMAL.replace('id: val-fleuri', `id: ${tenantId}`)
    .replace('      from: closed', '      from: created')
    .replace('    security: [Chiffrement des échanges (TLS), Accès restreint au service scolaire]', '    art9Condition: Protection de la santé de l’enfant (article 9.2.h du RGPD)\n    security: [Chiffrement des échanges (TLS), Accès restreint au service scolaire]')
    .replace(
      '          - { name: dateNaissance,',
      '          - { name: allergies, label: Allergies, type: textarea, category: health, required: false }\n          - { name: dateNaissance,',
    )
    .replace(
      'cookies:',
      `  - id: journaux
    title: Journaux de sécurité
    purposes: [Sécuriser le site]
    legalBasis: legal-obligation
    subjects: [Usagers]
    source: Collecte automatique
    data: [{ category: connection, description: Adresse IP }]
    retention: { duration: P1Y }
    security: [Accès restreint]
securityLogProcessing: journaux
cookies:`,
    );
}

async function setUp(database: Database): Promise<{ loaded: LoadedRegister; keys: TenantKeys }> {
  const tenantId = uniqueTenantId('sub');
  const yaml = registerYaml(tenantId);
  assert.ok(parseRegister(new TextEncoder().encode(yaml)).ok, 'the test register is valid');
  const result = await loadRegister(database.db, new TextEncoder().encode(yaml), 'test');
  assert.ok(result.ok);
  return { loaded: (await loadVersion(database.db, tenantId, result.version))!, keys: new TenantKeys(database.db, testKeyring()) };
}

const CANTINE = { nomEnfant: 'Martin', allergies: 'ArachideZ9Q', dateNaissance: '2019-05-04', courriel: 'Parent@Example.fr', tarif: 'quotient-familial' };

const count = async (database: Database, table: 'records' | 'security_log' | 'record_subjects', tenantId: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(database.db)).rows[0]!.n);

describeEachDatabase('storing a submission', (database) => {
  it('stores the record for its processing and service, with the health field sealed and the rest in clear', async () => {
    const { loaded, keys } = await setUp(database());
    const result = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, ip: '203.0.113.7' });
    assert.ok(result.ok);
    const row = await database().db.selectFrom('records').selectAll().where('tenant_id', '=', loaded.tenantId).executeTakeFirstOrThrow();
    assert.equal(row.processing_id, 'restauration-scolaire');
    assert.equal(row.service_id, 'scolaire');
    assert.equal(row.register_version, loaded.version);
    assert.equal((row.data as Record<string, unknown>)['nomEnfant'], 'Martin');
    assert.equal((row.data as Record<string, unknown>)['allergies'], undefined, 'the health value is not in clear');
    assert.ok(row.sealed && !row.sealed.includes('ArachideZ9Q'));
    assert.equal(JSON.stringify(row).includes('ArachideZ9Q'), false);
    assert.equal(JSON.stringify(row).includes('203.0.113.7'), false, 'the IP address is not in the record');
  });

  it('keeps the submitter’s IP in the security log, with the retention of that processing', async () => {
    const { loaded, keys } = await setUp(database());
    const now = new Date('2026-03-01T10:00:00Z');
    await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, ip: '203.0.113.7', now });
    const log = await database().db.selectFrom('security_log').selectAll().where('tenant_id', '=', loaded.tenantId).executeTakeFirstOrThrow();
    assert.equal(log.ip, '203.0.113.7');
    assert.equal(log.processing_id, 'journaux');
    assert.equal(new Date(log.expires_at).toISOString(), '2027-03-01T10:00:00.000Z');
  });

  it('sets the expiry from the retention rule that matches (5 years with the quotient familial, else 1 year)', async () => {
    const { loaded, keys } = await setUp(database());
    const now = new Date('2026-03-01T10:00:00Z');
    const qf = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, now });
    const plain = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', { ...CANTINE, tarif: 'plein' }, { baseUrl: BASE, now });
    assert.ok(qf.ok && plain.ok);
    const expiry = async (id: string) =>
      new Date((await database().db.selectFrom('records').select('expires_at').where('tenant_id', '=', loaded.tenantId).where('id', '=', id).executeTakeFirstOrThrow()).expires_at!).toISOString();
    assert.equal(await expiry(qf.stored.recordId), '2031-03-01T10:00:00.000Z');
    assert.equal(await expiry(plain.stored.recordId), '2027-03-01T10:00:00.000Z');
  });

  it('indexes the person’s e-mail by keyed hash, the same however it was typed', async () => {
    const { loaded, keys } = await setUp(database());
    const a = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE });
    const b = await submitForm({ db: database().db, keys }, loaded, 'signalement', { nom: 'Martin', email: ' PARENT@example.FR ', description: 'Lampadaire éteint' }, { baseUrl: BASE });
    assert.ok(a.ok && b.ok);
    const rows = await database().db.selectFrom('record_subjects').selectAll().where('tenant_id', '=', loaded.tenantId).execute();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.blind_index, rows[1]!.blind_index);
    assert.ok(!rows[0]!.blind_index.includes('parent'));
  });

  it('stores nothing at all when the data is invalid', async () => {
    const { loaded, keys } = await setUp(database());
    const result = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', { ...CANTINE, dateNaissance: '31/02/2020' }, { baseUrl: BASE, ip: '203.0.113.7' });
    assert.equal(result.ok, false);
    assert.equal(await count(database(), 'records', loaded.tenantId), 0);
    assert.equal(await count(database(), 'security_log', loaded.tenantId), 0);
  });

  it('stores no partial record when a later write fails', async () => {
    const { loaded, keys } = await setUp(database());
    // A constraint that the security-log insert breaks, after the record and its index were written.
    await sql`alter table security_log add constraint test_no_ip check (ip <> '198.51.100.9')`.execute(database().db);
    try {
      await assert.rejects(submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, ip: '198.51.100.9' }));
    } finally {
      await sql`alter table security_log drop constraint test_no_ip`.execute(database().db);
    }
    assert.equal(await count(database(), 'records', loaded.tenantId), 0);
    assert.equal(await count(database(), 'record_subjects', loaded.tenantId), 0);
  });

  it('refuses the same submission key twice: one submission, one record', async () => {
    const { loaded, keys } = await setUp(database());
    const first = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, submissionKey: 'form:abc' });
    const again = await submitForm({ db: database().db, keys }, loaded, 'inscription-cantine', CANTINE, { baseUrl: BASE, submissionKey: 'form:abc' });
    assert.ok(first.ok);
    assert.ok(!again.ok && again.reason === 'duplicate');
    assert.equal(again.original?.recordId, first.stored.recordId, 'the replay is told which record it was');
    assert.equal(again.original?.trackingCode, first.stored.trackingCode, 'and gets the same tracking code back');
    assert.equal(await count(database(), 'records', loaded.tenantId), 1);
  });

  it('inserts in one statement under the public role: a record for another tenant is refused by row-level security', async () => {
    const { loaded } = await setUp(database());
    const other = uniqueTenantId('other');
    const record = { tenant_id: other, id: '00000000-0000-4000-8000-000000000001', processing_id: 'p', form_id: 'f', service_id: 's', register_version: 1, status: 'received', data: {}, tracking_hash: 'x', created_at: new Date(), updated_at: new Date(), frozen: false };
    await assert.rejects(
      sql`select bastide_public_submissions(${loaded.tenantId}, ${JSON.stringify([record])}::jsonb, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb)`.execute(database().db),
      /row-level security/,
    );
    const role = await sql<{ u: string }>`select current_user as u`.execute(database().db);
    assert.notEqual(role.rows[0]!.u, 'bastide_submitter', 'the role ends with the statement');
  });

  it('answers unknown-form for a form of no processing', async () => {
    const { loaded, keys } = await setUp(database());
    assert.deepEqual(await submitForm({ db: database().db, keys }, loaded, 'inexistant', {}, { baseUrl: BASE }), { ok: false, reason: 'unknown-form' });
  });
});
