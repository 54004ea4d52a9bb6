/**
 * The rights a citizen with a confirmed account exercises without waiting
 * for the DPO (issue 9, item 4): downloading everything its account shows,
 * at once; and asking to erase one request. A request the right to erasure
 * applies to goes at once (under the citizen's own principal, which cannot
 * erase anything frozen or archived, and the deletion trigger refuses a held
 * one); one the authority must keep goes to the DPO as an erasure request
 * whose identity the confirmed account already establishes.
 */
import { randomUUID } from 'node:crypto';
import { heldRequests } from '../citizens/account-deletion.ts';
import type { CitizenAccount } from '../citizens/citizen-accounts.ts';
import { listMyRequests, readMyRequest } from '../citizens/my-requests.ts';
import { withPrincipal, type Principal } from '../db/principal.ts';
import { findForm } from '../forms/find-form.ts';
import { appendJournal } from '../journal/journal.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { buildNotice } from '../notice/notice.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { firstMonthEnds } from './deadlines.ts';
import { erasureException } from './erasure-exceptions.ts';
import { requestExpiry, rightsProcessing } from './request-retention.ts';
import { sealSecrets } from './request-secrets.ts';
import { verifiedMail } from './rights-mail.ts';
import type { RightsDeps } from './verification.ts';
import { purposeForCitizen } from '../journal/journal-records.ts';

type CitizenPrincipal = Principal & { kind: 'citizen' };

export const ACCOUNT_VERIFIER = 'compte';

export async function myDataExport(deps: RightsDeps, loaded: LoadedRegister, principal: CitizenPrincipal, account: CitizenAccount, now = new Date()) {
  const requests = await listMyRequests(deps, principal);
  const details = [];
  for (const r of requests) {
    // Archives are the DPO's to open: listed with their date, without their content.
    const detail = r.archivedAt ? undefined : await readMyRequest(deps, principal, r.id);
    details.push({
      id: r.id,
      form: findForm(loaded.register, r.formId)?.form.title ?? r.formId,
      processingId: r.processingId,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      deletionDate: r.expiresAt?.toISOString() ?? null,
      deletionAction: r.expiryAction,
      archived: r.archivedAt !== null,
      restricted: r.frozen,
      ...(detail
        ? {
            data: detail.data,
            replies: detail.replies.map((m) => ({ text: m.text, at: m.createdAt.toISOString() })),
            consultations: detail.consultations.map((c) => ({ at: c.at.toISOString(), action: c.action, purpose: purposeForCitizen(c.purpose) })),
          }
        : {}),
    });
  }
  const concerned = new Set(requests.map((r) => r.processingId));
  return {
    generatedAt: now.toISOString(),
    tenant: { id: loaded.tenantId, name: loaded.register.tenant.name },
    account: { email: account.email, createdAt: account.createdAt.toISOString() },
    requests: details,
    processings: buildNotice(loaded)
      .processings.filter((p) => concerned.has(p.id))
      .map((p) => ({ id: p.id, title: p.title, purposes: p.purposes, legalBasis: p.legalBasis.label, recipients: p.recipients.summary, retention: p.retention.summary, source: p.source })),
  };
}

export type ErasureAsked = { kind: 'erased' } | { kind: 'forwarded'; requestId: string; dueAt: Date; reason: string } | { kind: 'not-found' };

export async function askErasureFromAccount(deps: RightsDeps, loaded: LoadedRegister, principal: CitizenPrincipal, account: CitizenAccount, recordId: string, now = new Date()): Promise<ErasureAsked> {
  const tenantId = loaded.tenantId;
  const request = (await listMyRequests(deps, principal)).find((r) => r.id === recordId.toLowerCase());
  if (!request) return { kind: 'not-found' };
  const held = await heldRequests(deps.db, tenantId, [request]);
  const reason = erasureException(loaded.register, request, held.has(request.id));
  if (reason === undefined) {
    const gone = await withPrincipal(deps.db, principal, async (trx) => {
      const result = await trx.deleteFrom('records').where('tenant_id', '=', tenantId).where('id', '=', request.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 1)
        await appendJournal(trx, tenantId, { actorId: principal.citizenId, actor: 'usager (depuis son compte)', action: 'rights', recordId: request.id, purpose: 'effacement d’une demande par la personne concernée, depuis son compte' });
      return Number(result.numDeletedRows) === 1;
    });
    if (gone) return { kind: 'erased' };
  }
  const processing = rightsProcessing(loaded.register);
  if (!processing) return { kind: 'not-found' };
  const dueAt = firstMonthEnds(now);
  const key = await deps.keys.current(tenantId);
  const id = randomUUID();
  const forwarded = await withPrincipal(deps.db, { kind: 'system', tenantId }, async (trx) => {
    const pending = await trx
      .selectFrom('rights_requests')
      .select(['id', 'due_at'])
      .where('tenant_id', '=', tenantId)
      .where('scope_record_id', '=', request.id)
      .where('type', '=', 'erasure')
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (pending) return { requestId: pending.id, dueAt: new Date(pending.due_at!) };
    await trx
      .insertInto('rights_requests')
      .values({
        tenant_id: tenantId,
        id,
        type: 'erasure',
        state: 'open',
        subject_index: account.emailIndex,
        phone_index: null,
        scope_processing: null,
        scope_tracking_hash: null,
        scope_record_id: request.id,
        ...sealSecrets(key, tenantId, id, { email: account.email, details: 'Effacement d’une demande, demandé depuis le compte usager.', notes: [] }),
        received_at: now,
        verify_token_hash: null,
        verify_expires_at: null,
        verified_at: now,
        verified_by: ACCOUNT_VERIFIER,
        due_at: dueAt,
        expires_at: requestExpiry(processing, now, null),
      })
      .execute();
    const mail = verifiedMail({ to: account.email, tenantName: loaded.register.tenant.name, requestId: id, type: 'erasure', dueAt, byDpo: false });
    await trx.insertInto('mail_outbox').values(outboxRow(key, tenantId, null, mail, now, outboxExpiry(loaded.register, now))).execute();
    await appendJournal(trx, tenantId, { actorId: null, actor: 'usager (depuis son compte)', action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${id} (erasure) reçue depuis un compte confirmé, réponse due le ${dueAt.toISOString().slice(0, 10)}` });
    return { requestId: id, dueAt };
  });
  return { kind: 'forwarded', ...forwarded, reason: reason ?? '' };
}
