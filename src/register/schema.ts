/**
 * The shape of `register.yaml` (REGISTER.md). Structure only: rules that tie
 * one part to another (references, a date field named by a retention, art. 9)
 * live in `checks.ts`, so that each rule has one message and one test.
 */
import { z } from 'zod';
import { parseDateBound } from './date-bound.ts';
import { parseDuration } from './duration.ts';
import { patternProblem } from './field-pattern.ts';
import {
  COOKIE_CATEGORIES,
  DATA_CATEGORIES,
  EMBED_CATEGORIES,
  FIELD_TYPES,
  LEGAL_BASES,
  RETENTION_THEN,
  TENANT_KINDS,
} from './vocabulary.ts';

export const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const FIELD_NAME = /^[a-z][a-zA-Z0-9_]*$/;

/** An ISO 8601 retention duration, checked here so that its error comes with the others. */
const isoDuration = (allowSession = false) =>
  z.string().superRefine((value, ctx) => {
    if (allowSession && value === 'session') return;
    const result = parseDuration(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: allowSession ? `${result.problem} (ou « session »)` : result.problem });
  });

/** A date field's bound: today, -P120Y, +P1Y or 2024-09-01 (date-bound.ts). */
const dateBound = () =>
  z.string().superRefine((value, ctx) => {
    const result = parseDateBound(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.problem });
  });

/** A text field's pattern, compiled now so that a broken or risky one never reaches a form. */
const pattern = () =>
  z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = patternProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const text = (max = 2000) => z.string().trim().min(1).max(max);
