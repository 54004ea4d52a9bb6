/**
 * E-mails about a back-office account (an invitation, a password reset):
 * a link and what to do with it, nothing else. Queued in the outbox, sealed
 * under the tenant key like every message; the row goes when the link
 * expires, since the message is worthless after.
 */
import type { Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import type { ComposedMail } from '../mail/mailer.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { frenchDateTime } from '../notice/french-date.ts';

export async function queueAccountMail(db: Kysely<Tables>, keys: TenantKeys, tenantId: string, mail: ComposedMail, expiresAt: Date, now = new Date()): Promise<void> {
  const key = await keys.current(tenantId);
  await withPrincipal(db, { kind: 'system', tenantId }, (trx) => trx.insertInto('mail_outbox').values(outboxRow(key, tenantId, null, mail, now, expiresAt)).execute());
}

const once = 'Ce lien ne fonctionne qu’une fois.';

export function invitationMail(input: { to: string; name: string; tenantName: string; roleLabel: string; url: string; expiresAt: Date }): ComposedMail {
  return {
    to: input.to,
    subject: `Votre accès à l’espace agents – ${input.tenantName}`,
    text: [
      `Bonjour ${input.name},`,
      '',
      `Un administrateur vous a ouvert un compte dans l’espace agents de ${input.tenantName} (rôle : ${input.roleLabel}).`,
      `Pour choisir votre mot de passe, ouvrez ce lien avant le ${frenchDateTime(input.expiresAt)} :`,
      '',
      input.url,
      '',
      `${once} Si vous n’attendiez pas ce message, ignorez-le : sans mot de passe, le compte ne peut pas être utilisé.`,
    ].join('\n'),
  };
}

export function resetMail(input: { to: string; tenantName: string; url: string; expiresAt: Date }): ComposedMail {
  return {
    to: input.to,
    subject: `Nouveau mot de passe pour l’espace agents – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Un nouveau mot de passe a été demandé pour votre compte de l’espace agents de ${input.tenantName}.`,
      `Pour le choisir, ouvrez ce lien avant le ${frenchDateTime(input.expiresAt)} (il vaut une heure) :`,
      '',
      input.url,
      '',
      `${once} Après le changement, toutes vos sessions sont fermées ; la double authentification reste demandée.`,
      'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.',
    ].join('\n'),
  };
}
