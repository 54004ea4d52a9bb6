/**
 * Retention in plain French: "2 ans à compter de votre demande, puis
 * supprimées", "10 ans lorsque « Mode de tarification » est « Quotient familial »".
 */
import { frenchDuration } from '../register/duration.ts';
import { leafFields } from '../register/checks.ts';
import type { Processing } from '../register/schema.ts';
import type { RetentionThen } from '../register/vocabulary.ts';

export interface RetentionText {
  /** The default rule, as one sentence. */
  summary: string;
  /** The conditional rules, in order, each as one sentence. */
  rules: string[];
  legalObligation: string | null;
  /** The e-mail before deletion (retention.notifyBefore), as one sentence; null without one. */
  notice: string | null;
}

function startText(p: Processing): string {
  const r = p.retention;
  if (r.from === 'created') return p.forms.length > 0 ? 'à compter de votre demande' : 'à compter de leur collecte';
  if (r.from === 'closed') return 'à compter de la clôture de votre demande';
  if (r.from === 'event') return `à compter de ${r.event ?? "l'événement prévu"}`;
  const name = r.from.slice('field:'.length);
  const label = leafFields(p).find((f) => f.field.name === name)?.field.label ?? name;
  return `à compter de la date indiquée dans le champ « ${label} » (à défaut d’une date valide, à compter de votre demande)`;
}

export function thenText(then: RetentionThen, legalObligation: string | null, archiveFor?: string): string {
  if (then === 'delete') return 'puis supprimées';
  if (then === 'anonymise') return 'puis anonymisées (elles ne permettent plus de vous identifier et ne servent plus qu’à des statistiques)';
  const kept = archiveFor ? ` pendant ${frenchDuration(archiveFor)}, consultables par le seul délégué à la protection des données, puis supprimées` : '';
  return `puis archivées${legalObligation ? ` (${legalObligation})` : ''}${kept}`;
}

export function retentionText(p: Processing): RetentionText {
  const r = p.retention;
  const start = startText(p);
  const fields = leafFields(p);
  const rules = r.rules.map((rule) => {
    const field = fields.find((f) => f.field.name === rule.when.field)?.field;
    const option = field?.options?.find((o) => o.value === String(rule.when.equals));
    const value =
      option?.label ?? (typeof rule.when.equals === 'boolean' ? (rule.when.equals ? 'cochée' : 'non cochée') : String(rule.when.equals));
    return `${frenchDuration(rule.duration)} ${start} lorsque « ${field?.label ?? rule.when.field} » est « ${value} », ${thenText(rule.then ?? r.then, r.legalObligation, r.archiveFor)}`;
  });
  return {
    summary: `${frenchDuration(r.duration)} ${start}${rules.length > 0 ? ' dans les autres cas' : ''}, ${thenText(r.then, r.legalObligation, r.archiveFor)}`,
    rules,
    legalObligation: r.legalObligation,
    notice: r.notifyBefore ? `Si vous avez indiqué une adresse électronique, un courriel vous prévient de la suppression ou de l’anonymisation de votre demande ${frenchDuration(r.notifyBefore)} avant (ou dès que possible si cette date vient d’être avancée).` : null,
  };
}
