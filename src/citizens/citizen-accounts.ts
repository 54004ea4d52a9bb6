/**
 * Citizen accounts as stored: the e-mail sealed under the tenant key and
 * found by its blind index, which is also the index `record_subjects` holds
 * for a request's e-mail. Read by the owner role, like agents: an account is
 * looked up before anyone is known.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openJson, sealJson } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';
import { normaliseSubjectKey } from '../records/subject-key.ts';

export interface CitizenDeps {
  db: Kysely<Tables>;
  keys: TenantKeys;
}

export interface CitizenAccount {
  tenantId: string;
  id: string;
  email: string;
  emailIndex: string;
  pendingEmail: string | undefined;
  passwordHash: string;
  confirmedAt: Date | null;
  lockedUntil: Date | null;
  createdAt: Date;
}

interface SealedContact {
  email: string;
  pendingEmail?: string;
}

const contactAad = (tenantId: string, id: string) => `bastide:citizen:${tenantId}:${id}`;

export const normaliseEmail = (email: string) => normaliseSubjectKey('email', email);

/** A plausible address, without claiming more than the mailbox will prove. */
export function emailProblem(email: string): string | undefined {
  if (email.trim() === '') return 'Saisissez votre adresse électronique.';
  if (email.length > 254 || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email.trim()))
    return 'Saisissez une adresse électronique valide, au format nom@domaine.fr.';
  return undefined;
}

export function emailIndex(keys: TenantKeys, tenantId: string, email: string): Promise<string> {
  return keys.blindIndex(tenantId, 'email', normaliseEmail(email));
}

export async function sealContact(deps: CitizenDeps, tenantId: string, id: string, contact: SealedContact) {
  const key = await deps.keys.current(tenantId);
  return { sealed: sealJson(key.key, contact, contactAad(tenantId, id)), key_version: key.version };
}

interface Row {
  tenant_id: string;
  id: string;
  email_index: string;
  sealed: string;
  key_version: number;
  password_hash: string;
  confirmed_at: Date | null;
  locked_until: Date | null;
  created_at: Date | string;
}

async function toAccount(deps: CitizenDeps, row: Row): Promise<CitizenAccount> {
  const contact = openJson<SealedContact>((await deps.keys.byVersion(row.tenant_id, row.key_version)).key, row.sealed, contactAad(row.tenant_id, row.id));
  return {
    tenantId: row.tenant_id,
    id: row.id,
    email: contact.email,
    emailIndex: row.email_index,
    pendingEmail: contact.pendingEmail,
    passwordHash: row.password_hash,
    confirmedAt: row.confirmed_at ? new Date(row.confirmed_at) : null,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    createdAt: new Date(row.created_at),
  };
}

const COLUMNS = ['tenant_id', 'id', 'email_index', 'sealed', 'key_version', 'password_hash', 'confirmed_at', 'locked_until', 'created_at'] as const;

export async function findCitizenByEmail(deps: CitizenDeps, tenantId: string, email: string): Promise<CitizenAccount | undefined> {
  const index = await emailIndex(deps.keys, tenantId, email);
  const row = await deps.db.selectFrom('citizens').select(COLUMNS).where('tenant_id', '=', tenantId).where('email_index', '=', index).executeTakeFirst();
  return row ? toAccount(deps, row) : undefined;
}

export async function findCitizen(deps: CitizenDeps, tenantId: string, id: string): Promise<CitizenAccount | undefined> {
  const row = await deps.db.selectFrom('citizens').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row ? toAccount(deps, row) : undefined;
}

export async function insertCitizen(deps: CitizenDeps, input: { tenantId: string; email: string; passwordHash: string; expiresAt: Date; now: Date }): Promise<string> {
  const id = randomUUID();
  await deps.db
    .insertInto('citizens')
    .values({
      tenant_id: input.tenantId,
      id,
      email_index: await emailIndex(deps.keys, input.tenantId, input.email),
      ...(await sealContact(deps, input.tenantId, id, { email: input.email.trim() })),
      password_hash: input.passwordHash,
      created_at: input.now,
      expires_at: input.expiresAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'email_index']).doNothing())
    .execute();
  return id;
}
