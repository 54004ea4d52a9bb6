/**
 * Why a record may not be erased on request (GDPR art. 17(3)), from the
 * register and the record's own state: a legal hold, an archive under a
 * legal obligation, a restriction in force, or a processing the authority
 * must keep (legal obligation, a public task). Undefined when it is erased.
 * The account deletion and the rights desk ask the same question here.
 */
import type { Register } from '../register/schema.ts';
import { applicableRights } from './applicable-rights.ts';

export interface ErasureCandidate {
  processingId: string;
  archivedAt: Date | null;
  frozen: boolean;
}

export const HELD_REASON =
  'Cette demande fait l’objet d’une conservation pour raison juridique (par exemple un litige), décidée par le délégué à la protection des données : elle ne peut pas être effacée tant que dure cette mesure (article 17.3.e du RGPD).';
export const ARCHIVED_REASON = 'Cette demande est archivée au titre d’une obligation légale de conservation : elle sera supprimée à la fin de cette obligation, à la date indiquée.';
export const FROZEN_REASON = 'Le traitement de cette demande est limité (gel) : elle ne peut pas être effacée tant que dure cette limitation.';

/** `publicTaskDone`: the DPO found that the public task no longer needs this record (art. 17(1)(a)), so it goes. */
export function erasureException(register: Register, r: ErasureCandidate, held: boolean, publicTaskDone = false): string | undefined {
  if (held) return HELD_REASON;
  if (r.archivedAt) return ARCHIVED_REASON;
  if (r.frozen) return FROZEN_REASON;
  const processing = register.processings.find((p) => p.id === r.processingId);
  if (!processing) return 'Le traitement de cette demande ne figure plus au registre : le délégué à la protection des données décidera de son sort.';
  const erasure = applicableRights(processing.legalBasis).find((x) => x.right === 'erasure');
  if (erasure?.applies === 'yes') return undefined;
  if (publicTaskDone && processing.legalBasis === 'public-task') return undefined;
  return `${erasure?.explanation ?? ''}${processing.legalReference ? ` Texte applicable : ${processing.legalReference}.` : ''}`.trim();
}
