/**
 * What hangs off a request goes with it, set-based (migration
 * 20261204T0200): blind-index entries, files, mail, notes, replies, links to
 * citizen accounts; a request under legal hold cannot be deleted; nothing can
 * be attached to a request that does not exist, even one deleted at the same
 * moment (PostgreSQL, two connections).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { withPrincipal, type Tx } from '../db/principal.ts';
import { openTestDatabase, testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { testKeyring } from '../server/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { applicationData, loadCommune } from './testing.ts';
import { submitForm } from './submit-form.ts';
import { decodeJsonFiles } from '../forms/json-files.ts';

const CHILDREN = ['record_subjects', 'uploads', 'mail_outbox', 'record_notes'] as const;

async function childCounts(trx: Tx, tenantId: string, recordId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of CHILDREN) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where tenant_id = ${tenantId} and record_id = ${recordId}`.execute(trx);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

const note = (tenantId: string, recordId: string) => ({ tenant_id: tenantId, id: randomUUID(), record_id: recordId, author: 'Léa (accueil)', sealed: 'x', key_version: 1 });

for (const kind of testDatabaseKinds()) {
  describe(`what goes with a deleted request (${kind})`, () => {
    let database: Database;
    let loaded: LoadedRegister;
    let keys: TenantKeys;
    const tenant = uniqueTenantId('cascade');
    const system = { kind: 'system' as const, tenantId: tenant };

    async function application(): Promise<string> {
      const r = await submitForm({ db: database.db, keys }, loaded, 'postuler', decodeJsonFiles(applicationData()), { baseUrl: 'http://localhost' });
      assert.ok(r.ok, JSON.stringify(r));
      await withPrincipal(database.db, system, (trx) => trx.insertInto('record_notes').values(note(tenant, r.stored.recordId)).execute());
      return r.stored.recordId;
    }

    before(async () => {
      database = await openTestDatabase(kind);
      keys = new TenantKeys(database.db, testKeyring());
      loaded = await loadCommune(database.db, tenant);
    });
    after(() => database.close());

    it('removes the blind index, the files, the mail and the notes of the deleted requests only, and ledgers the erasure', async () => {
      const [gone, kept] = [await application(), await application()];
      await withPrincipal(database.db, system, async (trx) => {
        assert.deepEqual(await childCounts(trx, tenant, gone), { record_subjects: 1, uploads: 1, mail_outbox: 1, record_notes: 1 }, 'the request has one of each');
        await trx.deleteFrom('records').where('tenant_id', '=', tenant).where('id', '=', gone).execute();
        assert.deepEqual(await childCounts(trx, tenant, gone), { record_subjects: 0, uploads: 0, mail_outbox: 0, record_notes: 0 });
        assert.deepEqual(await childCounts(trx, tenant, kept), { record_subjects: 1, uploads: 1, mail_outbox: 1, record_notes: 1 }, 'the other request keeps everything');
        const ledger = await trx.selectFrom('erasure_ledger').select(['record_id', 'action', 'run_id', 'processing_id']).where('tenant_id', '=', tenant).execute();
        assert.deepEqual(ledger, [{ record_id: gone, action: 'delete', run_id: null, processing_id: 'candidature' }], 'every deletion is in the erasure ledger, outside any retention run');
      });
    });

    it('refuses to delete a request under legal hold, with everything attached to it', async () => {
      const held = await application();
      await withPrincipal(database.db, system, (trx) => trx.insertInto('record_holds').values({ tenant_id: tenant, record_id: held, reason: 'Litige en cours', set_by: 'DPO' }).execute());
      await assert.rejects(
        withPrincipal(database.db, system, (trx) => trx.deleteFrom('records').where('tenant_id', '=', tenant).where('id', '=', held).execute()),
        (e: { code?: string }) => e.code === '23503',
      );
      const counts = await withPrincipal(database.db, system, async (trx) => ({
        record: (await trx.selectFrom('records').select('id').where('tenant_id', '=', tenant).where('id', '=', held).execute()).length,
        ...(await childCounts(trx, tenant, held)),
      }));
      assert.deepEqual(counts, { record: 1, record_subjects: 1, uploads: 1, mail_outbox: 1, record_notes: 1 });
    });

    it('refuses a note, a hold or a blind-index entry for a request that does not exist', async () => {
      const missing = randomUUID();
      for (const insert of [
        (trx: Tx) => trx.insertInto('record_notes').values(note(tenant, missing)).execute(),
        (trx: Tx) => trx.insertInto('record_holds').values({ tenant_id: tenant, record_id: missing, reason: 'Litige en cours', set_by: 'DPO' }).execute(),
        (trx: Tx) => trx.insertInto('record_subjects').values({ tenant_id: tenant, blind_index: 'b', record_id: missing, field: 'courriel' }).execute(),
      ])
        await assert.rejects(withPrincipal(database.db, system, insert), (e: { code?: string }) => e.code === '23503');
    });

    it('checks a bulk insert of index entries as one: all accepted when every request exists, none when one does not', async () => {
      // More rows than the check looks up one by one, so that its single statement runs.
      const ids = await Promise.all(Array.from({ length: 20 }, () => application()));
      const entries = (list: string[], tag: string) => list.map((id, n) => ({ tenant_id: tenant, blind_index: `${tag}-${n}`, record_id: id, field: 'courriel' }));
      const count = (tag: string) =>
        withPrincipal(database.db, system, async (trx) => (await trx.selectFrom('record_subjects').select('record_id').where('tenant_id', '=', tenant).where('blind_index', 'like', `${tag}-%`).execute()).length);
      await withPrincipal(database.db, system, (trx) => trx.insertInto('record_subjects').values(entries(ids, 'bulk-ok')).execute());
      assert.equal(await count('bulk-ok'), 20);
      await assert.rejects(
        withPrincipal(database.db, system, (trx) => trx.insertInto('record_subjects').values(entries([...ids, randomUUID()], 'bulk-orphan')).execute()),
        (e: { code?: string }) => e.code === '23503',
      );
      assert.equal(await count('bulk-orphan'), 0, 'nothing of the refused statement is kept');
    });

    it('refuses to move a file onto a request that does not exist', async () => {
      const mine = await application();
      await assert.rejects(
        withPrincipal(database.db, system, (trx) => sql`update uploads set record_id = ${randomUUID()} where tenant_id = ${tenant} and record_id = ${mine}`.execute(trx)),
        (e: { code?: string }) => e.code === '23503',
      );
      assert.equal((await withPrincipal(database.db, system, (trx) => childCounts(trx, tenant, mine))).uploads, 1);
    });

    if (kind === 'postgres')
      it('leaves no orphan when a note is written while its request is deleted', async () => {
        const id = await application();
        let commitNote!: () => void;
        const noteWritten = new Promise<void>((resolve) => {
          void withPrincipal(database.db, system, async (trx) => {
            await trx.insertInto('record_notes').values(note(tenant, id)).execute();
            resolve();
            await new Promise<void>((r) => (commitNote = r));
          });
        });
        await noteWritten;
        let deleted = false;
        const deletion = withPrincipal(database.db, system, (trx) => trx.deleteFrom('records').where('tenant_id', '=', tenant).where('id', '=', id).execute()).then(() => (deleted = true));
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(deleted, false, 'the deletion waits for the note’s transaction, which holds the request');
        commitNote();
        await deletion;
        const left = await withPrincipal(database.db, system, (trx) => childCounts(trx, tenant, id));
        assert.deepEqual(left, { record_subjects: 0, uploads: 0, mail_outbox: 0, record_notes: 0 }, 'the committed note went with its request');
      });
  });
}
