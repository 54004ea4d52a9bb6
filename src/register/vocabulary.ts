/**
 * The closed vocabularies of the register (REGISTER.md), kept in one place so
 * that the schema, the checks and the notice speak of the same values.
 */

export const TENANT_KINDS = ['commune', 'intercommunalite', 'departement', 'region', 'autre'] as const;

export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interest',
  'public-task',
  'legitimate-interest',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const FIELD_TYPES = [
  'text',
  'textarea',
  'email',
  'phone',
  'date',
  'number',
  'select',
  'checkbox',
  'file',
  'address',
  'group',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const DATA_CATEGORIES = [
  'identification',
  'contact',
  'civil-status',
  'family',
  'economic',
  'professional',
  'school',
  'location',
  'image',
  'request',
  'connection',
  'lifestyle',
  'health',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** GDPR art. 9 special categories: encrypted at rest, need an art. 9 condition. */
export const SPECIAL_CATEGORIES: readonly DataCategory[] = ['health'];

export const RETENTION_THEN = ['delete', 'anonymise', 'archive'] as const;
export type RetentionThen = (typeof RETENTION_THEN)[number];

export const COOKIE_CATEGORIES = [
  'essential',
  'audience-exempt',
  'audience',
  'personalisation',
  'social',
  'video',
  'advertising',
] as const;
export type CookieCategory = (typeof COOKIE_CATEGORIES)[number];

export const EMBED_CATEGORIES = ['video', 'social', 'map', 'other'] as const;

/** MIME types a file field may accept; uploads are checked against them by content. */
export const UPLOAD_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
] as const;

/** Field types that can identify the person across processings (blind index). */
export const SUBJECT_KEY_TYPES: readonly FieldType[] = ['email', 'phone'];

/** Upper bound on one upload, whatever the register says: keeps memory and disk use predictable. */
export const MAX_UPLOAD_BYTES = 20_000_000;

/** HTML autofill tokens a form of ours may use (WHATWG autofill, personal-data subset). */
export const AUTOCOMPLETE_TOKENS = [
  'off', 'on', 'name', 'honorific-prefix', 'given-name', 'additional-name', 'family-name', 'honorific-suffix', 'nickname',
  'organization-title', 'organization', 'street-address', 'address-line1', 'address-line2', 'address-line3',
  'address-level1', 'address-level2', 'address-level3', 'address-level4', 'country', 'country-name', 'postal-code',
  'bday', 'bday-day', 'bday-month', 'bday-year', 'sex', 'email', 'tel', 'tel-national', 'url', 'photo', 'language',
  'username', 'new-password', 'current-password', 'one-time-code',
] as const;
