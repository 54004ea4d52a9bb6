import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveActor } from '../accounts/actor.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { accountWithToken, loadCommune } from '../records/testing.ts';
import { receiveRequest } from './intake.ts';
import { rightsJob } from './rights-job.ts';
import { mailsTo, serverWithSmtp } from './testing.ts';
import { verifyByDpo } from './verification.ts';

for (const kind of testDatabaseKinds()) {
  describe(`the rights desk's hourly job (${kind})`, () => {
    const env = serverWithSmtp(kind);

    it('reminds the DPO once of requests due within a week, and deletes requests past their retention', async () => {
      const db = env.server.database.db;
      const deps = { db, keys: env.server.ctx.keys };
      const loaded = await loadCommune(db, uniqueTenantId('rappel'));
      const t = loaded.tenantId;
      const dpo = (await resolveActor(db, t, (await accountWithToken(db, loaded, 'dpo')).agent.id))!;
      const received = new Date('2026-11-01T09:00:00Z');
      const open = await receiveRequest(deps, loaded, { type: 'access', email: 'a@example.fr' }, 'https://mairie.example', received);
      const never = await receiveRequest(deps, loaded, { type: 'access', email: 'b@example.fr' }, 'https://mairie.example', received);
      assert.ok(open.ok && never.ok);
      const verified = await verifyByDpo(deps, loaded, dpo, open.id, 'Pièce d’identité présentée au guichet.', received);
      assert.equal(verified.dueAt.toISOString(), '2026-12-01T09:00:00.000Z');
      // The server's outbox sends (and clears) messages meanwhile: count rows, read what the SMTP server got.
      const outbox = () => db.selectFrom('mail_outbox').select('id').where('tenant_id', '=', t).execute();
      const mailsBefore = (await outbox()).length;

      // Eight days before: too early.
      assert.equal((await rightsJob.run(deps, new Date('2026-11-23T09:00:00Z'))).reminders, 0);
      const first = await rightsJob.run(deps, new Date('2026-11-25T09:00:00Z'));
      assert.equal(first.reminders, 1);
      assert.equal((await outbox()).length, mailsBefore + 1);
      // The reminder goes to the DPO of the register.
      await mailsTo(env.smtp, loaded.register.dpo.email, /1 demande arrive à échéance dans les 7 jours \(la première le 1 décembre 2026\)/);
      assert.equal((await rightsJob.run(deps, new Date('2026-11-26T09:00:00Z'))).reminders, 0, 'once');

      // Three months after it came, the unconfirmed request goes; the open one stays.
      const gone = await rightsJob.run(deps, new Date('2027-02-02T09:00:00Z'));
      assert.ok(Number(gone.deleted) >= 1);
      const left = await db.selectFrom('rights_requests').select('id').where('tenant_id', '=', t).execute();
      assert.deepEqual(left.map((r) => r.id), [open.id]);
      assert.ok(never.ok && !left.some((r) => r.id === never.id));
    });
  });
}
