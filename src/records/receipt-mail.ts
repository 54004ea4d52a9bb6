/** The receipt of a submission as a message for the outbox: only links and the tracking code, never form data. */
import type { TemplatedMail } from '../mail/mailer.ts';
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

/** Rendered when it is sent (src/mail/mailer.ts), from these facts only. */
export function receiptMail(loaded: LoadedRegister, facts: ReceiptFacts, baseUrl: string): TemplatedMail {
  const reg = loaded.register;
  return {
    to: facts.to,
    template: 'receipt',
    facts: {
      tenantName: reg.tenant.name,
      formTitle: facts.formTitle,
      trackingCode: facts.trackingCode,
      trackingUrl: trackingUrl(baseUrl, loaded.tenantId, facts.trackingCode),
      submittedAt: facts.submittedAt,
      dpoEmail: reg.dpo.email,
      noticeUrl: `${baseUrl}/${loaded.tenantId}/donnees-personnelles`,
    },
  };
}
