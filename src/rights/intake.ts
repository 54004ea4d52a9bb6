/**
 * Receiving a rights request (from the page or the API). The answer is the
 * same whoever the address belongs to and whatever it has sent before: an
 * id and the date the answer is due if the address is confirmed today. The
 * link that confirms it goes to that address only, so a request made in
 * someone else's name stays unverified and unanswered. Each request needs
 * its own confirmation: a second one for the same address is not verified
 * by the first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { lookupHash } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import type { RightsRequestType, Tables } from '../db/tables.ts';
import { validateFieldValue } from '../forms/field-validation.ts';
import { appendJournal } from '../journal/journal.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import { normaliseTrackingCode, trackingHash } from '../records/tracking-code.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Field } from '../register/schema.ts';
import { firstMonthEnds } from './deadlines.ts';
import { isRequestType, REQUEST_TYPES, TYPE_LABELS } from './request-kinds.ts';
import { sealSecrets } from './request-secrets.ts';
import { pendingExpiry } from './request-retention.ts';
import { acknowledgementMail } from './rights-mail.ts';

export interface IntakeDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export interface IntakeInput {
  type: unknown;
  email: unknown;
  phone?: unknown;
  details?: unknown;
  /** A tracking code or a processing id; empty: every processing. */
  scope?: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

export type IntakeResult =
  | { ok: true; id: string; dueAt: Date; verifyBefore: Date }
  | { ok: false; status: 400; errors: FieldError[] }
  | { ok: false; status: 429; errors: FieldError[] };

export const VERIFY_LINK_HOURS = 72;
/** Unconfirmed requests one address may have at once: enough for a mistake, not for a flood. */
export const MAX_PENDING_PER_ADDRESS = 3;
export const MAX_DETAILS = 5000;

const field = (name: string, label: string, type: Field['type'], required: boolean, extra: Partial<Field> = {}): Field => ({ name, label, type, required, subjectKey: false, category: 'contact', ...extra });
const EMAIL = field('email', 'Adresse électronique', 'email', true);
const PHONE = field('phone', 'Téléphone', 'phone', false);
const DETAILS = field('details', 'Précisions sur votre demande', 'textarea', false, { category: 'request', maxLength: MAX_DETAILS });
const SCOPE = field('scope', 'Démarche ou numéro de suivi concerné', 'text', false, { category: 'request', maxLength: 100 });

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

export const verifyPath = (tenantId: string) => `/${tenantId}/mes-droits/confirmation`;

export async function receiveRequest(deps: IntakeDeps, loaded: LoadedRegister, input: IntakeInput, baseUrl: string, now = new Date()): Promise<IntakeResult> {
  const errors: FieldError[] = [];
  const register = loaded.register;
  const tenantId = loaded.tenantId;
  if (!isRequestType(input.type)) errors.push({ field: 'type', message: `Choisissez le droit que vous exercez : ${REQUEST_TYPES.map((t) => TYPE_LABELS[t].toLowerCase()).join(', ')}.` });
  const email = await validateFieldValue(EMAIL, present(input.email) ? (input.email as string) : undefined);
  if (!present(input.email)) errors.push({ field: 'email', message: 'Indiquez votre adresse électronique : le lien qui confirme votre demande y sera envoyé.' });
  else if (!email.ok) errors.push({ field: 'email', message: email.message });
  const phone = present(input.phone) ? await validateFieldValue(PHONE, input.phone as string) : undefined;
  if (phone && !phone.ok) errors.push({ field: 'phone', message: phone.message });
  const details = present(input.details) ? await validateFieldValue(DETAILS, input.details as string) : undefined;
  if (details && !details.ok) errors.push({ field: 'details', message: details.message });
  if (input.type === 'rectification' && !details)
    errors.push({ field: 'details', message: 'Pour une rectification, indiquez quelles données sont inexactes et ce qu’elles doivent devenir.' });
  let scopeProcessing: string | null = null;
  let scopeTracking: string | null = null;
  if (present(input.scope)) {
    const scope = await validateFieldValue(SCOPE, input.scope as string);
    if (!scope.ok) errors.push({ field: 'scope', message: scope.message });
    else {
      const text = String(scope.value);
      const code = normaliseTrackingCode(text);
      if (register.processings.some((p) => p.id === text)) scopeProcessing = text;
      else if (code) scopeTracking = trackingHash(tenantId, code);
      else errors.push({ field: 'scope', message: 'Le champ « Démarche ou numéro de suivi concerné » attend un numéro de suivi (12 caractères, par exemple ABCD-EFGH-JKMN) ou une démarche de la liste.' });
    }
  }
  if (errors.length > 0 || !email.ok) return { ok: false, status: 400, errors };
  const type = input.type as RightsRequestType;
  const address = String(email.value);

  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const verifyBefore = new Date(now.getTime() + VERIFY_LINK_HOURS * 3_600_000);
  const key = await deps.keys.current(tenantId);
  const subjectIndex = await deps.keys.blindIndex(tenantId, 'email', address);
  const phoneIndex = phone?.ok ? await deps.keys.blindIndex(tenantId, 'phone', String(phone.value)) : null;
  const secrets = { email: address, ...(phone?.ok ? { phone: String(phone.value) } : {}), details: details?.ok ? String(details.value) : '', notes: [] };
  const mail = acknowledgementMail({ to: address, tenantName: register.tenant.name, requestId: id, type, verifyUrl: `${baseUrl}${verifyPath(tenantId)}?jeton=${token}`, verifyBefore, receivedAt: now });

  const accepted = await withPrincipal(deps.db, { kind: 'system', tenantId }, async (trx) => {
    const pending = await trx
      .selectFrom('rights_requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('subject_index', '=', subjectIndex)
      .where('state', '=', 'awaiting-verification')
      .where('verify_expires_at', '>', now)
      .executeTakeFirstOrThrow();
    if (Number(pending.n) >= MAX_PENDING_PER_ADDRESS) return false;
    await trx
      .insertInto('rights_requests')
      .values({
        tenant_id: tenantId,
        id,
        type,
        state: 'awaiting-verification',
        subject_index: subjectIndex,
        phone_index: phoneIndex,
        scope_processing: scopeProcessing,
        scope_tracking_hash: scopeTracking,
        ...sealSecrets(key, tenantId, id, secrets),
        received_at: now,
        verify_token_hash: lookupHash(token),
        verify_expires_at: verifyBefore,
        expires_at: pendingExpiry(now),
      })
      .execute();
    await trx.insertInto('mail_outbox').values(outboxRow(key, tenantId, null, mail, now, outboxExpiry(register, now))).execute();
    await appendJournal(trx, tenantId, { actorId: null, actor: 'usager (formulaire « Exercer mes droits »)', action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${id} (${type}) reçue, lien de confirmation envoyé` });
    return true;
  });
  if (!accepted)
    return {
      ok: false,
      status: 429,
      errors: [{ field: 'email', message: `Cette adresse a déjà ${MAX_PENDING_PER_ADDRESS} demandes en attente de confirmation : ouvrez le lien reçu par courriel, ou réessayez dans ${VERIFY_LINK_HOURS} heures.` }],
    };
  return { ok: true, id, dueAt: firstMonthEnds(now), verifyBefore };
}
