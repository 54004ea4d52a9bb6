/**
 * Single-use recovery codes for an agent who lost the phone with the
 * authenticator: ten codes shown once at enrolment, stored as hashes; each
 * opens one sign-in and is then spent. Enrolling again replaces them all.
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lookupHash } from '../crypto/tenant-keys.ts';
import type { Tables } from '../db/tables.ts';

const COUNT = 10;
/** No 0/O, 1/I/L: codes are copied by hand from paper. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function normalise(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function newCode(): string {
  let raw = '';
  for (let i = 0; i < 10; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

export function looksLikeRecoveryCode(text: string): boolean {
  return normalise(text).length === 10;
}

export async function replaceRecoveryCodes(db: Kysely<Tables>, tenantId: string, agentId: string): Promise<string[]> {
  const codes = Array.from({ length: COUNT }, newCode);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('recovery_codes').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId).execute();
    await trx
      .insertInto('recovery_codes')
      .values(codes.map((c) => ({ tenant_id: tenantId, agent_id: agentId, code_hash: lookupHash(normalise(c)) })))
      .execute();
  });
  return codes;
}

/** True once per code: the UPDATE that spends it is the check. */
export async function spendRecoveryCode(db: Kysely<Tables>, tenantId: string, agentId: string, code: string, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('agent_id', '=', agentId)
    .where('code_hash', '=', lookupHash(normalise(code)))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recoveryCodesLeft(db: Kysely<Tables>, tenantId: string, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('agent_id', '=', agentId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
