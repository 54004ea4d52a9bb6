/**
 * Establishing the requester's identity, from which the month runs: the
 * single-use link sent to the address (it proves the address, so only the
 * records bearing it are found), or the DPO with a written reason for a
 * request made by post or at the counter (identity checked in person, so the
 * phone given also finds records). Then the extension, once, with a reason
 * the person is told before the first month ends.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/actor.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import { lookupHash } from '../crypto/tenant-keys.ts';
import { withPrincipal, type Tx } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';
import { AppError } from '../errors/app-error.ts';
import { appendJournal } from '../journal/journal.ts';
import { outboxExpiry } from '../mail/outbox-expiry.ts';
import { outboxRow } from '../mail/outbox-message.ts';
import type { ComposedMail } from '../mail/mailer.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { checkExtension, firstMonthEnds } from './deadlines.ts';
import { lockRequest, secretsOf, type RequestRow } from './request-repository.ts';
import { requestExpiry, requireRightsDesk } from './request-retention.ts';
import { sealSecrets, type RequestNote } from './request-secrets.ts';
import { extensionMail, verifiedMail } from './rights-mail.ts';

export interface RightsDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export const LINK_VERIFIER = 'lien';

/**
 * Loads the tenant's keys before a step's transaction opens: the embedded
 * database has one connection, which a key lookup made inside the
 * transaction would wait for forever.
 */
export async function warmKeys(deps: RightsDeps, tenantId: string): Promise<void> {
  await deps.keys.all(tenantId);
}
const MIN_REASON = 10;
const MAX_REASON = 2000;

export function checkReason(reason: unknown, what: string): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < MIN_REASON || text.length > MAX_REASON || !text.isWellFormed() || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    throw new AppError('bad-request', `Le champ « reason » est obligatoire : ${what}, en ${MIN_REASON} à ${MAX_REASON} caractères.`);
  return text;
}

