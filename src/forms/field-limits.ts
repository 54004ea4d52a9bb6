/** Default limits, stated to the citizen beside each field and enforced on submission. */
import type { Field } from '../register/schema.ts';

export const DEFAULT_MAX_LENGTH: Record<string, number> = { text: 200, textarea: 5000, address: 300, email: 254 };

export function maxLengthOf(field: Field): number | undefined {
  return field.maxLength ?? DEFAULT_MAX_LENGTH[field.type];
}

export const MAX_FILENAME_LENGTH = 200;