const slug = () => z.string().max(64).regex(SLUG);
const email = () => z.string().trim().max(254).email();
const httpsUrl = () =>
  z
    .string()
    .url()
    .refine((u) => /^https:\/\//.test(u), { message: 'adresse https:// attendue' });

/** A loopback address is allowed over http: a site on the same machine (development, tests). */
const LOOPBACK_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?\/?$/;

/** Another site of the authority (its CMS): scheme, host and port, no path. */
const siteOrigin = () =>
  z
    .string()
    .url()
    .refine((u) => /^https:\/\//.test(u) || LOOPBACK_HTTP.test(u), { message: 'adresse https:// attendue (http:// seulement pour localhost)' })
    .refine((u) => /^https?:\/\/[^/?#@]+\/?$/.test(u), { message: 'une origine est un schéma, un nom d’hôte et un port, sans chemin ni identifiant (https://www.ville.fr)' })
    // As a browser writes it in its Origin header: lower case, punycode, no default port.
    .transform((u) => new URL(u).origin);

/** A host name as a browser writes it in a URL: www.youtube-nocookie.com. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const hostName = () =>
  z.string().superRefine((value, ctx) => {
    if (!HOST_NAME.test(value)) ctx.addIssue({ code: 'custom', message: `nom d’hôte attendu, sans https:// ni chemin, par exemple www.youtube-nocookie.com (reçu « ${value.slice(0, 100)} »)` });
  });

const Tenant = z.strictObject({
  id: slug(),
  name: text(200),
  kind: z.enum(TENANT_KINDS),
  website: httpsUrl(),
  origins: z.array(siteOrigin()).max(20).default([]),
});

const Contact = z.strictObject({
  name: text(200),
  representative: text(200).optional(),
  email: email(),
  postal: text(300).optional(),
  phone: text(40).optional(),
  /** A web form where the DPO can be reached, besides e-mail and post. */
  url: httpsUrl().optional(),
});

const Hosting = z.strictObject({
  name: text(200),
  location: text(200),
  certification: text(200).optional(),
});

const Provider = z.strictObject({
  id: slug(),
  name: text(200),
  role: text(500),
  location: text(200).optional(),
  incidentAccess: z.boolean().default(false),
});

const Named = z.strictObject({ id: slug(), name: text(200) });

/**
 * A select option: `{value, label}`, or a plain text (or number) that is both,
 * as a DPO writes `options: [Amont, Aval, Confluent]`. Either way the register
 * holds `{value, label}`, so forms, validation, the notice and exports read one shape.
 */
const Option = z.union([
  z.union([z.string(), z.number().transform(String)]).pipe(z.string().trim().min(1).max(100)).transform((value) => ({ value, label: value })),
  z.strictObject({ value: z.string().trim().min(1).max(100), label: text(200) }),
]);

export interface FieldInput {
  name: string;
  label: string;
  type: (typeof FIELD_TYPES)[number];
  category?: (typeof DATA_CATEGORIES)[number] | undefined;
  required: boolean;
  help?: string | undefined;
  reason?: string | undefined;
  encrypted?: boolean | undefined;
  subjectKey: boolean;
  options?: Array<{ value: string; label: string }> | undefined;
  accept?: string[] | undefined;
  maxBytes?: number | undefined;
  maxLength?: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
  pattern?: string | undefined;
  patternMessage?: string | undefined;
  notBefore?: string | undefined;
  notAfter?: string | undefined;
  autocomplete?: string | undefined;
  fields?: FieldInput[] | undefined;
  repeat?: { min: number; max: number } | undefined;
  itemLabel?: string | undefined;
}

const Field: z.ZodType<FieldInput, unknown> = z.lazy(() =>
  z.strictObject({
    name: z.string().max(64).regex(FIELD_NAME),
    label: text(200),
    type: z.enum(FIELD_TYPES),
    /** Not for groups: each field inside a group carries its own. */
    category: z.enum(DATA_CATEGORIES).optional(),
    required: z.boolean().default(false),
    help: text(500).optional(),
    /** Why the field is asked (shown in the notice beside mandatory/optional). */
    reason: text(500).optional(),
    encrypted: z.boolean().optional(),
    subjectKey: z.boolean().default(false),
    options: z.array(Option).min(1).max(200).optional(),
    accept: z.array(z.string()).min(1).optional(),
    maxBytes: z.number().int().positive().optional(),
    maxLength: z.number().int().positive().max(100_000).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** Text fields: a JavaScript regular expression the whole value must match (field-pattern.ts). */
    pattern: pattern().optional(),
    /** The expected format in French, completing "Format : …" (e.g. "5 chiffres, par exemple 31000"). */
    patternMessage: text(200).optional(),
    /** Date fields: the earliest and latest dates accepted (date-bound.ts). */
    notBefore: dateBound().optional(),
    notAfter: dateBound().optional(),
    autocomplete: z.string().max(60).optional(),
    fields: z.array(Field).min(1).max(50).optional(),
    repeat: z
      .strictObject({ min: z.number().int().min(0), max: z.number().int().min(1).max(50) })
      .optional(),
    /** Legend of each row of a group, numbered: "Enfant" gives "Enfant 1", "Enfant 2". */
    itemLabel: text(100).optional(),
  }),
);

/** Third-party content shown on a form's page (a video explaining the procedure), blocked until the visitor allows its provider. */
const Media = z.strictObject({
  /** The id of an `embeds` entry: who provides it, and so whose consent it needs. */
  embed: slug(),
  title: text(200),
  /** What the frame loads once allowed (https://www.youtube-nocookie.com/embed/…). */
  src: httpsUrl(),
  /** The same content on the provider's own site, for whoever does not allow it here. */
  url: httpsUrl(),
});

const Form = z.strictObject({
  id: slug(),
  title: text(200),
  description: text(2000).optional(),
  media: z.array(Media).max(10).default([]),
  fields: z.array(Field).min(1).max(200),
  /** Days a saved draft is kept before it is purged (issue: drafts default to 30). */
  draftRetentionDays: z.number().int().min(1).max(365).optional(),
});

const RetentionRule = z.strictObject({
  when: z.strictObject({ field: z.string(), equals: z.union([z.string(), z.number(), z.boolean()]) }),
  duration: isoDuration(),
  then: z.enum(RETENTION_THEN).optional(),
});

const Retention = z.strictObject({
  duration: isoDuration(),
  /** created | closed | field:<dateField> | event (then `event` says which). */
  from: z.string().default('created'),
  /** With `from: event`: the event, in French, as it completes "à compter de …". */
  event: text(200).optional(),
  then: z.enum(RETENTION_THEN).default('delete'),
  rules: z.array(RetentionRule).max(20).default([]),
  legalObligation: text(1000).nullable().default(null),
  /** With `then: archive` (here or in a rule): how long the archive is kept before its final deletion, counted from the end of the active retention. */
  archiveFor: isoDuration().optional(),
  /** E-mail the address the request gave this long before its deletion or anonymisation (deletion-notice.ts). */
  notifyBefore: isoDuration().optional(),
  /** With `then: anonymise`: the categories whose closed-choice fields survive (src/retention/anonymise.ts). */
  keep: z.array(z.enum(DATA_CATEGORIES)).max(20).default([]),
});

const DataCategoryDeclaration = z.strictObject({
  category: z.enum(DATA_CATEGORIES),
  description: text(500),
});

const Processing = z.strictObject({
  id: slug(),
  title: text(200),
  purposes: z.array(text(500)).min(1).max(30),
  legalBasis: z.enum(LEGAL_BASES),
  /** Required with legitimate-interest (GDPR art. 13(1)(d)). */
  legitimateInterest: text(1000).optional(),
  /** The text that creates a legal obligation or public task (optional but shown). */
  legalReference: text(1000).optional(),
  /** Required when a field is of a special category (GDPR art. 9(2)). */
  art9Condition: text(1000).optional(),
  subjects: z.array(text(200)).min(1).max(30),
  service: slug().optional(),
  recipients: z.array(slug()).max(50).default([]),
  providers: z.array(slug()).max(50).default([]),
  source: text(500),
  /** Data this processing holds besides its forms (or instead: CCTV, logs). */
  data: z.array(DataCategoryDeclaration).max(50).default([]),
  retention: Retention,
  security: z.array(text(300)).min(1).max(30),
  transfersOutsideEU: z.union([z.literal('none'), text(1000)]).default('none'),
  automatedDecision: z.boolean().default(false),
  /** Required when automatedDecision is true (GDPR art. 13(2)(f)). */
  automatedDecisionLogic: text(2000).optional(),
  /** For consent without a form: how the person withdraws it. */
  withdrawal: text(500).optional(),
  forms: z.array(Form).max(50).default([]),
});

const Cookie = z.strictObject({
  name: z.string().max(100).regex(/^[A-Za-z0-9_.-]+$/),
  category: z.enum(COOKIE_CATEGORIES),
  purpose: text(300),
  lifetime: isoDuration(true),
  provider: text(200).optional(),
});

const Embed = z.strictObject({
  id: slug(),
  name: text(200),
  category: z.enum(EMBED_CATEGORIES),
  provider: text(200).optional(),
  privacyUrl: httpsUrl().optional(),
  /** Where its frames come from; known providers have defaults (src/consent/embed-hosts.ts). */
  hosts: z.array(hostName()).min(1).max(10).optional(),
});

export const RegisterSchema = z.strictObject({
  tenant: Tenant,
  controller: Contact,
  dpo: Contact,
  hosting: z.array(Hosting).min(1).max(20),
  providers: z.array(Provider).max(50).default([]),
  services: z.array(Named).min(1).max(200),
  recipients: z.array(Named).max(200).default([]),
  processings: z.array(Processing).min(1).max(1000),
  /** The processing that keeps submitters' IP addresses (security logs); without it none is kept. */
  securityLogProcessing: slug().optional(),
  /** The processing that declares citizen accounts (`/{tenant}/mon-compte`); without it the authority offers none. */
  citizenAccountProcessing: slug().optional(),
  /** The processing that keeps the rights requests (`/{tenant}/mes-droits`), for their retention; without it the page only gives the DPO's address. */
  rightsRequestProcessing: slug().optional(),
  /** The processing of audience statistics (`POST /hit`, the dashboard); its retention applies to them. Without it, nothing is measured. */
  audienceProcessing: slug().optional(),
  /** The processing that keeps proofs of cookie and embed choices (`POST /consent`); its retention applies to them. */
  consentProofProcessing: slug().optional(),
  cookies: z.array(Cookie).max(100).default([]),
  embeds: z.array(Embed).max(50).default([]),
});

export type Register = z.output<typeof RegisterSchema>;
export type Processing = Register['processings'][number];
export type Form = Processing['forms'][number];
export type Field = FieldInput;
export type Cookie = Register['cookies'][number];
export type Embed = Register['embeds'][number];
export type Media = Form['media'][number];
export type Retention = Processing['retention'];
