/** E-mails about a citizen account: a link and what it does, nothing else (queued like the agents' ones). */
import type { ComposedMail } from '../mail/mailer.ts';
import { frenchDateTime } from '../notice/french-date.ts';

export const accountPath = (tenantId: string) => `/${tenantId}/mon-compte`;

const ignore = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.';

export function confirmationMail(input: { to: string; tenantName: string; url: string; expiresAt: Date; change: boolean }): ComposedMail {
  return {
    to: input.to,
    subject: `${input.change ? 'Confirmez votre nouvelle adresse' : 'Confirmez la création de votre compte'} – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      input.change
        ? `Vous avez demandé à utiliser cette adresse pour votre compte usager de ${input.tenantName}.`
        : `Un compte usager de ${input.tenantName} a été demandé avec cette adresse.`,
      `Pour confirmer, ouvrez ce lien avant le ${frenchDateTime(input.expiresAt)}, puis saisissez votre mot de passe :`,
      '',
      input.url,
      '',
      `Ce lien ne fonctionne qu’une fois. ${ignore}`,
    ].join('\n'),
  };
}

export function alreadyRegisteredMail(input: { to: string; tenantName: string; signInUrl: string; resetUrl: string }): ComposedMail {
  return {
    to: input.to,
    subject: `Vous avez déjà un compte – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Une inscription a été demandée avec cette adresse, mais vous avez déjà un compte usager de ${input.tenantName}.`,
      `Connectez-vous : ${input.signInUrl}`,
      `Mot de passe oublié : ${input.resetUrl}`,
      '',
      ignore,
    ].join('\n'),
  };
}

export function citizenResetMail(input: { to: string; tenantName: string; url: string; expiresAt: Date }): ComposedMail {
  return {
    to: input.to,
    subject: `Nouveau mot de passe pour votre compte – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Un nouveau mot de passe a été demandé pour votre compte usager de ${input.tenantName}.`,
      `Pour le choisir, ouvrez ce lien avant le ${frenchDateTime(input.expiresAt)} (il vaut une heure) :`,
      '',
      input.url,
      '',
      `Ce lien ne fonctionne qu’une fois ; après le changement, toutes vos sessions sont fermées. ${ignore} Votre mot de passe actuel reste valable.`,
    ].join('\n'),
  };
}
