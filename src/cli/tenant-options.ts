/**
 * Options several commands share: which tenants (`--tenant`, else every
 * tenant with a register) and as of when (`--now`, a real ISO 8601 date).
 */
import type { Database } from '../db/database.ts';
import { CliError } from './cli-context.ts';

/** Tenants with a register in force: the one named, or all of them. */
export async function tenantsOf(database: Database, tenant: string | undefined): Promise<string[]> {
  const rows = await database.db.selectFrom('tenants').select('id').where('current_version', 'is not', null).$if(tenant !== undefined, (q) => q.where('id', '=', tenant!)).orderBy('id').execute();
  if (tenant !== undefined && rows.length === 0) throw new CliError(`collectivité inconnue ou sans registre : ${tenant}`);
  return rows.map((r) => r.id);
}

/** `--now`: a date alone is that day's start in UTC; an impossible day is refused (exit 2). */
export function asOfOption(text: string | undefined): Date {
  if (text === undefined) return new Date();
  // A date alone is that day's start in UTC; anything else must be a full ISO 8601 instant.
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text);
  const date = new Date(ok && text.length === 10 ? `${text}T00:00:00Z` : text);
  // JavaScript rolls 2030-02-31 over to March: a day that does not exist is refused.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d && m >= 1 && m <= 12;
  if (!ok || !real || Number.isNaN(date.getTime())) throw new CliError(`--now : date ISO 8601 attendue (2030-01-31 ou 2030-01-31T02:00:00Z), pas « ${text} »`, 2);
  return date;
}
