/** `register load`: check a register file and record it as a new version when its content changed. */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import { parseRegister } from './parse.ts';
import type { Problem } from './problem.ts';
import { saveVersion } from './register-repository.ts';

export type LoadResult =
  | { ok: true; tenantId: string; version: number; created: boolean; hash: string; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

export async function loadRegister(db: Kysely<Tables>, bytes: Uint8Array, loadedBy: string): Promise<LoadResult> {
  const parsed = parseRegister(bytes);
  if (!parsed.ok) return parsed;
  const source = new TextDecoder().decode(bytes);
  const { version, created } = await saveVersion(db, {
    register: parsed.register,
    hash: parsed.hash,
    canonical: parsed.canonical,
    source,
    loadedBy,
  });
  return { ok: true, tenantId: parsed.register.tenant.id, version, created, hash: parsed.hash, warnings: parsed.warnings };
}
