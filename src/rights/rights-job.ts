/**
 * Hourly, for the rights desk: requests past their retention go (an
 * unconfirmed one three months after it came, an answered one as the
 * register says); and the DPO of each authority gets one reminder for the
 * open requests due within a week that were not yet reminded of, so that no
 * request passes its deadline unseen.
 */
import type { Job } from '../jobs/job.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { reminderMail } from './rights-mail.ts';

export const REMIND_DAYS_BEFORE = 7;

export const rightsJob: Job = {
  name: 'rights-desk',
  everyMs: 60 * 60 * 1000,
  async run({ db, keys, publicUrl }, now) {
    const deleted = await db.deleteFrom('rights_requests').where('expires_at', '<=', now).executeTakeFirst();
    let reminders = 0;
    if (keys) {
      const soon = new Date(now.getTime() + REMIND_DAYS_BEFORE * 86_400_000);
      const due = await db
        .selectFrom('rights_requests')
        .select(['tenant_id', 'id', 'due_at'])
        .where('state', '=', 'open')
        .where('reminded_at', 'is', null)
        .where('due_at', '<=', soon)
        .orderBy('tenant_id')
        .orderBy('due_at')
        .execute();
      const registers = new RegisterDirectory(db, { ttlMs: 0 });
      for (const tenantId of new Set(due.map((d) => d.tenant_id))) {
        const loaded = await registers.current(tenantId);
        if (!loaded) continue;
        const mine = due.filter((d) => d.tenant_id === tenantId);
        const mail = reminderMail({
          to: loaded.register.dpo.email,
          tenantName: loaded.register.tenant.name,
          count: mine.length,
          firstDue: new Date(mine[0]!.due_at!),
          // Without BASTIDE_PUBLIC_URL a job knows no address to link to: the page is named instead.
          queueUrl: publicUrl ? `${publicUrl}/${tenantId}/back-office/droits` : 'espace agents, page « Droits des personnes »',
        });
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('mail_outbox').values(outboxRow(await keys.current(tenantId), tenantId, null, mail, now, outboxExpiry(loaded.register, now))).execute();
          await trx.updateTable('rights_requests').set({ reminded_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', mine.map((d) => d.id)).execute();
        });
        reminders += 1;
      }
    }
    return { deleted: Number(deleted.numDeletedRows), reminders };
  },
};
