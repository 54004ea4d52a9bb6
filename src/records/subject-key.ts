/** The one form a subject key is indexed under, whichever way it was typed. */
export function normaliseSubjectKey(type: string, value: string): string {
  return type === 'email' ? value.trim().toLowerCase() : value.replace(/[^\d+]/g, '');
}
