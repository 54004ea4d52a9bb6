/** After a stored submission: the receipt by e-mail, queued so the citizen never waits on the mail server. */
import type { MailQueue } from '../mail/mail-queue.ts';
import { submissionReceipt } from '../mail/receipt.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { StoredSubmission } from './submit-form.ts';

export function trackingUrl(baseUrl: string, tenantId: string, code: string): string {
  return `${baseUrl}/${tenantId}/suivi?code=${encodeURIComponent(code)}`;
}

export function sendReceipt(mail: MailQueue, loaded: LoadedRegister, stored: StoredSubmission, baseUrl: string): void {
  if (!stored.receiptTo) return;
  const reg = loaded.register;
  const receipt = submissionReceipt({
    tenantName: reg.tenant.name,
    formTitle: stored.formTitle,
    trackingCode: stored.trackingCode,
    trackingUrl: trackingUrl(baseUrl, loaded.tenantId, stored.trackingCode),
    submittedAt: stored.createdAt,
    dpoEmail: reg.dpo.email,
    noticeUrl: `${baseUrl}/${loaded.tenantId}/donnees-personnelles`,
  });
  mail.enqueue({ to: stored.receiptTo, ...receipt });
}
