import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPrincipal, type Principal } from '../../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import { listJournal } from '../../journal/journal-repository.ts';
import { verifyJournal } from '../../journal/journal-verify.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { applicationData, contactData, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { listForAgent, SORTS } from '../record-list.ts';
import { agentWithPassword, submitRecord } from '../testing.ts';
import { exportBatches, startExport } from './export-batches.ts';

for (const kind of testDatabaseKinds()) {
  describe(`export batches (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let principal: Principal;
    const t = () => a.tenantId;
    let reader: { actorId: string; actor: string };
    const deps = () => ({ db: server.database.db, keys: server.ctx.keys });
    const journal = () => withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) => listJournal(trx, t()));

    before(async () => {
      server = await startTestServer({ kind });
      a = await loadCommune(server.database.db, uniqueTenantId('bo-batch'));
      const agent = await agentWithPassword(server.database.db, a, 'agent', ['accueil'], 'lea@batches.example.fr');
      principal = { kind: 'agent', tenantId: t(), agentId: agent.id, services: agent.services };
      reader = { actorId: agent.id, actor: 'lea@batches.example.fr' };
      for (const nom of ['Anne', 'Bruno', 'Chloé', 'David', 'Emma']) await submitRecord(server.url, t(), 'contact-mairie', contactData({ nom }));
    });
    after(() => server.close());

    it('exports every record once, in the list’s order for each sort, across batches', async () => {
      for (const sort of SORTS) {
        const listed = await listForAgent(server.database.db, principal, {}, sort, 1);
        const started = await startExport(deps(), principal, reader, {}, sort, `export de test (${sort})`);
        assert.ok(started !== 'too-many');
        assert.equal(started.count, 5);
        const exported: string[] = [];
        const names: unknown[] = [];
        for await (const batch of exportBatches(deps(), principal, started, (id) => id, 2)) {
          assert.ok(batch.length <= 2);
          for (const r of batch) {
            exported.push(r.id);
            names.push(r.data['nom']);
          }
        }
        assert.deepEqual(exported, listed.rows.map((r) => r.id), `order « ${sort} »`);
        assert.equal(new Set(names).size, 5, 'each record opened with its own sealed data');
      }
      const entries = await journal();
      assert.equal(entries.filter((e) => e.action === 'export').length, SORTS.length);
      assert.ok(entries.every((e) => e.action !== 'export' || /— 5 demandes, sha-256/.test(e.purpose)));
      assert.equal((await verifyJournal(server.database.db, t())).ok, true, 'the digest the database wrote is the one journal verify computes');
    });

    it('refuses more records than allowed and leaves no trace of the attempt in the journal', async () => {
      const before = await journal();
      assert.equal(await startExport(deps(), principal, reader, {}, 'recent', 'export trop large', 4), 'too-many');
      const afterwards = await journal();
      assert.equal(afterwards.length, before.length);
      const named = await withPrincipal(server.database.db, { kind: 'system', tenantId: t() }, (trx) =>
        trx.selectFrom('journal_records').select('seq').where('tenant_id', '=', t()).where('seq', '>', String(before.at(-1)?.seq ?? 0)).execute(),
      );
      assert.deepEqual(named, [], 'the ids written beside the refused entry are rolled back with it');
      assert.equal((await verifyJournal(server.database.db, t())).ok, true);
    });

    it('exports an empty list as no batch, journaled as 0 demandes', async () => {
      const started = await startExport(deps(), principal, reader, { formId: 'reservation-accueil' }, 'recent', 'export vide');
      assert.ok(started !== 'too-many');
      assert.equal(started.count, 0);
      const batches = [];
      for await (const batch of exportBatches(deps(), principal, started, (id) => id)) batches.push(batch);
      assert.deepEqual(batches, []);
      assert.match((await journal()).at(-1)!.purpose, /— 0 demande, sha-256 des identifiants triés : e3b0c442/);
    });

    it('gives a principal only the records its row-level security lets it see, whatever export it is handed, in its service or its tenant', async () => {
      const started = await startExport(deps(), principal, reader, {}, 'recent', 'export de Léa');
      assert.ok(started !== 'too-many');
      const other = await agentWithPassword(server.database.db, a, 'agent', ['techniques'], 'marc@batches.example.fr');
      const theirs: Principal = { kind: 'agent', tenantId: t(), agentId: other.id, services: other.services };
      const seen: string[] = [];
      for await (const batch of exportBatches(deps(), theirs, started, (id) => id)) seen.push(...batch.map((r) => r.id));
      assert.deepEqual(seen, [], 'an agent of another service reads none of the front desk’s requests');
      // Another authority's agent handed this entry's number reads its own tenant's side table: nothing.
      const b = await loadCommune(server.database.db, uniqueTenantId('bo-batch-b'));
      const stranger = await agentWithPassword(server.database.db, b, 'agent', ['accueil'], 'lea@autre.example.fr');
      const elsewhere: Principal = { kind: 'agent', tenantId: b.tenantId, agentId: stranger.id, services: stranger.services };
      const leaked: string[] = [];
      for await (const batch of exportBatches(deps(), elsewhere, started, (id) => id)) leaked.push(...batch.map((r) => r.id));
      assert.deepEqual(leaked, [], 'another tenant reads none of them');
      let mine = 0;
      for await (const batch of exportBatches(deps(), principal, started, (id) => id)) mine += batch.length;
      assert.equal(mine, 5);
    });

    it('gives each record its instants to the millisecond, its files by name, and leaves out a record deleted meanwhile, the rest in order', async () => {
      const hiring = await agentWithPassword(server.database.db, a, 'agent', ['accueil', 'rh'], 'rh@batches.example.fr');
      const both: Principal = { kind: 'agent', tenantId: t(), agentId: hiring.id, services: hiring.services };
      const cv = await submitRecord(server.url, t(), 'postuler', applicationData({ filename: 'CV Lucie Bernard.pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') }));
      const system: Principal = { kind: 'system', tenantId: t() };
      // Instants with microseconds, and one deletion date left empty: what the database holds is what the export gives.
      await withPrincipal(server.database.db, system, (trx) =>
        trx.updateTable('records').set({ created_at: new Date('2026-03-29T00:59:59.123Z'), expires_at: null }).where('tenant_id', '=', t()).where('id', '=', cv).execute(),
      );
      const stored = await withPrincipal(server.database.db, system, (trx) => trx.selectFrom('records').select(['id', 'created_at', 'expires_at']).where('tenant_id', '=', t()).execute());
      const started = await startExport(deps(), both, reader, {}, 'oldest', 'export avec pièces');
      assert.ok(started !== 'too-many');
      const listed = (await listForAgent(server.database.db, both, {}, 'oldest', 1)).rows.map((r) => r.id);
      // Batches of one, two read ahead: the fifth is read once the first is out.
      assert.ok(listed.length >= 6);
      const gone = listed[4]!;
      const seen: Array<{ id: string; createdAt: Date; expiresAt: Date | null; files: string[] }> = [];
      for await (const batch of exportBatches(deps(), both, started, (id) => id, 1)) {
        // Deleted once the first batch is out, before the fifth is read.
        if (seen.length === 0) await withPrincipal(server.database.db, system, (trx) => trx.deleteFrom('records').where('tenant_id', '=', t()).where('id', '=', gone).execute());
        for (const r of batch) seen.push({ id: r.id, createdAt: r.createdAt, expiresAt: r.expiresAt, files: [...r.files.values()] });
      }
      assert.deepEqual(
        seen.map((r) => r.id),
        listed.filter((id) => id !== gone),
        'the deleted record is absent, the others in the list’s order',
      );
      for (const r of seen) {
        const row = stored.find((s) => s.id === r.id)!;
        assert.equal(r.createdAt.toISOString(), new Date(row.created_at).toISOString(), `creation of ${r.id}`);
        assert.equal(r.expiresAt?.toISOString() ?? null, row.expires_at ? new Date(row.expires_at).toISOString() : null, `deletion date of ${r.id}`);
      }
      const application = seen.find((r) => r.id === cv)!;
      assert.equal(application.createdAt.toISOString(), '2026-03-29T00:59:59.123Z');
      assert.equal(application.expiresAt, null);
      assert.deepEqual(application.files, ['CV Lucie Bernard.pdf'], 'the file’s name as the citizen sent it, opened from its seal');
      assert.ok(seen.filter((r) => r.id !== cv).every((r) => r.files.length === 0));
    });
  });
}
