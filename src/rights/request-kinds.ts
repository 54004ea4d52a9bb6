/** The six requests a person can make, their French names, and the states a request goes through. */
import type { RightsRequestState, RightsRequestType } from '../db/tables.ts';

export const REQUEST_TYPES = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'] as const satisfies readonly RightsRequestType[];

export const TYPE_LABELS: Record<RightsRequestType, string> = {
  access: 'Accès à mes données',
  rectification: 'Rectification de données inexactes',
  erasure: 'Effacement de mes données',
  restriction: 'Limitation du traitement (gel de mes données)',
  objection: 'Opposition au traitement',
  portability: 'Portabilité de mes données',
};

export const STATE_LABELS: Record<RightsRequestState, string> = {
  'awaiting-verification': 'En attente de vérification de l’identité',
  open: 'Identité vérifiée, à traiter',
  done: 'Traitée',
};

export function isRequestType(value: unknown): value is RightsRequestType {
  return typeof value === 'string' && (REQUEST_TYPES as readonly string[]).includes(value);
}
