/**
 * Proofs of consent: written under the public role (row-level security keeps
 * each authority's apart), read by the DPO by consent id or as an export.
 * A proof holds the choices, when, under which register version and which
 * text, and on which of the authority's sites: nothing about the person.
 */
import type { Kysely } from 'kysely';
import { withPrincipal } from '../db/principal.ts';
import type { Tables } from '../db/tables.ts';

export type ProofSource = 'banner' | 'panel' | 'page' | 'embed' | 'api';

export interface Proof {
  consentId: string;
  choices: Record<string, boolean>;
  registerVersion: number;
  configHash: string;
  /** null: the choice came through the API without any of our texts. */
  textHash: string | null;
  lang: 'fr' | 'en';
  source: ProofSource;
  site: string;
  at: Date;
}

export async function recordProof(db: Kysely<Tables>, tenantId: string, proof: Proof): Promise<void> {
  await withPrincipal(db, { kind: 'public', tenantId }, (trx) =>
    trx
      .insertInto('consent_proofs')
      .values({
        tenant_id: tenantId,
        consent_id: proof.consentId,
        choices: JSON.stringify(proof.choices),
        register_version: proof.registerVersion,
        config_hash: proof.configHash,
        text_hash: proof.textHash,
        lang: proof.lang,
        source: proof.source,
        site: proof.site,
        created_at: proof.at,
      })
      .execute(),
  );
}

interface ProofRow {
  consent_id: string;
  choices: unknown;
  register_version: number;
  config_hash: string;
  text_hash: string | null;
  lang: 'fr' | 'en';
  source: ProofSource;
  site: string;
  created_at: Date | string;
}

function toProof(row: ProofRow): Proof {
  // PostgreSQL's driver parses jsonb; PGlite's worker hands it over as text.
  const choices = (typeof row.choices === 'string' ? JSON.parse(row.choices) : row.choices) as Record<string, boolean>;
  return {
    consentId: row.consent_id,
    choices,
    registerVersion: row.register_version,
    configHash: row.config_hash,
    textHash: row.text_hash,
    lang: row.lang,
    source: row.source,
    site: row.site,
    at: new Date(row.created_at),
  };
}

const COLUMNS = ['consent_id', 'choices', 'register_version', 'config_hash', 'text_hash', 'lang', 'source', 'site', 'created_at'] as const;

/** Every proof of one consent id, oldest first (a visitor's later changes keep the id). */
export async function proofsOf(db: Kysely<Tables>, tenantId: string, agentId: string, consentId: string): Promise<Proof[]> {
  const rows = await withPrincipal(db, { kind: 'dpo', tenantId, agentId }, (trx) =>
    trx.selectFrom('consent_proofs').select(COLUMNS).where('tenant_id', '=', tenantId).where('consent_id', '=', consentId).orderBy('created_at').orderBy('id').execute(),
  );
  return rows.map((r) => toProof(r as ProofRow));
}

/** Proofs made between two instants, oldest first, read in pages so that an export stays small in memory. */
export async function* proofsBetween(db: Kysely<Tables>, tenantId: string, agentId: string, from: Date, to: Date, pageSize = 2000): AsyncGenerator<Proof> {
  let after = '0';
  for (;;) {
    const rows = await withPrincipal(db, { kind: 'dpo', tenantId, agentId }, (trx) =>
      trx
        .selectFrom('consent_proofs')
        .select([...COLUMNS, 'id'])
        .where('tenant_id', '=', tenantId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageSize)
        .execute(),
    );
    for (const r of rows) yield toProof(r as unknown as ProofRow);
    if (rows.length < pageSize) return;
    after = String(rows.at(-1)!.id);
  }
}
