/**
 * Test fixtures for records: the demo commune's register under any tenant
 * id, valid answers to its forms, and accounts with their API tokens.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { addAgent } from '../accounts/add-agent.ts';
import type { AgentAccount } from '../accounts/agents-repository.ts';
import { issueToken } from '../accounts/api-tokens.ts';
import type { Tables } from '../db/tables.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { loadRegister } from '../register/register-loader.ts';
import type { LoadedRegister } from '../register/register-repository.ts';

const COMMUNE = readFileSync(new URL('../../examples/val-fleuri.yaml', import.meta.url), 'utf8');

/** The commune of Val-Fleuri's register (services accueil, techniques, scolaire, rh…) under that tenant id. */
export function communeYaml(tenantId: string): string {
  return COMMUNE.replace('id: val-fleuri', `id: ${tenantId}`);
}

export async function loadCommune(db: Kysely<Tables>, tenantId: string): Promise<LoadedRegister> {
  const result = await loadRegister(db, new TextEncoder().encode(communeYaml(tenantId)), 'test');
  assert.ok(result.ok, 'the example register loads');
  const loaded = await new RegisterDirectory(db, { ttlMs: 0 }).current(tenantId);
  assert.ok(loaded);
  return loaded;
}

/** Contact form (processing contact, service accueil). */
export function contactData(overrides: Record<string, unknown> = {}) {
  return { nom: 'Martin', prenom: 'Claire', courriel: 'claire.martin@example.fr', objet: 'voirie', message: 'Le lampadaire de la rue des Lilas clignote.', ...overrides };
}

/** Street problem report (processing signalement-voirie, service techniques). */
export function reportData(overrides: Record<string, unknown> = {}) {
  return { nom: 'Durand', courriel: 'paul.durand@example.fr', nature: 'eclairage', lieu: '12 rue des Lilas', description: 'Lampadaire éteint depuis lundi.', ...overrides };
}

/** The smallest file that file-type recognises as a PDF. */
export function pdf(marker = 'contenu'): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** Job application (processing candidature, service rh, retention counted from closure), with a CV. */
export function applicationData(cv: { filename: string; bytes: Buffer } = { filename: 'cv.pdf', bytes: pdf() }) {
  return {
    nom: 'Bernard',
    prenom: 'Lucie',
    adresse: '3 place du Marché',
    codePostal: '31000',
    commune: 'Val-Fleuri',
    telephone: '06 12 34 56 78',
    courriel: 'lucie.bernard@example.fr',
    poste: 'Agent d’accueil',
    cv: { filename: cv.filename, contentBase64: cv.bytes.toString('base64') },
  };
}

/** School enrolment (processing enfance-jeunesse, service scolaire) with a child's health fields. */
export function enrolmentData(child: { prenom: string; allergies: string; vaccinations?: { filename: string; bytes: Buffer } }) {
  return {
    nomResponsable: 'Petit',
    prenomResponsable: 'Anne',
    lienResponsable: 'mere',
    adresse: '8 chemin des Écoliers',
    codePostal: '31000',
    commune: 'Val-Fleuri',
    courriel: 'anne.petit@example.fr',
    telephone: '06 98 76 54 32',
    statutPayeur: 'responsable-1',
    tarif: 'plein-tarif',
    enfants: [
      {
        nom: 'Petit',
        prenom: child.prenom,
        sexe: 'fille',
        dateNaissance: '2019-04-12',
        ecole: 'primaire-moulin',
        niveau: 'cp',
        restauration: true,
        allergies: child.allergies,
        lunettes: true,
        ...(child.vaccinations ? { vaccinations: { filename: child.vaccinations.filename, contentBase64: child.vaccinations.bytes.toString('base64') } } : {}),
      },
    ],
    contactsUrgence: [{ nom: 'Petit', prenom: 'Jean', lien: 'grand-père', telephone: '05 61 00 00 00' }],
    attestation: true,
  };
}

export interface TestAccount {
  agent: AgentAccount;
  token: string;
}

/** An account and a day-long API token for it. */
export async function accountWithToken(db: Kysely<Tables>, loaded: LoadedRegister, role: 'agent' | 'dpo' | 'admin', services: string[] = []): Promise<TestAccount> {
  const email = `${role}-${randomBytes(4).toString('hex')}@${loaded.tenantId}.example.fr`;
  const added = await addAgent(db, loaded, { email, role, services });
  assert.ok(added.ok, added.ok ? '' : added.problem);
  const { token } = await issueToken(db, { tenantId: loaded.tenantId, agentId: added.agent.id, ttl: 'P1D' });
  return { agent: added.agent, token };
}
