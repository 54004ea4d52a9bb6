/**
 * A proof of consent set against the register version it was made under:
 * that version's services (their names) and whether the proof's text hash is
 * the hash of the texts the platform renders for that version and language
 * today. A word changed in consent-texts.ts since the choice was made makes
 * it no longer match: the proof then stands by its hash alone.
 */
import type { RegisterDirectory } from '../register/register-directory.ts';
import { consentConfig, textsForHash, type ConsentConfig } from './consent-config.ts';
import type { Proof } from './consent-proofs.ts';

export interface CheckedProof {
  proof: Proof;
  /** The consent configuration of the proof's register version (undefined only if that version is missing). */
  config: ConsentConfig | undefined;
  /** null: the proof carries no text hash (a choice posted through the bare API, without any of our texts). */
  textMatches: boolean | null;
}

export async function checkProofs(registers: RegisterDirectory, tenantId: string, proofs: readonly Proof[]): Promise<CheckedProof[]> {
  // Versions are cached by the directory, and their configuration once per version (consentConfig).
  const configs = new Map<number, ConsentConfig | undefined>();
  for (const version of new Set(proofs.map((p) => p.registerVersion))) {
    const loaded = await registers.version(tenantId, version);
    configs.set(version, loaded ? consentConfig(loaded) : undefined);
  }
  return proofs.map((proof) => {
    const config = configs.get(proof.registerVersion);
    return { proof, config, textMatches: proof.textHash === null ? null : config !== undefined && textsForHash(config, proof.textHash, proof.lang) !== null };
  });
}
