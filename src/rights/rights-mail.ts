/**
 * E-mails of the rights desk. Every one goes to the address the person gave
 * (once verified, the only place where what differs between persons goes);
 * none says whether the person has data until the address is verified.
 */
import type { ComposedMail } from '../mail/mailer.ts';
import { frenchDate, frenchDateTime } from '../notice/french-date.ts';
import type { RightsRequestType } from '../db/tables.ts';
import { TYPE_LABELS } from './request-kinds.ts';

const ignore = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : sans confirmation, elle ne sera pas traitée.';
const complaint = 'Si notre réponse ne vous satisfait pas, vous pouvez adresser une réclamation à la CNIL : https://www.cnil.fr/fr/plaintes';

interface Base {
  to: string;
  tenantName: string;
  requestId: string;
  type: RightsRequestType;
}

export function acknowledgementMail(input: Base & { verifyUrl: string; verifyBefore: Date; receivedAt: Date }): ComposedMail {
  return {
    to: input.to,
    subject: `Votre demande « ${TYPE_LABELS[input.type]} » – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Nous avons reçu le ${frenchDateTime(input.receivedAt)} une demande « ${TYPE_LABELS[input.type]} » faite avec cette adresse (référence ${input.requestId}).`,
      `Pour confirmer qu’elle vient de vous, ouvrez ce lien avant le ${frenchDateTime(input.verifyBefore)} :`,
      '',
      input.verifyUrl,
      '',
      'Nous vous répondrons au plus tard un mois après cette confirmation (article 12.3 du RGPD).',
      `Ce lien ne fonctionne qu’une fois. ${ignore}`,
    ].join('\n'),
  };
}

export function verifiedMail(input: Base & { dueAt: Date; byDpo: boolean }): ComposedMail {
  return {
    to: input.to,
    subject: `Demande confirmée : réponse au plus tard le ${frenchDate(input.dueAt)} – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      input.byDpo
        ? `Le délégué à la protection des données a vérifié votre identité pour votre demande « ${TYPE_LABELS[input.type]} » (référence ${input.requestId}).`
        : `Vous avez confirmé votre demande « ${TYPE_LABELS[input.type]} » (référence ${input.requestId}).`,
      `Nous vous répondrons au plus tard le ${frenchDate(input.dueAt)}.`,
    ].join('\n'),
  };
}

export function extensionMail(input: Base & { dueAt: Date; reason: string }): ComposedMail {
  return {
    to: input.to,
    subject: `Délai de réponse prolongé jusqu’au ${frenchDate(input.dueAt)} – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Le délai de réponse à votre demande « ${TYPE_LABELS[input.type]} » (référence ${input.requestId}) est prolongé jusqu’au ${frenchDate(input.dueAt)}, comme le permet l’article 12.3 du RGPD.`,
      `Motif : ${input.reason}`,
      '',
      complaint,
    ].join('\n'),
  };
}

export function answerMail(input: Base & { summary: string[]; url?: string; linkExpiresAt?: Date }): ComposedMail {
  return {
    to: input.to,
    subject: `Réponse à votre demande « ${TYPE_LABELS[input.type]} » – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `Voici la réponse à votre demande « ${TYPE_LABELS[input.type]} » (référence ${input.requestId}).`,
      '',
      ...input.summary,
      ...(input.url && input.linkExpiresAt ? ['', `Vos données, à lire en ligne ou à télécharger (lien personnel, valable jusqu’au ${frenchDateTime(input.linkExpiresAt)}) :`, input.url] : []),
      '',
      complaint,
    ].join('\n'),
  };
}

export function liftedMail(input: Base): ComposedMail {
  return {
    to: input.to,
    subject: `Fin de la limitation du traitement de vos données – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `La limitation du traitement que vous aviez demandée (référence ${input.requestId}) est levée : vos demandes sont de nouveau traitées et suivent leur durée de conservation (article 18.3 du RGPD).`,
      '',
      complaint,
    ].join('\n'),
  };
}

export function reminderMail(input: { to: string; tenantName: string; count: number; firstDue: Date; queueUrl: string }): ComposedMail {
  return {
    to: input.to,
    subject: `${input.count} demande${input.count > 1 ? 's' : ''} d’exercice des droits à traiter – ${input.tenantName}`,
    text: [
      'Bonjour,',
      '',
      `${input.count} demande${input.count > 1 ? 's arrivent' : ' arrive'} à échéance dans les 7 jours (la première le ${frenchDate(input.firstDue)}).`,
      `File des demandes : ${input.queueUrl}`,
    ].join('\n'),
  };
}
