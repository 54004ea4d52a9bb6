import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { sql, type Kysely, type KyselyPlugin } from 'kysely';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import { testKeyring } from '../server/testing.ts';
import { submitForm } from './submit-form.ts';
import { SubmissionWriter, type SubmissionRows } from './submission-writer.ts';
import { contactData, loadCommune } from './testing.ts';

/** The database, counting the statements that write submissions (and noting when each starts). */
function counting(db: Kysely<Tables>, events: string[] = []) {
  const seen = { statements: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      if (args.node.kind === 'RawNode' && args.node.sqlFragments.join('').includes('bastide_public_submissions')) {
        seen.statements++;
        events.push('start');
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), seen };
}

const KEYRING = testKeyring();

describeEachDatabase('writing submissions together', (database) => {
  /** The rows submitForm makes for n contact forms of a new tenant, not written yet. */
  async function rowsOf(n: number, tenantId = uniqueTenantId('batch')) {
    const db = database().db;
    const loaded = await loadCommune(db, tenantId);
    const made: SubmissionRows[] = [];
    const writer = { write: async (_tenant: string, rows: SubmissionRows) => void made.push(rows) };
    const keys = new TenantKeys(db, KEYRING);
    for (let i = 0; i < n; i++) {
      const result = await submitForm({ db, keys, writer }, loaded, 'contact-mairie', contactData({ courriel: `personne.${i}@example.fr` }), { baseUrl: 'http://localhost', ip: '203.0.113.9' });
      assert.ok(result.ok);
    }
    return { tenantId, rows: made };
  }

  const stored = async (tenantId: string) =>
    withPrincipal(database().db, { kind: 'system', tenantId }, async (trx) => {
      const n = async (table: 'records' | 'record_subjects' | 'security_log' | 'mail_outbox') =>
        Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(trx)).rows[0]!.n);
      return { records: await n('records'), subjects: await n('record_subjects'), logs: await n('security_log'), mails: await n('mail_outbox') };
    });

  it('writes the submissions that wait for a statement in the next one, each with its index, log row and receipt', async () => {
    const { tenantId, rows } = await rowsOf(10);
    const { db, seen } = counting(database().db);
    const writer = new SubmissionWriter(db, { inFlight: 1 });
    // The first one goes alone; the nine others arrive while it runs.
    await Promise.all(rows.map((r) => writer.write(tenantId, r)));
    assert.equal(seen.statements, 2);
    assert.deepEqual(await stored(tenantId), { records: 10, subjects: 10, logs: 10, mails: 10 });
  });

  it('stores the others when one of a statement fails, gives that one its own error, and writes them again one at a time', async () => {
    const { tenantId, rows } = await rowsOf(4);
    const events: string[] = [];
    const { db } = counting(database().db, events);
    const writer = new SubmissionWriter(db, { inFlight: 1 });
    await writer.write(tenantId, rows[0]!);
    events.length = 0;
    const settled = (p: Promise<void>) => p.finally(() => events.push('end'));
    // The same record again (a replay) among three new ones.
    const outcomes = await Promise.allSettled([rows[1]!, rows[0]!, rows[2]!, rows[3]!].map((r) => settled(writer.write(tenantId, r))));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.equal(((outcomes[1] as PromiseRejectedResult).reason as { code?: string }).code, '23505');
    assert.deepEqual(await stored(tenantId), { records: 4, subjects: 4, logs: 4, mails: 4 });
    // The failed statement, then each submission alone, never more at once than the writer allows.
    assert.deepEqual(events, ['start', 'start', 'end', 'start', 'end', 'start', 'end', 'start', 'end']);
  });

  it('writes each tenant in its own statement, under its own tenant', async () => {
    const a = await rowsOf(3);
    const b = await rowsOf(2);
    const { db, seen } = counting(database().db);
    const writer = new SubmissionWriter(db, { inFlight: 1 });
    await Promise.all([writer.write(a.tenantId, a.rows[0]!), writer.write(b.tenantId, b.rows[0]!), writer.write(a.tenantId, a.rows[1]!), writer.write(b.tenantId, b.rows[1]!), writer.write(a.tenantId, a.rows[2]!)]);
    assert.equal(seen.statements, 3, 'a alone, then a’s two waiting, then b’s two');
    assert.deepEqual(await stored(a.tenantId), { records: 3, subjects: 3, logs: 3, mails: 3 });
    assert.deepEqual(await stored(b.tenantId), { records: 2, subjects: 2, logs: 2, mails: 2 });
  });

  it('refuses a blind index or a receipt of a record not in the statement, and stores nothing of it', async () => {
    const { tenantId, rows } = await rowsOf(2);
    const writer = new SubmissionWriter(database().db);
    const elsewhere = randomUUID();
    const retarget = (json: string) => JSON.stringify({ ...(JSON.parse(json) as object), record_id: elsewhere });
    const orphanIndex = { ...rows[0]!, subjects: rows[0]!.subjects.map(retarget) };
    const orphanMail = { ...rows[1]!, mail: retarget(rows[1]!.mail!) };
    for (const bad of [orphanIndex, orphanMail]) await assert.rejects(writer.write(tenantId, bad), (e: { code?: string }) => e.code === '23503');
    assert.deepEqual(await stored(tenantId), { records: 0, subjects: 0, logs: 0, mails: 0 });
  });

  it('stores a new record as received whatever the rows say, and leaves the role it found inside a longer transaction', async () => {
    const { tenantId, rows } = await rowsOf(1);
    const record = JSON.stringify({ ...(JSON.parse(rows[0]!.record) as object), status: 'done', frozen: true, claimed_by: randomUUID(), archived_at: new Date() });
    const role = await database().db.transaction().execute(async (trx) => {
      await sql`select bastide_public_submissions(${tenantId}, ${`[${record}]`}::jsonb, ${`[${rows[0]!.subjects.join(',')}]`}::jsonb, '[]'::jsonb, '[]'::jsonb)`.execute(trx);
      return (await sql<{ u: string }>`select current_user as u`.execute(trx)).rows[0]!.u;
    });
    assert.notEqual(role, 'bastide_submitter');
    const row = await withPrincipal(database().db, { kind: 'system', tenantId }, (trx) => trx.selectFrom('records').select(['status', 'frozen', 'claimed_by', 'archived_at']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow());
    assert.deepEqual(row, { status: 'received', frozen: false, claimed_by: null, archived_at: null });
  });

  it('still checks, for the public role outside the function, that a receipt’s record exists', async () => {
    const tenantId = uniqueTenantId('batch');
    await loadCommune(database().db, tenantId);
    await assert.rejects(
      withPrincipal(database().db, { kind: 'public', tenantId }, (trx) =>
        trx
          .insertInto('mail_outbox')
          .values({ tenant_id: tenantId, id: randomUUID(), record_id: randomUUID(), sealed: 'x', key_version: 1, expires_at: new Date(Date.now() + 86_400_000) })
          .execute(),
      ),
      (e: { code?: string }) => e.code === '23503',
    );
  });
});
