import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { issueToken } from '../accounts/api-tokens.ts';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { listJournal } from '../journal/journal-repository.ts';
import { verifyJournal } from '../journal/journal-verify.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { accountWithToken, applicationData, contactData, loadCommune, pdf, reportData, type TestAccount } from './testing.ts';

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

for (const kind of testDatabaseKinds()) {
  describe(`the agents' records API (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let b: LoadedRegister;
    let reception: TestAccount; // agent of accueil in tenant A
    let recruiter: TestAccount; // agent of rh in tenant A
    let receptionB: TestAccount; // agent of accueil in tenant B
    let dpo: TestAccount;
    const ids = { contact: '', report: '', application: '', contactB: '', markup: '' };

    async function call(method: string, path: string, options: { token?: string; body?: unknown; authorization?: string } = {}): Promise<Reply> {
      const headers: Record<string, string> = {};
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      if (options.authorization) headers['authorization'] = options.authorization;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
      const type = response.headers.get('content-type') ?? '';
      const body = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body };
    }

    async function submit(tenantId: string, formId: string, data: unknown): Promise<string> {
      const r = await call('POST', `/api/v1/${tenantId}/forms/${formId}/submissions`, { body: { data } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    }

    async function journalOf(tenantId: string) {
      return withPrincipal(server.database.db, { kind: 'system', tenantId }, (trx) => listJournal(trx, tenantId));
    }

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('api-a'));
      b = await loadCommune(db, uniqueTenantId('api-b'));
      reception = await accountWithToken(db, a, 'agent', ['accueil']);
      recruiter = await accountWithToken(db, a, 'agent', ['rh']);
      receptionB = await accountWithToken(db, b, 'agent', ['accueil']);
      dpo = await accountWithToken(db, a, 'dpo');
      ids.contact = await submit(a.tenantId, 'contact-mairie', contactData());
      ids.report = await submit(a.tenantId, 'signalement', reportData());
      ids.application = await submit(a.tenantId, 'postuler', applicationData({ filename: 'CV été "Bernard".pdf', bytes: pdf('cv-lucie') }));
      ids.contactB = await submit(b.tenantId, 'contact-mairie', contactData({ nom: 'Autre-Commune' }));
      ids.markup = await submit(a.tenantId, 'contact-mairie', contactData({ message: '<script>alert(1)</script><img src=x onerror="alert(2)"> & fin' }));
    });
    after(async () => server.close());

    it('lists only the records of the agent’s services, with metadata only', async () => {
      const r = await call('GET', `/api/v1/${a.tenantId}/records`, { token: reception.token });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.map((x: { id: string }) => x.id).sort(), [ids.contact, ids.markup].sort());
      assert.deepEqual(Object.keys(r.body[0]).sort(), ['createdAt', 'formId', 'id', 'processingId', 'serviceId', 'status']);
      assert.equal(r.body[0].serviceId, 'accueil');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const other = await call('GET', `/api/v1/${b.tenantId}/records`, { token: receptionB.token });
      assert.deepEqual(other.body.map((x: { id: string }) => x.id), [ids.contactB]);
      const none = await call('GET', `/api/v1/${a.tenantId}/records?status=done`, { token: reception.token });
      assert.deepEqual(none.body, []);
      assert.equal((await call('GET', `/api/v1/${a.tenantId}/records?limit=0`, { token: reception.token })).status, 400);
    });

    it('returns a record with its data, and journals who read it, when and why', async () => {
      const before = (await journalOf(a.tenantId)).length;
      const r = await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}`, { token: reception.token });
      assert.equal(r.status, 200);
      assert.equal(r.body.id, ids.contact);
      assert.equal(r.body.processingId, 'contact');
      assert.equal(r.body.data.nom, 'Martin');
      assert.equal(r.body.data.courriel, 'claire.martin@example.fr');
      const journal = await journalOf(a.tenantId);
      assert.equal(journal.length, before + 1);
      const row = journal.at(-1)!;
      assert.equal(row.actorId, reception.agent.id);
      assert.equal(row.actor, reception.agent.email);
      assert.equal(row.action, 'read');
      assert.equal(row.recordId, ids.contact);
      assert.equal(row.purpose, 'instruction de la demande (traitement contact)');
      assert.ok(Math.abs(Date.parse(row.at) - Date.now()) < 60_000);
    });

    it('returns markup typed into a text field as JSON data, not as a page', async () => {
      const r = await call('GET', `/api/v1/${a.tenantId}/records/${ids.markup}`, { token: reception.token });
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.body.data.message, '<script>alert(1)</script><img src=x onerror="alert(2)"> & fin');
    });

    it('answers 404 on every record route for another service’s record, another tenant’s, a malformed id, and journals nothing', async () => {
      const journalBefore = (await journalOf(a.tenantId)).length;
      const fileId = randomUUID();
      const cases: Array<[string, string]> = [];
      for (const id of [ids.report, ids.application, ids.contactB, randomUUID(), 'not-a-uuid', `${ids.contact}x`, '1%27%20or%201=1'])
        cases.push(
          ['GET', `/api/v1/${a.tenantId}/records/${id}`],
          ['PATCH', `/api/v1/${a.tenantId}/records/${id}`],
          ['GET', `/api/v1/${a.tenantId}/records/${id}/files/${fileId}`],
        );
      for (const [method, path] of cases) {
        const r = await call(method, path, { token: reception.token, ...(method === 'PATCH' ? { body: { status: 'done' } } : {}) });
        assert.equal(r.status, 404, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.ok(['record-not-found', 'file-not-found'].includes(r.body.error), `${method} ${path}`);
      }
      // A real file of a record of another service is not found either.
      const detail = await call('GET', `/api/v1/${a.tenantId}/records/${ids.application}`, { token: recruiter.token });
      const file = await call('GET', detail.body.files[0].url, { token: reception.token });
      assert.equal(file.status, 404);
      assert.equal((await journalOf(a.tenantId)).length, journalBefore + 1, 'only the recruiter’s read');
      const untouched = await call('GET', `/api/v1/${a.tenantId}/records/${ids.report}`, { token: (await accountWithToken(server.database.db, a, 'agent', ['techniques'])).token });
      assert.equal(untouched.body.status, 'received');
    });

    it('answers 401 with WWW-Authenticate for a missing, malformed, forged, expired or revoked token, a disabled account, or a token of another tenant', async () => {
      const db = server.database.db;
      const expired = await issueToken(db, { tenantId: a.tenantId, agentId: reception.agent.id, ttl: 'P1D', now: new Date(Date.now() - 2 * 86_400_000) });
      const revoked = await accountWithToken(db, a, 'agent', ['accueil']);
      await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('agent_id', '=', revoked.agent.id).execute();
      const disabled = await accountWithToken(db, a, 'agent', ['accueil']);
      await db.updateTable('agents').set({ disabled_at: new Date() }).where('id', '=', disabled.agent.id).execute();
      const attempts: Array<[string, { token?: string; authorization?: string }]> = [
        ['missing', {}],
        ['not bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
        ['malformed', { token: 'abc' }],
        ['forged', { token: `bst_${randomBytes(32).toString('base64url')}` }],
        ['expired', { token: expired.token }],
        ['revoked', { token: revoked.token }],
        ['disabled account', { token: disabled.token }],
        ['other tenant', { token: receptionB.token }],
      ];
      for (const [what, auth] of attempts)
        for (const path of [`/api/v1/${a.tenantId}/records`, `/api/v1/${a.tenantId}/records/${ids.contact}`, `/api/v1/${a.tenantId}/records/${ids.contact}/journal`]) {
          const r = await call('GET', path, auth);
          assert.equal(r.status, 401, `${what} ${path}`);
          assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm=/, what);
          assert.ok(['unauthenticated', 'invalid-token'].includes(r.body.error), what);
        }
      const patch = await call('PATCH', `/api/v1/${a.tenantId}/records/${ids.contact}`, { token: expired.token, body: { status: 'done' } });
      assert.equal(patch.status, 401);
      assert.match((await call('GET', `/api/v1/${a.tenantId}/records`, { token: expired.token })).headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });

    it('records the closing time and recomputes the expiry when a request counted from closure is closed or reopened', async () => {
      const path = `/api/v1/${a.tenantId}/records/${ids.application}`;
      const token = recruiter.token;
      const open = await call('PATCH', path, { token, body: { status: 'in-progress' } });
      assert.equal(open.status, 200, JSON.stringify(open.body));
      assert.deepEqual([open.body.status, open.body.closedAt, open.body.expiresAt], ['in-progress', null, null]);
      const done = await call('PATCH', path, { token, body: { status: 'done' } });
      const closedAt = new Date(done.body.closedAt);
      assert.ok(Math.abs(closedAt.getTime() - Date.now()) < 60_000);
      const twoYears = new Date(closedAt);
      twoYears.setUTCFullYear(twoYears.getUTCFullYear() + 2);
      assert.equal(done.body.expiresAt, twoYears.toISOString(), 'P2Y from closure (candidature)');
      const rejected = await call('PATCH', path, { token, body: { status: 'rejected' } });
      assert.equal(rejected.body.closedAt, done.body.closedAt, 'closed once: the first closing time stays');
      const stored = await call('GET', path, { token });
      assert.deepEqual([stored.body.status, stored.body.closedAt, stored.body.expiresAt], ['rejected', done.body.closedAt, done.body.expiresAt]);
      const reopened = await call('PATCH', path, { token, body: { status: 'received' } });
      assert.deepEqual([reopened.body.closedAt, reopened.body.expiresAt], [null, null]);
    });

    it('keeps an expiry counted from creation when a request is closed', async () => {
      const path = `/api/v1/${a.tenantId}/records/${ids.contact}`;
      const before = await call('GET', path, { token: reception.token });
      const done = await call('PATCH', path, { token: reception.token, body: { status: 'done' } });
      assert.equal(done.body.expiresAt, before.body.expiresAt);
      assert.ok(done.body.closedAt);
    });

    it('refuses to change the status of a restricted record (GDPR art. 18), and changes nothing', async () => {
      const path = `/api/v1/${a.tenantId}/records/${ids.markup}`;
      await withPrincipal(server.database.db, { kind: 'system', tenantId: a.tenantId }, (trx) => trx.updateTable('records').set({ frozen: true }).where('tenant_id', '=', a.tenantId).where('id', '=', ids.markup).execute());
      const before = await call('GET', path, { token: reception.token });
      const refused = await call('PATCH', path, { token: reception.token, body: { status: 'done' } });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'record-restricted');
      assert.match(refused.body.message, /limité \(RGPD, article 18\)/);
      const after = await call('GET', path, { token: reception.token });
      assert.deepEqual([after.body.status, after.body.closedAt, after.body.expiresAt], [before.body.status, before.body.closedAt, before.body.expiresAt]);
    });

    it('refuses a bad status with a 400 in French', async () => {
      const path = `/api/v1/${a.tenantId}/records/${ids.contact}`;
      for (const body of [{ status: 'fini' }, {}, { status: 'done', note: 'x' }, ['done'], { status: 3 }]) {
        const r = await call('PATCH', path, { token: reception.token, body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.body.error, 'invalid-status');
        assert.match(r.body.message, /^Statut .* invalide : le corps doit être \{"status": …\} avec l’un des statuts received, in-progress, done, rejected\.$/);
      }
    });

    it('lets an agent download a file as an attachment, opened, and journals the download', async () => {
      const detail = await call('GET', `/api/v1/${a.tenantId}/records/${ids.application}`, { token: recruiter.token });
      assert.equal(detail.body.files.length, 1);
      const [file] = detail.body.files;
      assert.deepEqual({ ...file, id: undefined, url: undefined }, { id: undefined, url: undefined, field: 'cv', filename: 'CV été "Bernard".pdf', mediaType: 'application/pdf', size: pdf('cv-lucie').length });
      assert.deepEqual(detail.body.data.cv, { upload: file.id, type: 'application/pdf', size: file.size });
      const r = await call('GET', file.url, { token: recruiter.token });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, pdf('cv-lucie'));
      assert.equal(r.headers.get('content-type'), 'application/pdf');
      assert.equal(r.headers.get('content-disposition'), `attachment; filename="CV ete _Bernard_.pdf"; filename*=UTF-8''CV%20%C3%A9t%C3%A9%20%22Bernard%22.pdf`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      const row = (await journalOf(a.tenantId)).at(-1)!;
      assert.deepEqual([row.action, row.recordId, row.actorId], ['download', ids.application, recruiter.agent.id]);
    });

    it('shows an administrator no record unless it is also an agent of that service', async () => {
      const db = server.database.db;
      const admin = await accountWithToken(db, a, 'admin');
      assert.deepEqual((await call('GET', `/api/v1/${a.tenantId}/records`, { token: admin.token })).body, []);
      assert.equal((await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}`, { token: admin.token })).status, 404);
      const adminAgent = await accountWithToken(db, a, 'admin', ['techniques']);
      assert.deepEqual((await call('GET', `/api/v1/${a.tenantId}/records`, { token: adminAgent.token })).body.map((x: { id: string }) => x.id), [ids.report]);
    });

    it('lets the DPO read who opened a record, but not the record itself', async () => {
      await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}`, { token: reception.token });
      const r = await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}/journal`, { token: dpo.token });
      assert.equal(r.status, 200);
      assert.ok(r.body.length >= 2);
      assert.ok(r.body.every((row: { recordId: string; actor: string }) => row.recordId === ids.contact && row.actor === reception.agent.email));
      const byAgent = await call('GET', `/api/v1/${a.tenantId}/journal?agent=${recruiter.agent.id}`, { token: dpo.token });
      assert.deepEqual([...new Set(byAgent.body.map((row: { actorId: string }) => row.actorId))], [recruiter.agent.id]);
      assert.equal((await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}`, { token: dpo.token })).status, 404);
      for (const token of [reception.token, (await accountWithToken(server.database.db, a, 'admin')).token])
        assert.equal((await call('GET', `/api/v1/${a.tenantId}/records/${ids.contact}/journal`, { token })).status, 404);
      assert.equal((await call('GET', `/api/v1/${a.tenantId}/records/nope/journal`, { token: dpo.token })).status, 404);
    });

    it('keeps one unbroken journal chain when reads arrive at the same time', async () => {
      const before = (await journalOf(a.tenantId)).length;
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => call('GET', `/api/v1/${a.tenantId}/records/${i % 2 ? ids.contact : ids.markup}`, { token: reception.token })));
      assert.ok(replies.every((r) => r.status === 200));
      const result = await verifyJournal(server.database.db, a.tenantId);
      assert.deepEqual(result, { ok: true, tenantId: a.tenantId, rows: before + 12, pruned: 0 });
    });

    it('detects a journal row altered behind the application’s back', async () => {
      await call('GET', `/api/v1/${b.tenantId}/records/${ids.contactB}`, { token: receptionB.token });
      await call('GET', `/api/v1/${b.tenantId}/records/${ids.contactB}`, { token: receptionB.token });
      assert.equal((await verifyJournal(server.database.db, b.tenantId)).ok, true);
      // As the database owner (a superuser here, so row-level security does not apply).
      await sql`update journal set purpose = 'x' where tenant_id = ${b.tenantId} and seq = 2`.execute(server.database.db);
      const result = await verifyJournal(server.database.db, b.tenantId);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.firstBadSeq, 2);
    });
  });
}
