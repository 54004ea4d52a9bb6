/**
 * What a rights request holds that is personal: the address and phone given,
 * the details, and the DPO's written reasons (a verification at the counter
 * names the person). Sealed together under the tenant key, bound to the row.
 */
import { openJson, sealJson } from '../crypto/aead.ts';
import type { DataKey } from '../crypto/tenant-keys.ts';

export interface RequestNote {
  at: string;
  /** The DPO's account e-mail, or « lien » for the person's own confirmation. */
  by: string;
  kind: 'verification' | 'extension' | 'grounds' | 'lift' | 'rectification' | 'notification';
  text: string;
}

export interface RequestSecrets {
  email: string;
  phone?: string;
  details: string;
  notes: RequestNote[];
}

export const requestAad = (tenantId: string, id: string) => `bastide:rights-request:${tenantId}:${id}`;
export const answerAad = (tenantId: string, id: string) => `bastide:rights-answer:${tenantId}:${id}`;

export function sealSecrets(key: DataKey, tenantId: string, id: string, secrets: RequestSecrets): { sealed: string; key_version: number } {
  return { sealed: sealJson(key.key, secrets, requestAad(tenantId, id)), key_version: key.version };
}

export function openSecrets(key: Buffer, tenantId: string, id: string, sealed: string): RequestSecrets {
  return openJson<RequestSecrets>(key, sealed, requestAad(tenantId, id));
}