/** Adds a note to the sealed part, and queues a mail to the requester, in the step's transaction. */
export async function recordStep(
  deps: RightsDeps,
  trx: Tx,
  loaded: LoadedRegister,
  row: RequestRow,
  change: { set: Partial<Record<keyof RequestRow, unknown>>; note?: Omit<RequestNote, 'at'>; mail?: (to: string) => ComposedMail; journal: { actorId: string | null; actor: string; purpose: string } },
  now: Date,
): Promise<void> {
  const tenantId = loaded.tenantId;
  const key = await deps.keys.current(tenantId);
  const secrets = await secretsOf(deps.keys, row);
  const sealed = change.note ? sealSecrets(key, tenantId, row.id, { ...secrets, notes: [...secrets.notes, { ...change.note, at: now.toISOString() }] }) : {};
  await trx
    .updateTable('rights_requests')
    .set({ ...(change.set as object), ...sealed, last_error: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', row.id)
    .execute();
  if (change.mail) await trx.insertInto('mail_outbox').values(outboxRow(key, tenantId, null, change.mail(secrets.email), now, outboxExpiry(loaded.register, now))).execute();
  await appendJournal(trx, tenantId, { actorId: change.journal.actorId, actor: change.journal.actor, action: 'rights', recordId: null, purpose: change.journal.purpose });
}

function verifiedSet(loaded: LoadedRegister, row: RequestRow, by: string, now: Date) {
  const dueAt = firstMonthEnds(now);
  return {
    dueAt,
    set: { state: 'open', verified_at: now, verified_by: by, due_at: dueAt, verify_token_hash: null, verify_expires_at: null, expires_at: requestExpiry(requireRightsDesk(loaded), new Date(row.received_at), null) },
  };
}

export type LinkResult = { ok: true; id: string; dueAt: Date } | { ok: false };

/** The person opened the link and pressed the button: single use, before it expires. */
export async function verifyByLink(deps: RightsDeps, loaded: LoadedRegister, token: string, now = new Date()): Promise<LinkResult> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false };
  const tenantId = loaded.tenantId;
  await warmKeys(deps, tenantId);
  return withPrincipal(deps.db, { kind: 'system', tenantId }, async (trx) => {
    const row = await trx
      .selectFrom('rights_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('verify_token_hash', '=', lookupHash(token))
      .where('state', '=', 'awaiting-verification')
      .where('verify_expires_at', '>', now)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { ok: false } as const;
    const { dueAt, set } = verifiedSet(loaded, row, LINK_VERIFIER, now);
    await recordStep(deps, trx, loaded, row, {
      set,
      mail: (to) => verifiedMail({ to, tenantName: loaded.register.tenant.name, requestId: row.id, type: row.type, dueAt, byDpo: false }),
      journal: { actorId: null, actor: 'usager (lien de confirmation)', purpose: `demande d’exercice des droits ${row.id} : adresse confirmée par le lien, réponse due le ${dueAt.toISOString().slice(0, 10)}` },
    }, now);
    return { ok: true, id: row.id, dueAt } as const;
  });
}

const dpoOf = (actor: Actor) => ({ kind: 'dpo' as const, tenantId: actor.tenantId, agentId: actor.agentId });

/** The DPO establishes identity for a request that came by post or at the counter (or whose link the person cannot use). */
export async function verifyByDpo(deps: RightsDeps, loaded: LoadedRegister, actor: Actor, id: string, reason: unknown, now = new Date()): Promise<{ id: string; dueAt: Date }> {
  const text = checkReason(reason, 'comment l’identité a été vérifiée (par exemple « pièce d’identité présentée au guichet »)');
  await warmKeys(deps, loaded.tenantId);
  return withPrincipal(deps.db, dpoOf(actor), async (trx) => {
    const row = await lockRequest(trx, loaded.tenantId, id);
    if (!row) throw new AppError('rights-request-not-found');
    if (row.state !== 'awaiting-verification') throw new AppError('rights-request-state', 'L’identité de cette demande est déjà vérifiée.');
    const { dueAt, set } = verifiedSet(loaded, row, actor.agentId, now);
    await recordStep(deps, trx, loaded, row, {
      set,
      note: { by: actor.email, kind: 'verification', text },
      mail: (to) => verifiedMail({ to, tenantName: loaded.register.tenant.name, requestId: row.id, type: row.type, dueAt, byDpo: true }),
      journal: { actorId: actor.agentId, actor: actor.email, purpose: `demande d’exercice des droits ${row.id} : identité vérifiée par le délégué, réponse due le ${dueAt.toISOString().slice(0, 10)}` },
    }, now);
    return { id: row.id, dueAt };
  });
}

export async function extendRequest(deps: RightsDeps, loaded: LoadedRegister, actor: Actor, id: string, body: { months?: unknown; reason?: unknown }, now = new Date()): Promise<{ id: string; dueAt: Date }> {
  const text = checkReason(body.reason, 'pourquoi la demande est complexe ou nombreuse, motif communiqué à la personne');
  const months = typeof body.months === 'number' ? body.months : Number.NaN;
  if (!Number.isInteger(months) || months < 1 || months > 2) throw new AppError('bad-request', 'Le champ « months » vaut 1 ou 2 : la prolongation est d’un ou de deux mois au plus (article 12.3 du RGPD).');
  await warmKeys(deps, loaded.tenantId);
  return withPrincipal(deps.db, dpoOf(actor), async (trx) => {
    const row = await lockRequest(trx, loaded.tenantId, id);
    if (!row) throw new AppError('rights-request-not-found');
    const check = checkExtension({ verifiedAt: row.verified_at ? new Date(row.verified_at) : null, extendedAt: row.extended_at ? new Date(row.extended_at) : null, state: row.state, months, now });
    if (!check.ok) throw new AppError('rights-request-state', check.message);
    await recordStep(deps, trx, loaded, row, {
      set: { due_at: check.dueAt, extended_at: now, reminded_at: null },
      note: { by: actor.email, kind: 'extension', text },
      mail: (to) => extensionMail({ to, tenantName: loaded.register.tenant.name, requestId: row.id, type: row.type, dueAt: check.dueAt, reason: text }),
      journal: { actorId: actor.agentId, actor: actor.email, purpose: `demande d’exercice des droits ${row.id} : délai prolongé de ${months} mois, réponse due le ${check.dueAt.toISOString().slice(0, 10)}` },
    }, now);
    return { id: row.id, dueAt: check.dueAt };
  });
}
