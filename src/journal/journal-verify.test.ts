import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { loadRegister } from '../register/register-loader.ts';
import { appendJournal } from './journal.ts';
import { verifyJournal } from './journal-verify.ts';

const MINIMAL = readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8');

/** A tenant whose journal holds `rows` reads by one agent, appended as the API appends them. */
async function tenantWithJournal(db: Kysely<Tables>, rows = 5): Promise<string> {
  const tenantId = uniqueTenantId('journal');
  const loaded = await loadRegister(db, new TextEncoder().encode(MINIMAL.replace('id: val-fleuri', `id: ${tenantId}`)), 'test');
  assert.ok(loaded.ok);
  const agentId = randomUUID();
  for (let i = 0; i < rows; i++)
    await withPrincipal(db, { kind: 'agent', tenantId, agentId, services: ['accueil'] }, (trx) =>
      appendJournal(trx, tenantId, { actorId: agentId, actor: 'agent@example.fr', action: 'read', recordId: randomUUID(), purpose: 'instruction de la demande (traitement contact)' }),
    );
  return tenantId;
}

/** Tampering as the database owner would, outside the application (a superuser in tests: no row-level security). */
async function tamper(db: Kysely<Tables>, statement: ReturnType<typeof sql>): Promise<void> {
  const result = await statement.execute(db);
  assert.equal(Number(result.numAffectedRows), 1, 'the tampering touched one row');
}

describeEachDatabase('journal verify', (database) => {
  it('passes on an untouched chain and counts its rows', async () => {
    const tenantId = await tenantWithJournal(database().db);
    assert.deepEqual(await verifyJournal(database().db, tenantId), { ok: true, tenantId, rows: 5, pruned: 0 });
  });

  it('passes on a tenant that has no journal yet', async () => {
    const tenantId = await tenantWithJournal(database().db, 0);
    assert.deepEqual(await verifyJournal(database().db, tenantId), { ok: true, tenantId, rows: 0, pruned: 0 });
  });

  it('names the row whose content was changed', async () => {
    const db = database().db;
    const tenantId = await tenantWithJournal(db);
    await tamper(db, sql`update journal set purpose = 'x' where tenant_id = ${tenantId} and seq = 2`);
    const result = await verifyJournal(db, tenantId);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && [result.firstBadSeq, result.problem], [2, 'ligne 2 : contenu modifié']);
  });

  it('names the row that was deleted from the middle', async () => {
    const db = database().db;
    const tenantId = await tenantWithJournal(db);
    await tamper(db, sql`delete from journal where tenant_id = ${tenantId} and seq = 3`);
    const result = await verifyJournal(db, tenantId);
    assert.deepEqual(!result.ok && [result.firstBadSeq, result.problem], [3, 'ligne 3 absente (supprimée ?)']);
  });

  it('names the first of two rows whose order was swapped', async () => {
    const db = database().db;
    const tenantId = await tenantWithJournal(db);
    await tamper(db, sql`update journal set seq = -1 where tenant_id = ${tenantId} and seq = 2`);
    await tamper(db, sql`update journal set seq = 2 where tenant_id = ${tenantId} and seq = 3`);
    await tamper(db, sql`update journal set seq = 3 where tenant_id = ${tenantId} and seq = -1`);
    const result = await verifyJournal(db, tenantId);
    assert.deepEqual(!result.ok && result.firstBadSeq, 2);
    assert.match(!result.ok ? result.problem : '', /ne suit pas la ligne 1/);
  });

  it('notices that the last rows were cut off', async () => {
    const db = database().db;
    const tenantId = await tenantWithJournal(db);
    await tamper(db, sql`delete from journal where tenant_id = ${tenantId} and seq = 5`);
    const result = await verifyJournal(db, tenantId);
    assert.deepEqual(!result.ok && [result.firstBadSeq, result.rows], [5, 4]);
  });

  it('leaves other tenants’ chains intact when one is altered', async () => {
    const db = database().db;
    const altered = await tenantWithJournal(db, 3);
    const other = await tenantWithJournal(db, 3);
    await tamper(db, sql`update journal set actor = 'quelqu.un@example.fr' where tenant_id = ${altered} and seq = 1`);
    assert.equal((await verifyJournal(db, altered)).ok, false);
    assert.deepEqual(await verifyJournal(db, other), { ok: true, tenantId: other, rows: 3, pruned: 0 });
  });
});
