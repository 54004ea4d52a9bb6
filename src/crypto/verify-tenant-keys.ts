/**
 * Whether the configured master keys open every tenant's data keys. With a
 * wrong BASTIDE_MASTER_KEY a server would start and look healthy, then
 * answer 500 on every form: `serve` refuses to start instead, and /healthz
 * says what is wrong. Reasons name tenants, versions and master key ids,
 * never a key.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { MasterKeyring } from './master-keyring.ts';
import { TenantKeys } from './tenant-keys.ts';

export interface TenantKeyFailure {
  tenantId: string;
  reason: string;
}

const quoted = (ids: Iterable<string>) => [...new Set(ids)].map((id) => `« ${id} »`).join(', ');

/** Every version, not only the current one: records sealed under an older data key must open too. */
export async function verifyTenantKeys(db: Kysely<Tables>, keyring: MasterKeyring): Promise<TenantKeyFailure[]> {
  const rows = await db.selectFrom('tenant_keys').select(['tenant_id', 'master_key_id']).orderBy('tenant_id').orderBy('version').execute();
  // A keyring of its own, so that nothing is cached; every tenant checked has keys, so none is created.
  const keys = new TenantKeys(db, keyring);
  const failures: TenantKeyFailure[] = [];
  for (const tenantId of new Set(rows.map((r) => r.tenant_id))) {
    const wrappedUnder = rows.filter((r) => r.tenant_id === tenantId).map((r) => r.master_key_id);
    const missing = wrappedUnder.filter((id) => !keyring.keys.has(id));
    if (missing.length > 0) {
      failures.push({ tenantId, reason: `ses clés de données sont chiffrées sous la clé maîtresse ${quoted(missing)}, absente de la configuration` });
      continue;
    }
    try {
      await keys.all(tenantId);
    } catch {
      failures.push({ tenantId, reason: `la clé maîtresse ${quoted(wrappedUnder)} configurée n’ouvre pas ses clés de données : ce n’est pas celle qui les a chiffrées` });
    }
  }
  return failures;
}

/** One line for /healthz. */
export function tenantKeyFailuresSummary(failures: readonly TenantKeyFailure[]): string {
  return failures.map((f) => `${f.tenantId} : ${f.reason}`).join(' ; ');
}

/** Why `bastide serve` refuses to start, and what to do. */
export function tenantKeysRefusal(failures: readonly TenantKeyFailure[]): string {
  const n = failures.length;
  return [
    `erreur : la clé maîtresse ne correspond pas aux clés de données de ${n} collectivité${n > 1 ? 's' : ''} ; le serveur ne démarre pas, car chacun de leurs formulaires échouerait :`,
    ...failures.map((f) => `  ${f.tenantId} : ${f.reason}`),
    'Démarrez avec la clé maîtresse qui a chiffré ces clés (BASTIDE_MASTER_KEY, BASTIDE_MASTER_KEY_FILE, ou en base embarquée DATA_DIR/keys/master.key), ' +
      'restaurée depuis sa sauvegarde. Pour passer à une nouvelle clé maîtresse : mettez-la en tête du fichier de clés, l’ancienne en dessous, ' +
      'puis lancez « bastide keys rotate ».',
  ].join('\n');
}
