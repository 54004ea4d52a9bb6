/**
 * A reply to the citizen: kept with the record (sealed, shown in the back
 * office and in the citizen's "Mes demandes") and e-mailed to the address
 * the request gave, both in one transaction, so a reply is never kept
 * without its message queued, nor sent without being kept.
 */
import type { ComposedMail } from '../mail/mailer.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { frenchDate } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import { insertMessage } from './record-messages.ts';
import type { WorkDeps } from './record-work.ts';

export const REPLY_MAX = 10_000;

export interface ReplyFacts {
  to: string;
  recordId: string;
  formTitle: string;
  receivedAt: Date;
  text: string;
  serviceName: string;
}

export function replyMail(loaded: LoadedRegister, facts: ReplyFacts, baseUrl: string): ComposedMail {
  const tenant = loaded.register.tenant.name;
  return {
    to: facts.to,
    subject: `Réponse à votre demande « ${facts.formTitle} » – ${tenant}`,
    text: [
      'Bonjour,',
      '',
      `Le service ${facts.serviceName} de ${tenant} répond à votre demande « ${facts.formTitle} » du ${frenchDate(facts.receivedAt)} :`,
      '',
      facts.text,
      '',
      '—',
      `Cette réponse est aussi dans votre espace « Mes demandes » si vous avez un compte : ${baseUrl}/${loaded.tenantId}/mon-compte`,
      'Merci de ne pas répondre à ce message automatique.',
      `Vos données personnelles : ${baseUrl}/${loaded.tenantId}/donnees-personnelles`,
    ].join('\n'),
  };
}

/** False when the record is not visible to the principal. */
export async function sendReply(deps: WorkDeps, principal: Principal, author: { actorId: string | null; actor: string }, loaded: LoadedRegister, facts: ReplyFacts, baseUrl: string, now = new Date()): Promise<boolean> {
  const key = await deps.keys.current(principal.tenantId);
  return withPrincipal(deps.db, principal, async (trx) => {
    const exists = await trx.selectFrom('records').select('id').where('tenant_id', '=', principal.tenantId).where('id', '=', facts.recordId).executeTakeFirst();
    if (!exists) return false;
    await insertMessage(trx, key, 'reply', principal.tenantId, author, facts.recordId, facts.text, now);
    await trx.insertInto('mail_outbox').values(outboxRow(key, principal.tenantId, facts.recordId, replyMail(loaded, facts, baseUrl), now, outboxExpiry(loaded.register, now))).execute();
    return true;
  });
}
