/**
 * Which GDPR rights apply to a processing, from its legal basis alone
 * (arts. 15 to 22, with the exceptions of arts. 17(3), 20(1) and 21(1)).
 * The notice states them; the rights desk will refuse what does not apply.
 */
import type { LegalBasis } from '../register/vocabulary.ts';

export const RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'withdraw-consent'] as const;
export type Right = (typeof RIGHTS)[number];

export type Applicability = 'yes' | 'limited' | 'no';

export interface ApplicableRight {
  right: Right;
  label: string;
  article: string;
  applies: Applicability;
  /** Why it is limited or does not apply; empty when it simply applies. */
  explanation: string;
}

const LABELS: Record<Right, { label: string; article: string }> = {
  access: { label: "Droit d'accès", article: 'article 15 du RGPD' },
  rectification: { label: 'Droit de rectification', article: 'article 16 du RGPD' },
  erasure: { label: "Droit à l'effacement", article: 'article 17 du RGPD' },
  restriction: { label: 'Droit à la limitation du traitement', article: 'article 18 du RGPD' },
  objection: { label: "Droit d'opposition", article: 'article 21 du RGPD' },
  portability: { label: 'Droit à la portabilité', article: 'article 20 du RGPD' },
  'withdraw-consent': { label: 'Droit de retirer votre consentement à tout moment', article: 'article 7.3 du RGPD' },
};

function decide(right: Right, basis: LegalBasis): [Applicability, string] {
  switch (right) {
    case 'access':
    case 'rectification':
    case 'restriction':
      return ['yes', ''];
    case 'erasure':
      if (basis === 'legal-obligation' || basis === 'public-task')
        return [
          'limited',
          basis === 'legal-obligation'
            ? "Les données nécessaires au respect d'une obligation légale ne peuvent pas être effacées avant la fin de leur durée de conservation (article 17.3.b du RGPD) ; vous pouvez en revanche demander l'effacement de données inexactes ou qui ne sont plus nécessaires."
            : "Tant que les données sont nécessaires à l'exécution de la mission de service public, elles ne peuvent pas être effacées (article 17.3.b du RGPD) ; vous pouvez demander l'effacement de celles qui ne sont plus nécessaires, et toutes sont supprimées au terme de leur durée de conservation.",
        ];
      return ['yes', ''];
    case 'objection':
      if (basis === 'public-task' || basis === 'legitimate-interest')
        return ['yes', 'Pour des raisons tenant à votre situation particulière, sauf motifs impérieux et légitimes du responsable de traitement (article 21.1 du RGPD).'];
      if (basis === 'consent') return ['no', "Le traitement repose sur votre consentement : vous pouvez le retirer à tout moment, ce qui met fin au traitement."];
      if (basis === 'legal-obligation') return ['no', "Le traitement est imposé par la loi : le droit d'opposition ne s'applique pas (article 21 du RGPD)."];
      return ['no', "Le droit d'opposition ne s'applique qu'aux traitements fondés sur une mission d'intérêt public ou sur l'intérêt légitime (article 21.1 du RGPD)."];
    case 'portability':
      if (basis === 'consent' || basis === 'contract') return ['yes', ''];
      if (basis === 'public-task')
        return ['no', "Dans le cadre d'une mission de service public, le droit à la portabilité ne s'applique pas (article 20.3 du RGPD)."];
      if (basis === 'legal-obligation') return ['no', "Le traitement est imposé par la loi : le droit à la portabilité ne s'applique pas (article 20.1 du RGPD)."];
      return ['no', "Le droit à la portabilité ne s'applique qu'aux traitements fondés sur le consentement ou sur un contrat (article 20.1 du RGPD)."];
    case 'withdraw-consent':
      return basis === 'consent' ? ['yes', "Le retrait n'affecte pas ce qui a été fait avant lui."] : ['no', 'Le traitement ne repose pas sur votre consentement.'];
  }
}

/** Every right, in a stable order, with whether it applies to a processing on that basis. */
export function applicableRights(basis: LegalBasis): ApplicableRight[] {
  return RIGHTS.filter((right) => right !== 'withdraw-consent' || basis === 'consent').map((right) => {
    const [applies, explanation] = decide(right, basis);
    return { right, ...LABELS[right], applies, explanation };
  });
}
