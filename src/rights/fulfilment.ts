/**
 * Fulfilling a verified request, in one transaction: the request is locked
 * under the DPO's principal, then everything else runs under the rights
 * principal of that person (their verified subject keys), so that nothing
 * but their records can be read, frozen or erased. What differs between
 * persons goes to the verified address only; the request keeps ids and the
 * register's reasons. A step that fails rolls back whole: the request stays
 * open, its error noted, and can be tried again.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../accounts/actor.ts';
import { sealJson } from '../crypto/aead.ts';
import { lookupHash } from '../crypto/tenant-keys.ts';
import { applyPrincipal, type Tx } from '../db/principal.ts';
import { AppError } from '../errors/app-error.ts';
import { appendJournal } from '../journal/journal.ts';
import { appendJournalWithRecords } from '../journal/journal-records.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { applicableRights } from './applicable-rights.ts';
import { answerHead, answerOrder, type AnswerHead } from './access-answer.ts';
import { writeAnswerParts } from './answer-parts.ts';
import { erasureException } from './erasure-exceptions.ts';
import type { KeptRecord, Outcome, RecipientNotice } from './outcome.ts';
import { lockRequest, secretsOf, type RequestRow } from './request-repository.ts';
import { requestExpiry, requireRightsDesk } from './request-retention.ts';
import { answerAad, sealSecrets } from './request-secrets.ts';
import { answerMail } from './rights-mail.ts';
import { findSubjectRecords, requestSubjects, type SubjectRecord } from './subject-records.ts';
import { checkReason, warmKeys, type RightsDeps } from './verification.ts';
import { isUuid } from '../db/uuid.ts';
import { findForm } from '../forms/find-form.ts';
import { parseChanges, rectify } from './rectification.ts';
import { recipientsSentence, recipientsToNotify } from './recipient-notifications.ts';

/** How long the link to an access or portability answer works. */
export const ANSWER_LINK_DAYS = 30;
export const answerPath = (tenantId: string) => `/${tenantId}/mes-droits/reponse`;

export interface FulfilBody {
  /** Rectification: the new values, field by field, and the DPO's reason. */
  changes?: unknown;
  reason?: unknown;
  /** Objection: the DPO's compelling legitimate grounds (art. 21.1), stated in the answer. */
  grounds?: unknown;
  /** Erasure: public-task records the DPO found no longer needed (art. 17.1.a). */
  alsoErase?: unknown;
}

/** A record the answer holds, as the DPO's reply names it: its contents are for the person, behind the link. */
export interface AnsweredRecord {
  id: string;
  processingId: string;
  formId: string;
  status: string;
  createdAt: string;
}

export type FulfilResult =
  | { type: 'access' | 'portability'; subject: { email: string }; records: AnsweredRecord[]; refused?: KeptRecord[]; answerUrl: string }
  | { type: 'erasure' | 'objection'; erased: string[]; kept: KeptRecord[]; compellingGrounds?: string; notifications?: RecipientNotice[] }
  | { type: 'restriction'; frozen: string[]; alreadyFrozen: string[]; notifications?: RecipientNotice[] }
  | { type: 'rectification'; rectified: Array<{ id: string; fields: string[] }>; notifications?: RecipientNotice[] };

const ACTOR = (actor: Actor) => ({ actorId: actor.agentId, actor: actor.email });

function idList(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 10_000 || !value.every((v) => typeof v === 'string' && isUuid(v)))
    throw new AppError('bad-request', 'Le champ « alsoErase » attend une liste d’identifiants de demandes.');
  return value.map((v: string) => v.toLowerCase());
}

