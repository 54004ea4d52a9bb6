/** The receipt of a submission as a message for the outbox: only links and the tracking code, never form data. */
import type { OutgoingMail } from '../mail/mailer.ts';
import { submissionReceipt } from '../mail/receipt.ts';
import type { LoadedRegister } from '../register/register-repository.ts';

export function trackingUrl(baseUrl: string, tenantId: string, code: string): string {
  return `${baseUrl}/${tenantId}/suivi?code=${encodeURIComponent(code)}`;
}

export interface ReceiptFacts {
  to: string;
  formTitle: string;
  trackingCode: string;
  submittedAt: Date;
}

export function receiptMail(loaded: LoadedRegister, facts: ReceiptFacts, baseUrl: string): OutgoingMail {
  const reg = loaded.register;
  const receipt = submissionReceipt({
    tenantName: reg.tenant.name,
    formTitle: facts.formTitle,
    trackingCode: facts.trackingCode,
    trackingUrl: trackingUrl(baseUrl, loaded.tenantId, facts.trackingCode),
    submittedAt: facts.submittedAt,
    dpoEmail: reg.dpo.email,
    noticeUrl: `${baseUrl}/${loaded.tenantId}/donnees-personnelles`,
  });
  return { to: facts.to, ...receipt };
}
