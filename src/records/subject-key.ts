/** The one form a subject key is indexed under, whichever way it was typed. */
export function normaliseSubjectKey(type: string, value: string): string {
  return type === 'email' ? value.trim().toLowerCase() : value.replace(/[^\d+]/g, '');
}

/** The fields that find a person's records (the blind index) and where to write to them. */
export function subjectKeyFields<F extends { subjectKey?: boolean | undefined; type: string }>(fields: readonly F[]): F[] {
  return fields.filter((f) => f.subjectKey && (f.type === 'email' || f.type === 'phone'));
}

/** The address a message about the record goes to: its first subject-key e-mail field that was filled in. */
export function recipientOf<F extends { subjectKey?: boolean | undefined; type: string; name: string }>(fields: readonly F[], values: Record<string, unknown>): string | undefined {
  const field = subjectKeyFields(fields).find((f) => f.type === 'email' && typeof values[f.name] === 'string' && values[f.name] !== '');
  return field ? (values[field.name] as string) : undefined;
}
