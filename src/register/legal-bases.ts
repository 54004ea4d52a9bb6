/** GDPR art. 6(1) legal bases, in the words a citizen reads. */
import type { LegalBasis } from './vocabulary.ts';

export interface LegalBasisText {
  label: string;
  article: string;
}

export const LEGAL_BASIS_TEXT: Record<LegalBasis, LegalBasisText> = {
  consent: { label: 'votre consentement', article: 'article 6.1.a du RGPD' },
  contract: { label: "l'exécution d'un contrat ou de mesures précontractuelles prises à votre demande", article: 'article 6.1.b du RGPD' },
  'legal-obligation': { label: 'le respect d’une obligation légale', article: 'article 6.1.c du RGPD' },
  'vital-interest': { label: 'la sauvegarde de vos intérêts vitaux ou de ceux d’une autre personne', article: 'article 6.1.d du RGPD' },
  'public-task': { label: "l'exécution d'une mission d'intérêt public ou relevant de l'exercice de l'autorité publique", article: 'article 6.1.e du RGPD' },
  'legitimate-interest': { label: "l'intérêt légitime du responsable de traitement", article: 'article 6.1.f du RGPD' },
};
