/**
 * The notice before deletion (`retention.notifyBefore: P14D`): an e-mail to
 * the address a request gave, that far ahead of its deletion or
 * anonymisation, so that the person can keep a trace of it. Like the
 * receipt, it carries none of the answers: the form's title, the dates, and
 * where to read the privacy notice.
 *
 * Exactly once per date: the message is queued in the outbox in the same
 * transaction that marks the record (`deletion_notice_at`), and a new date
 * (a register change, say) clears the mark so that the new date is announced
 * in turn. Records held or restricted are not announced: they are not
 * deleted. Neither are archives (they are not deleted at that date either).
 */
import { sql, type Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { findForm } from '../forms/find-form.ts';
import type { ComposedMail } from '../mail/mailer.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { frenchDate } from '../notice/french-date.ts';
import { recordValues } from '../records/record-reader.ts';
import { appendJournalWithRecords } from '../journal/journal-records.ts';
import { recipientOf } from '../records/subject-key.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html } from '../web/html.ts';

const BATCH = 500;

export interface NoticeFacts {
  tenantName: string;
  formTitle: string;
  submittedAt: Date;
  endsAt: Date;
  action: 'delete' | 'anonymise';
  dpoEmail: string;
  /** Without a public URL (BASTIDE_PUBLIC_URL), the message names the page instead of linking it. */
  noticeUrl: string | undefined;
}

export function deletionNotice(to: string, f: NoticeFacts): ComposedMail {
  const verb = f.action === 'delete' ? 'supprimée' : 'anonymisée';
  const subject = `Votre demande « ${f.formTitle} » sera ${verb} le ${frenchDate(f.endsAt)}`;
  const where = f.noticeUrl ? `notre politique de protection des données : ${f.noticeUrl}` : `la page « Données personnelles » de notre site`;
  const lines = [
    'Bonjour,',
    '',
    `Votre demande « ${f.formTitle} », envoyée le ${frenchDate(f.submittedAt)} à ${f.tenantName}, arrive au terme de sa durée de conservation : elle sera ${verb} le ${frenchDate(f.endsAt)}${f.action === 'anonymise' ? ' (il n’en restera que des informations qui ne permettent pas de vous identifier)' : ''}.`,
    '',
    'Si vous souhaitez en garder une trace, consultez-la avant cette date avec votre code de suivi ou dans votre espace « Mes demandes ».',
    '',
    `Pourquoi cette durée : ${where}. Pour toute question, écrivez au délégué à la protection des données : ${f.dpoEmail}.`,
    '',
    'Ce message ne contient aucune des données que vous avez saisies.',
  ];
  return {
    to,
    subject,
    text: lines.join('\n'),
    html: html`<p>Bonjour,</p>
<p>Votre demande « ${f.formTitle} », envoyée le ${frenchDate(f.submittedAt)} à ${f.tenantName}, arrive au terme de sa durée de conservation : elle sera ${verb} le ${frenchDate(f.endsAt)}${f.action === 'anonymise' ? ' (il n’en restera que des informations qui ne permettent pas de vous identifier)' : ''}.</p>
<p>Si vous souhaitez en garder une trace, consultez-la avant cette date avec votre code de suivi ou dans votre espace « Mes demandes ».</p>
<p>Pourquoi cette durée : ${f.noticeUrl ? html`<a href="${f.noticeUrl}">notre politique de protection des données</a>` : 'la page « Données personnelles » de notre site'}. Pour toute question, écrivez au délégué à la protection des données : ${f.dpoEmail}.</p>
<p>Ce message ne contient aucune des données que vous avez saisies.</p>`.value,
  };
}

/** Queues the notices due as of `now` for one tenant; how many were queued. */
export async function queueDeletionNotices(db: Kysely<Tables>, keys: TenantKeys, loaded: LoadedRegister, now: Date, publicUrl: string | undefined): Promise<number> {
  const tenantId = loaded.tenantId;
  const register = loaded.register;
  let queued = 0;
  const noticed = register.processings.filter((p) => parseDuration(p.retention.notifyBefore ?? '').ok);
  if (noticed.length === 0) return 0;
  const all = await keys.all(tenantId);
  const key = await keys.current(tenantId);
  for (const p of noticed) {
    const ahead = parseDuration(p.retention.notifyBefore ?? '');
    if (!ahead.ok) continue;
    const horizon = addDuration(now, ahead.duration);
    for (;;) {
      const n = await withPrincipal(db, { kind: 'system', tenantId }, async (trx) => {
        const { rows } = await sql<{ id: string; form_id: string; data: Record<string, unknown>; sealed: string | null; key_version: number | null; created_at: Date; expires_at: Date; expiry_action: 'delete' | 'anonymise' }>`
          select r.id, r.form_id, r.data, r.sealed, r.key_version, r.created_at, r.expires_at, r.expiry_action from records r
          where r.tenant_id = ${tenantId} and r.processing_id = ${p.id} and r.expiry_action in ('delete', 'anonymise')
            and r.expires_at > ${now} and r.expires_at <= ${horizon} and r.deletion_notice_at is null
            and r.archived_at is null and r.anonymised_at is null and not r.frozen
            and not exists (select 1 from record_holds h where h.tenant_id = r.tenant_id and h.record_id = r.id)
          order by r.expires_at, r.id limit ${BATCH} for update of r skip locked`.execute(trx);
        if (rows.length === 0) return 0;
        const mails = [];
        const read: string[] = [];
        for (const r of rows) {
          const form = findForm(register, r.form_id)?.form;
          const values = recordValues(all, tenantId, r);
          const to = form ? recipientOf(form.fields, values) : undefined;
          if (!to || !form) continue;
          const facts: NoticeFacts = {
            tenantName: register.tenant.name,
            formTitle: form.title,
            submittedAt: new Date(r.created_at),
            endsAt: new Date(r.expires_at),
            action: r.expiry_action,
            dpoEmail: register.dpo.email,
            noticeUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/${tenantId}/donnees-personnelles` : undefined,
          };
          mails.push(outboxRow(key, tenantId, r.id, deletionNotice(to, facts), now, outboxExpiry(register, now)));
          read.push(r.id);
        }
        if (mails.length > 0) {
          await trx.insertInto('mail_outbox').values(mails).execute();
          // The address was read to write to it: the journal says so, one entry naming the batch's requests.
          await appendJournalWithRecords(trx, tenantId, { actorId: null, actor: 'retention', action: 'read' }, `avis avant suppression (traitement ${p.id}) : adresse lue pour l’envoi`, read);
        }
        // Marked even without an address: the request was considered, and is not read again for this date.
        await trx.updateTable('records').set({ deletion_notice_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', rows.map((r) => r.id)).execute();
        queued += mails.length;
        return rows.length;
      });
      if (n < BATCH) break;
    }
  }
  return queued;
}
