/**
 * Need-to-know in PostgreSQL itself: with raw SQL, in an agent's transaction,
 * only the records of its tenant and its services exist, whatever the query.
 *
 * What this protects against, and what not: a route that forgets a WHERE
 * clause, or asks for another service's or tenant's id, gets nothing, since
 * the database filters every statement. It does not protect against SQL
 * injected into the transaction: such SQL can change the transaction's own
 * settings (set_config) or role, as the last test shows. Queries are built
 * with Kysely's bound parameters for that reason.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { addAgent } from '../accounts/add-agent.ts';
import { recordsPrincipal, resolveActor } from '../accounts/actor.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { testKeyring } from '../server/testing.ts';
import { submitForm } from './submit-form.ts';
import { contactData, loadCommune, reportData } from './testing.ts';
import { trackingHash } from './tracking-code.ts';

const BASE = 'https://demarches.example.fr';

interface Seeded {
  tenantId: string;
  contacts: string[];
  report: string;
  trackingCode: string;
}

async function seed(db: Kysely<Tables>, keys: TenantKeys, tenantId: string): Promise<Seeded> {
  const loaded = await loadCommune(db, tenantId);
  const submit = async (formId: string, data: unknown) => {
    const result = await submitForm({ db, keys }, loaded, formId, data, { baseUrl: BASE });
    assert.ok(result.ok);
    return result.stored;
  };
  const first = await submit('contact-mairie', contactData());
  const second = await submit('contact-mairie', contactData({ nom: 'Lefebvre' }));
  const report = await submit('signalement', reportData());
  return { tenantId, contacts: [first.recordId, second.recordId], report: report.recordId, trackingCode: first.trackingCode };
}

const agentOf = (tenantId: string, ...services: string[]): Principal => ({ kind: 'agent', tenantId, agentId: '00000000-0000-4000-8000-000000000001', services });

async function rows(db: Kysely<Tables>, principal: Principal, query: string) {
  return withPrincipal(db, principal, async (trx) => (await sql.raw<Record<string, unknown>>(query).execute(trx)).rows);
}

async function count(db: Kysely<Tables>, principal: Principal, table = 'records'): Promise<number> {
  const [row] = await rows(db, principal, `SELECT count(*) AS n FROM ${table}`);
  return Number(row!['n']);
}

describeEachDatabase('row-level security on records', (database) => {
  let a: Seeded;
  let b: Seeded;
  before(async () => {
    const db = database().db;
    const keys = new TenantKeys(db, testKeyring());
    a = await seed(db, keys, uniqueTenantId('rls-a'));
    b = await seed(db, keys, uniqueTenantId('rls-b'));
  });

  it('shows an agent, through SELECT *, only the records of its tenant and its service', async () => {
    const seen = await rows(database().db, agentOf(a.tenantId, 'accueil'), 'SELECT * FROM records');
    assert.deepEqual(seen.map((r) => r['id']).sort(), [...a.contacts].sort());
    assert.ok(seen.every((r) => r['tenant_id'] === a.tenantId && r['service_id'] === 'accueil'));
    assert.equal(await count(database().db, agentOf(a.tenantId, 'accueil')), 2);
  });

  it('hides another tenant’s records even when the agent asks for them by tenant and id', async () => {
    const db = database().db;
    // Tenant B has an "accueil" service too: same service id, other tenant.
    const asked = await withPrincipal(db, agentOf(a.tenantId, 'accueil'), async (trx) =>
      (await sql<{ id: string }>`select id from records where tenant_id = ${b.tenantId} or id = ${b.contacts[0]!}`.execute(trx)).rows,
    );
    assert.deepEqual(asked, []);
    assert.equal(await count(db, agentOf(b.tenantId, 'accueil')), 2);
  });

  it('hides another service’s record even when the agent asks for it by id', async () => {
    const found = await withPrincipal(database().db, agentOf(a.tenantId, 'accueil'), async (trx) =>
      (await sql<{ id: string }>`select id from records where id = ${a.report}`.execute(trx)).rows,
    );
    assert.deepEqual(found, []);
    assert.equal(await count(database().db, agentOf(a.tenantId, 'accueil', 'techniques')), 3);
  });

  it('shows an administrator no record unless it is also an agent of that service', async () => {
    const db = database().db;
    const loaded = await loadCommune(db, a.tenantId);
    const admin = await addAgent(db, loaded, { email: 'admin@example.fr', role: 'admin', services: [] });
    const adminAgent = await addAgent(db, loaded, { email: 'admin-voirie@example.fr', role: 'admin', services: ['techniques'] });
    assert.ok(admin.ok && adminAgent.ok);
    const plain = await resolveActor(db, a.tenantId, admin.agent.id);
    const alsoAgent = await resolveActor(db, a.tenantId, adminAgent.agent.id);
    assert.equal(await count(db, recordsPrincipal(plain!)), 0);
    assert.deepEqual((await rows(db, recordsPrincipal(alsoAgent!), 'SELECT id FROM records')).map((r) => r['id']), [a.report]);
  });

  it('shows a citizen nothing without a tracking code, and only that request with it', async () => {
    const db = database().db;
    assert.equal(await count(db, { kind: 'public', tenantId: a.tenantId }), 0);
    const tracked = await rows(db, { kind: 'public', tenantId: a.tenantId, trackingHash: trackingHash(a.tenantId, a.trackingCode) }, 'SELECT id, status FROM records');
    assert.deepEqual(tracked, [{ id: a.contacts[0], status: 'received' }]);
    // The same code under another tenant finds nothing.
    assert.equal(await count(db, { kind: 'public', tenantId: b.tenantId, trackingHash: trackingHash(a.tenantId, a.trackingCode) }), 0);
  });

  it('lets an agent change the status of its own records only, never their data, and never delete one', async () => {
    const db = database().db;
    const agent = agentOf(a.tenantId, 'accueil');
    const own = await withPrincipal(db, agent, (trx) => sql`update records set status = 'in-progress' where id = ${a.contacts[1]!}`.execute(trx));
    assert.equal(Number(own.numAffectedRows), 1);
    const other = await withPrincipal(db, agent, (trx) => sql`update records set status = 'done' where tenant_id = ${b.tenantId} or id = ${a.report}`.execute(trx));
    assert.equal(Number(other.numAffectedRows), 0);
    await assert.rejects(rows(db, agent, `UPDATE records SET data = '{}'::jsonb`), /permission denied/);
    await assert.rejects(rows(db, agent, `UPDATE records SET service_id = 'accueil'`), /permission denied/);
    await assert.rejects(rows(db, agent, 'DELETE FROM records'), /permission denied/);
    assert.equal(await count(db, agentOf(a.tenantId, 'accueil', 'techniques')), 3);
  });

  it('denies an agent the tables it has no business reading', async () => {
    const agent = agentOf(a.tenantId, 'accueil');
    for (const table of ['record_subjects', 'security_log', 'drafts', 'tenant_keys', 'agents', 'api_tokens'])
      await assert.rejects(rows(database().db, agent, `SELECT * FROM ${table}`), /permission denied/, table);
  });

  it('shows the DPO principal no request but the archives, and the services no archive', async () => {
    const dpo = { kind: 'dpo' as const, tenantId: a.tenantId, agentId: '00000000-0000-4000-8000-000000000002' };
    assert.equal(await count(database().db, dpo), 0, 'the requests being handled are the services’');
    const system = { kind: 'system' as const, tenantId: a.tenantId };
    const [one] = await rows(database().db, agentOf(a.tenantId, 'accueil'), 'SELECT id FROM records ORDER BY id LIMIT 1');
    const id = String(one!['id']);
    await withPrincipal(database().db, system, (trx) => trx.updateTable('records').set({ archived_at: new Date() }).where('tenant_id', '=', a.tenantId).where('id', '=', id).execute());
    try {
      assert.deepEqual((await rows(database().db, dpo, 'SELECT id FROM records')).map((r) => r['id']), [id]);
      assert.equal((await rows(database().db, agentOf(a.tenantId, 'accueil'), `SELECT id FROM records WHERE id = '${id}'`)).length, 0);
    } finally {
      await withPrincipal(database().db, system, (trx) => trx.updateTable('records').set({ archived_at: null }).where('tenant_id', '=', a.tenantId).where('id', '=', id).execute());
    }
  });

  it('does not protect against SQL injected into the transaction, which can change its own settings (documented limit)', async () => {
    const widened = await withPrincipal(database().db, agentOf(a.tenantId, 'accueil'), async (trx) => {
      await sql`select set_config('app.services', 'accueil,techniques', true)`.execute(trx);
      return (await sql<{ n: number }>`select count(*)::int as n from records`.execute(trx)).rows[0]!.n;
    });
    assert.equal(widened, 3);
  });
});