async function erase(trx: Tx, tenantId: string, records: readonly SubjectRecord[], keep: (r: SubjectRecord) => string | undefined) {
  const kept: KeptRecord[] = [];
  const erased: string[] = [];
  for (const r of records) {
    const reason = keep(r);
    if (reason === undefined) erased.push(r.id);
    else kept.push({ id: r.id, processingId: r.processingId, reason });
  }
  // The deletion trigger removes what hangs off them and writes the erasure ledger; a held record makes it fail whole.
  if (erased.length > 0) await trx.deleteFrom('records').where('tenant_id', '=', tenantId).where('id', 'in', erased).execute();
  return { erased, kept };
}

export async function fulfilRequest(deps: RightsDeps, loaded: LoadedRegister, actor: Actor, id: string, body: FulfilBody, baseUrl: string, now = new Date()): Promise<FulfilResult> {
  const tenantId = loaded.tenantId;
  const register = loaded.register;
  const processing = requireRightsDesk(loaded);
  const alsoErase = new Set(idList(body.alsoErase));
  await warmKeys(deps, tenantId);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await applyPrincipal(trx, { kind: 'dpo', tenantId, agentId: actor.agentId });
      const row = await lockRequest(trx, tenantId, id);
      if (!row) throw new AppError('rights-request-not-found');
      if (row.state === 'awaiting-verification')
        throw new AppError('rights-request-state', 'L’identité du demandeur n’est pas encore vérifiée : elle l’est par le lien envoyé à son adresse, ou par vous avec un motif (« verify »).');
      if (row.state === 'done') throw new AppError('rights-request-state', 'Cette demande est déjà traitée.');
      const grounds = row.type === 'objection' && body.grounds !== undefined ? checkReason(body.grounds, 'les motifs légitimes et impérieux qui justifient de poursuivre le traitement') : undefined;
      const changes = row.type === 'rectification' ? parseChanges(body.changes) : [];
      const rectifyReason = row.type === 'rectification' ? checkReason(body.reason, 'ce qui établit que les données étaient inexactes ou incomplètes') : undefined;
      const secrets = await secretsOf(deps.keys, row);
      await applyPrincipal(trx, { kind: 'rights', tenantId, subjects: requestSubjects(row) });
      const records = await findSubjectRecords(trx, row);
      const ids = records.map((r) => r.id);
      const outcome: Outcome = { found: records.length };
      let result: FulfilResult;
      let summary: string[];
      let answer: AnswerHead | undefined;
      const key = await deps.keys.current(tenantId);

      if (row.type === 'rectification') {
        const rectified = await rectify(trx, deps.keys, loaded, records, changes);
        outcome.rectified = rectified;
        const label = (id: string, name: string) => findForm(register, records.find((r) => r.id === id)!.formId)?.form.fields.find((f) => f.name === name)?.label ?? name;
        summary = [
          'Les données suivantes ont été rectifiées comme vous le demandiez :',
          ...rectified.map((x) => `- demande ${x.id} : ${x.fields.map((f) => `« ${label(x.id, f)} »`).join(', ')}`),
          `Motif : ${rectifyReason}`,
        ];
        result = { type: 'rectification', rectified };
      } else if (row.type === 'access' || row.type === 'portability') {
        const portable = (r: SubjectRecord) => {
          const p = register.processings.find((x) => x.id === r.processingId);
          return p ? applicableRights(p.legalBasis).find((x) => x.right === 'portability') : undefined;
        };
        const chosen = row.type === 'access' ? records : records.filter((r) => portable(r)?.applies === 'yes');
        const refused = row.type === 'access' ? [] : records.filter((r) => portable(r)?.applies !== 'yes').map((r) => ({ id: r.id, processingId: r.processingId, reason: portable(r)?.explanation ?? 'Ce traitement ne figure plus au registre.' }));
        const ordered = answerOrder(loaded, chosen);
        answer = answerHead(loaded, row, secrets, ordered, refused, now);
        // However many records, the answer is opened and sealed a part at a time.
        await writeAnswerParts(trx, await deps.keys.all(tenantId), key, loaded, row.id, ordered);
        await appendJournalWithRecords(trx, tenantId, { ...ACTOR(actor), action: 'export' }, `réponse à une demande ${row.type === 'access' ? 'd’accès' : 'de portabilité'} de la personne concernée (droits ${row.id})`, chosen.map((r) => r.id));
        outcome.exported = chosen.map((r) => r.id);
        if (refused.length > 0) outcome.refused = refused;
        summary = [
          chosen.length === 0 ? 'Nous ne détenons aucune donnée vous concernant dans les démarches en ligne, pour l’adresse confirmée.' : `Nous détenons ${chosen.length} demande${chosen.length > 1 ? 's' : ''} vous concernant : le lien ci-dessous les présente, avec pour chaque traitement ses finalités, ses destinataires, sa durée de conservation et qui a consulté vos données.`,
          ...refused.map((k) => `Demande ${k.id} : ${k.reason}`),
        ];
        const answered = ordered.map((r) => ({ id: r.id, processingId: r.processingId, formId: r.formId, status: r.status, createdAt: r.createdAt.toISOString() }));
        result = { type: row.type, subject: { email: secrets.email }, records: answered, ...(refused.length > 0 ? { refused } : {}), answerUrl: '' };
      } else if (row.type === 'erasure') {
        const { erased, kept } = await erase(trx, tenantId, records, (r) => erasureException(register, r, r.held, alsoErase.has(r.id)));
        outcome.erased = erased;
        outcome.kept = kept;
        summary = erasureSummary(erased, kept);
        result = { type: 'erasure', erased, kept };
      } else if (row.type === 'objection') {
        const { erased, kept } = await erase(trx, tenantId, records, (r) => {
          const p = register.processings.find((x) => x.id === r.processingId);
          const objection = p ? applicableRights(p.legalBasis).find((x) => x.right === 'objection') : undefined;
          if (!p || objection?.applies !== 'yes') return objection?.explanation ?? 'Ce traitement ne figure plus au registre.';
          if (grounds) return `Le responsable de traitement a des motifs légitimes et impérieux de poursuivre ce traitement (article 21.1 du RGPD) : ${grounds}`;
          // No compelling grounds: the record leaves processing, hence goes (art. 17.1.c), save a hold, an archive or a restriction.
          return erasureException(register, r, r.held, true);
        });
        outcome.erased = erased;
        outcome.kept = kept;
        if (grounds) outcome.compellingGrounds = true;
        summary = erasureSummary(erased, kept);
        result = { type: 'objection', erased, kept, ...(grounds ? { compellingGrounds: grounds } : {}) };
      } else {
        const toFreeze = records.filter((r) => !r.frozen).map((r) => r.id);
        if (toFreeze.length > 0) await trx.updateTable('records').set({ frozen: true, updated_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', toFreeze).execute();
        outcome.frozen = toFreeze;
        const already = records.filter((r) => r.frozen).map((r) => r.id);
        summary = [
          records.length === 0
            ? 'Nous ne détenons aucune donnée vous concernant dans les démarches en ligne, pour l’adresse confirmée : il n’y a rien à limiter.'
            : `Le traitement de ${records.length} demande${records.length > 1 ? 's' : ''} vous concernant est limité : elles sont conservées sans être traitées ni supprimées, jusqu’à ce que nous vous informions de la levée de cette limitation (article 18 du RGPD).`,
        ];
        result = { type: 'restriction', frozen: toFreeze, alreadyFrozen: already };
      }
      const changed = new Set(outcome.rectified?.map((x) => x.id) ?? outcome.erased ?? outcome.frozen ?? []);
      const notices = recipientsToNotify(loaded, records.filter((r) => changed.has(r.id)));
      if (notices.length > 0) {
        outcome.notifications = notices;
        summary.push(...recipientsSentence(row.type, notices));
        if (!('answerUrl' in result)) result.notifications = notices;
      }
      if (ids.length > 0 && row.type !== 'access' && row.type !== 'portability')
        await appendJournalWithRecords(
          trx,
          tenantId,
          { ...ACTOR(actor), action: 'rights' },
          `demande d’exercice des droits ${row.id} (${row.type}) traitée${outcome.rectified ? ` : champs rectifiés ${[...new Set(outcome.rectified.flatMap((x) => x.fields))].sort().join(', ')}` : ''}`,
          outcome.rectified ? outcome.rectified.map((x) => x.id) : ids,
        );
      else await appendJournal(trx, tenantId, { ...ACTOR(actor), action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${row.id} (${row.type}) traitée` });

      const token = answer ? randomBytes(32).toString('base64url') : undefined;
      const linkExpiresAt = new Date(now.getTime() + ANSWER_LINK_DAYS * 86_400_000);
      const url = token ? `${baseUrl}${answerPath(tenantId)}?jeton=${token}` : undefined;
      if (result.type === 'access' || result.type === 'portability') result.answerUrl = url!;
      const note = grounds ? { kind: 'grounds' as const, text: grounds } : rectifyReason ? { kind: 'rectification' as const, text: rectifyReason } : undefined;
      const notes = note ? [...secrets.notes, { at: now.toISOString(), by: actor.email, ...note }] : secrets.notes;
      await trx
        .updateTable('rights_requests')
        .set({
          state: 'done',
          fulfilled_at: now,
          fulfilled_by: actor.agentId,
          outcome: JSON.stringify(outcome),
          last_error: null,
          expires_at: requestExpiry(processing, new Date(row.received_at), now),
          ...(note ? sealSecrets(key, tenantId, row.id, { ...secrets, notes }) : {}),
          ...(answer && token
            ? { answer_token_hash: lookupHash(token), answer_expires_at: linkExpiresAt, answer_sealed: sealJson(key.key, answer, answerAad(tenantId, row.id)), answer_key_version: key.version }
            : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', row.id)
        .execute();
      const mail = answerMail({ to: secrets.email, tenantName: register.tenant.name, requestId: row.id, type: row.type, summary, ...(url ? { url, linkExpiresAt } : {}) });
      await trx.insertInto('mail_outbox').values(outboxRow(key, tenantId, null, mail, now, outboxExpiry(register, now))).execute();
      return result;
    });
  } catch (error) {
    if (!(error instanceof AppError)) await noteFailure(deps, tenantId, actor, id, error);
    throw error;
  }
}

function erasureSummary(erased: readonly string[], kept: readonly KeptRecord[]): string[] {
  return [
    erased.length === 0 ? 'Aucune demande n’a été effacée.' : `${erased.length} demande${erased.length > 1 ? 's ont été effacées' : ' a été effacée'}, avec ses pièces jointes.`,
    ...(kept.length > 0 ? [`${kept.length} demande${kept.length > 1 ? 's sont conservées' : ' est conservée'}, pour la raison suivante :`, ...kept.map((k) => `- ${k.id} : ${k.reason}`)] : []),
  ];
}

/** The step failed (the transaction rolled back): the request stays open, and says why, so that it can be tried again. */
async function noteFailure(deps: RightsDeps, tenantId: string, actor: Actor, id: string, error: unknown): Promise<void> {
  const held = /conservation pour raison juridique/.test(String((error as Error)?.message));
  const message = held
    ? 'Une demande a été placée sous conservation pour raison juridique pendant le traitement : relancez l’étape.'
    : 'L’étape a échoué sans rien modifier : relancez-la ; si l’échec persiste, prévenez l’administrateur de la plateforme.';
  try {
    await deps.db.transaction().execute(async (trx) => {
      await applyPrincipal(trx, { kind: 'dpo', tenantId, agentId: actor.agentId });
      if (isUuid(id)) await trx.updateTable('rights_requests').set({ last_error: message }).where('tenant_id', '=', tenantId).where('id', '=', id.toLowerCase()).where('state', '=', 'open').execute();
    });
  } catch {
    // The failure itself is what the caller reports.
  }
}

export type { RequestRow };
