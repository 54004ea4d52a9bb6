/**
 * What a citizen reads under a field before typing: the register's help,
 * then the limits and formats that submission enforces (RGAA 11.10: say the
 * expected format before an error, not only after one).
 */
import type { Field } from '../register/schema.ts';
import { dateBounds, formatBytes, typeName } from './field-validation.ts';
import { maxLengthOf } from './field-limits.ts';

const EXAMPLE_DATE = '2015-07-14';

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ou ${words[words.length - 1]}`;
}

/** The limit or format of a field, as one French sentence fragment, or undefined. */
export function limitText(field: Field): string | undefined {
  switch (field.type) {
    case 'text':
      // The register's own words for its pattern; the expression itself means nothing to most people.
      if (field.patternMessage) return `Format : ${field.patternMessage}`;
    // falls through
    case 'textarea':
    case 'address': {
      const max = maxLengthOf(field);
      return max === undefined ? undefined : `${max.toLocaleString('fr-FR')} caractères maximum`;
    }
    case 'email':
      return 'Format : nom@exemple.fr';
    case 'phone':
      return 'Format : 06 12 34 56 78 ou +33 6 12 34 56 78';
    case 'date': {
      const { notBefore, notAfter } = dateBounds(field);
      const range = notBefore && notAfter ? `, entre ${notBefore.text} et ${notAfter.text}` : notBefore ? `, au plus tôt ${notBefore.text}` : notAfter ? `, au plus tard ${notAfter.text}` : '';
      // The example must itself be accepted.
      const inside = (!notBefore || notBefore.iso <= EXAMPLE_DATE) && (!notAfter || EXAMPLE_DATE <= notAfter.iso);
      const example = inside ? EXAMPLE_DATE : (notBefore?.iso ?? notAfter?.iso ?? EXAMPLE_DATE);
      return `Format : JJ/MM/AAAA, par exemple ${example.slice(8, 10)}/${example.slice(5, 7)}/${example.slice(0, 4)}${range}`;
    }
    case 'number':
      if (field.min !== undefined && field.max !== undefined) return `Un nombre entre ${field.min} et ${field.max}`;
      if (field.min !== undefined) return `Un nombre d’au moins ${field.min}`;
      if (field.max !== undefined) return `Un nombre d’au plus ${field.max}`;
      return 'Un nombre';
    case 'file':
      return `${list((field.accept ?? []).map(typeName))}, ${formatBytes(field.maxBytes ?? 0)} maximum`;
    default:
      return undefined;
  }
}

/** Help then limit, each ending with a full stop; a limit the help already states is not repeated. */
export function hintText(field: Field): string | undefined {
  const limit = limitText(field);
  const stated = field.type === 'file' && field.help !== undefined && field.help.includes(formatBytes(field.maxBytes ?? 0));
  const parts = [field.help, stated ? undefined : limit].filter((p): p is string => Boolean(p)).map((p) => (/[.!?…]$/.test(p) ? p : `${p}.`));
  return parts.length > 0 ? parts.join(' ') : undefined;
}
