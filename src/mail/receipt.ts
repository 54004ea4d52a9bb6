/**
 * The acknowledgement of receipt sent to a citizen after a submission.
 *
 * It takes no form data at all: only the authority, the form's title, the
 * tracking code and links. So by construction it cannot carry health or any
 * other answer the citizen typed, whatever the form asked. Keep it that way:
 * an e-mail crosses servers the authority does not control.
 */
import { frenchDateTime } from '../notice/french-date.ts';
import { html } from '../web/html.ts';

export interface ReceiptInput {
  tenantName: string;
  formTitle: string;
  trackingCode: string;
  trackingUrl: string;
  /** A Date, or its ISO text once it has been through the outbox. */
  submittedAt: Date | string;
  dpoEmail: string;
  noticeUrl: string;
}

export interface Receipt {
  subject: string;
  text: string;
  html: string;
}

const CONFIDENTIALITY =
  'Pour préserver la confidentialité de vos informations, ce message ne contient aucune des données que vous avez saisies.';
const AUTOMATIC = 'Ce message est envoyé automatiquement : merci de ne pas y répondre.';

/** Links go into `href`: only web addresses, never `javascript:` or the like. */
function webUrl(value: string, what: string): string {
  if (!/^https?:\/\//i.test(value)) throw new Error(`${what} must be an http(s) URL`);
  return value;
}

export function submissionReceipt(input: ReceiptInput): Receipt {
  const trackingUrl = webUrl(input.trackingUrl, 'trackingUrl');
  const noticeUrl = webUrl(input.noticeUrl, 'noticeUrl');
  const when = frenchDateTime(input.submittedAt);
  // The form's title stays out of the subject: a subject is shown in notifications and
  // kept in server logs, and a title alone can say too much ("aide à domicile...").
  const subject = `Votre demande a bien été reçue – ${input.tenantName}`;

  const text = `Bonjour,

Votre demande a bien été reçue par ${input.tenantName}.

Démarche : ${input.formTitle}
Reçue le : ${when}
Numéro de suivi : ${input.trackingCode}

Pour suivre votre demande : ${trackingUrl}

${CONFIDENTIALITY}

Vos données personnelles : pour exercer vos droits (accès, rectification…), écrivez au délégué à la protection des données : ${input.dpoEmail}.
La notice d'information indique les droits qui s'appliquent et comment les exercer : ${noticeUrl}

${AUTOMATIC}
`;

  const page = html`<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>${subject}</title></head>
<body>
<p>Bonjour,</p>
<p>Votre demande a bien été reçue par ${input.tenantName}.</p>
<ul>
<li>Démarche : <strong>${input.formTitle}</strong></li>
<li>Reçue le : ${when}</li>
<li>Numéro de suivi : <strong>${input.trackingCode}</strong></li>
</ul>
<p><a href="${trackingUrl}">Suivre votre demande</a></p>
<p>${CONFIDENTIALITY}</p>
<p>Vos données personnelles : pour exercer vos droits (accès, rectification…), écrivez au délégué à la protection des données : <a href="mailto:${input.dpoEmail}">${input.dpoEmail}</a>.
La <a href="${noticeUrl}">notice d'information</a> indique les droits qui s'appliquent et comment les exercer.</p>
<p>${AUTOMATIC}</p>
</body>
</html>
`;
  return { subject, text, html: page.value };
}
