/**
 * The privacy notice as data, built from one register version. Every item of
 * the transparency list (controller, purposes, legal basis, mandatory data,
 * categories, source, persons, recipients, retention, security, transfers,
 * automated decisions, rights) is a required property of each processing, so
 * a renderer cannot leave one out. HTML, Markdown and JSON all render this.
 */
import { PLATFORM_COOKIES } from '../consent/platform-cookies.ts';
import { DEFAULT_PROOF_RETENTION, leafFields } from '../register/checks.ts';
import { frenchDuration } from '../register/duration.ts';
import { CATEGORY_LABELS, CONSENT_EXEMPT_COOKIES, COOKIE_CATEGORY_LABELS, EMBED_CATEGORY_LABELS } from '../register/labels.ts';
import { LEGAL_BASIS_TEXT } from '../register/legal-bases.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Processing, Register } from '../register/schema.ts';
import type { CookieCategory, DataCategory, LegalBasis } from '../register/vocabulary.ts';
import { applicableRights, type ApplicableRight } from '../rights/applicable-rights.ts';
import { retentionText, type RetentionText } from './retention-text.ts';

export const CNIL = {
  name: 'Commission nationale de l’informatique et des libertés (CNIL)',
  url: 'https://www.cnil.fr/fr/plaintes',
  postal: '3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07',
} as const;

export interface NoticeContact {
  name: string;
  representative?: string | undefined;
  email: string;
  postal?: string | undefined;
  phone?: string | undefined;
  url?: string | undefined;
}

export interface NoticeField {
  formId: string;
  form: string;
  name: string;
  label: string;
  /** Label of the repeatable group it belongs to ("Enfants"), if any. */
  group?: string | undefined;
  category: DataCategory;
  categoryLabel: string;
  mandatory: boolean;
  /** Why it is asked, or what happens without it. */
  why: string;
  encrypted: boolean;
}

export interface NoticeProcessing {
  id: string;
  title: string;
  controller: string;
  purposes: string[];
  legalBasis: { code: LegalBasis; label: string; article: string; detail: string | null };
  specialCategoryCondition: string | null;
  data: {
    /** Fields of the forms, each with mandatory or optional and why. */
    fields: NoticeField[];
    /** Every category processed, from the fields and from `data`. */
    categories: Array<{ category: DataCategory; label: string; description: string | null }>;
    mandatoryExplanation: string;
  };
  source: string;
  subjects: string[];
  recipients: {
    service: string | null;
    thirdParties: Array<{ id: string; name: string }>;
    providers: Array<{ name: string; role: string }>;
    summary: string;
  };
  retention: RetentionText & { duration: string; from: string; then: string };
  security: string[];
  transfersOutsideEU: { exists: boolean; text: string };
  automatedDecision: { exists: boolean; text: string };
  rights: ApplicableRight[];
  forms: Array<{ id: string; title: string; url: string }>;
}

export interface NoticeCookie {
  name: string;
  category: CookieCategory;
  categoryLabel: string;
  purpose: string;
  lifetime: string;
  lifetimeText: string;
  consentRequired: boolean;
  setBy: 'platform' | 'register';
}

export interface Notice {
  tenant: { id: string; name: string; kind: string; website: string };
  version: number;
  publishedAt: string;
  hash: string;
  controller: NoticeContact;
  dpo: NoticeContact;
  howToExercise: { rightsPage: string; dpoEmail: string; dpoPostal: string | null; complaint: typeof CNIL; identityCheck: string; deadline: string };
  processings: NoticeProcessing[];
  /** The table of collections: what each form collects, why, and who handles it. */
  collections: Array<{ formId: string; form: string; processingId: string; data: string[]; purposes: string[]; service: string | null }>;
  cookies: NoticeCookie[];
  embeds: Array<{ id: string; name: string; category: string; categoryLabel: string; provider: string | null; privacyUrl: string | null; blockedUntilConsent: true }>;
  /** Where visitors change their choices, how the choices are proven, and the audience measurement as the platform runs it. */
  consent: NoticeConsent;
  hosting: Array<{ name: string; location: string; certification: string | null }>;
  providers: Array<{ id: string; name: string; role: string; location: string | null; incidentAccess: boolean }>;
}

export interface NoticeConsent {
  /** The page with every choice, without JavaScript; the footer's « Gestion des cookies » opens the same choices. */
  managePage: string;
  proofs: { processingId: string | null; retention: string; retentionText: string; ipAddressStored: false };
  /** Null when the authority measures no audience. */
  audience: {
    processingId: string;
    cookie: 'bastide_vid';
    identifierLifetime: string;
    identifierExtended: false;
    ipAddress: 'truncated-never-stored';
    statisticsRetention: string;
    statisticsRetentionText: string;
    thirdParty: false;
    honoursGlobalPrivacyControl: true;
    optOut: string;
  } | null;
}

function consentOf(reg: Register, tenantId: string): NoticeConsent {
  const proofs = reg.consentProofProcessing ? reg.processings.find((p) => p.id === reg.consentProofProcessing) : undefined;
  const audience = reg.audienceProcessing ? reg.processings.find((p) => p.id === reg.audienceProcessing) : undefined;
  const vid = reg.cookies.find((c) => c.name === 'bastide_vid');
  const proofRetention = proofs?.retention.duration ?? `P${DEFAULT_PROOF_RETENTION}Y`;
  return {
    managePage: `/${tenantId}/cookies`,
    proofs: { processingId: proofs?.id ?? null, retention: proofRetention, retentionText: frenchDuration(proofRetention), ipAddressStored: false },
    audience:
      audience && vid
        ? {
            processingId: audience.id,
            cookie: 'bastide_vid',
            identifierLifetime: vid.lifetime,
            identifierExtended: false,
            ipAddress: 'truncated-never-stored',
            statisticsRetention: audience.retention.duration,
            statisticsRetentionText: frenchDuration(audience.retention.duration),
            thirdParty: false,
            honoursGlobalPrivacyControl: true,
            optOut: `/${tenantId}/cookies`,
          }
        : null,
  };
}

function contact(c: Register['controller']): NoticeContact {
  return { name: c.name, representative: c.representative, email: c.email, postal: c.postal, phone: c.phone, url: c.url };
}

function fieldsOf(p: Processing): NoticeField[] {
  return leafFields(p).map(({ field, formIndex, at }) => {
    const form = p.forms[formIndex]!;
    const groupIndex = at.length > 4 ? (at[3] as number) : undefined;
    const group = groupIndex === undefined ? undefined : form.fields[groupIndex];
    const category = field.category!;
    const mandatory = field.required;
    const why = `${mandatory ? 'Obligatoire' : 'Facultative'} : ${
      field.reason ?? (mandatory ? 'sans cette information, votre demande ne peut pas être traitée.' : 'votre demande est traitée sans elle.')
    }`;
    return {
      formId: form.id,
      form: form.title,
      name: field.name,
      label: field.label,
      group: group?.label,
      category,
      categoryLabel: CATEGORY_LABELS[category],
      mandatory,
      why,
      encrypted: category === 'health' || field.encrypted === true,
    };
  });
}

function categoriesOf(p: Processing, fields: NoticeField[]): NoticeProcessing['data']['categories'] {
  const out = new Map<DataCategory, string | null>();
  for (const d of p.data) out.set(d.category, d.description);
  for (const f of fields) {
    const known = out.get(f.category);
    const labels = fields.filter((x) => x.category === f.category).map((x) => x.label);
    if (known === undefined) out.set(f.category, [...new Set(labels)].join(', '));
  }
  return [...out].map(([category, description]) => ({ category, label: CATEGORY_LABELS[category], description }));
}

function recipientsOf(reg: Register, p: Processing): NoticeProcessing['recipients'] {
  const service = reg.services.find((s) => s.id === p.service)?.name ?? null;
  const thirdParties = p.recipients.map((id) => ({ id, name: reg.recipients.find((r) => r.id === id)!.name }));
  const providers = p.providers.map((id) => reg.providers.find((r) => r.id === id)!).map((r) => ({ name: r.name, role: r.role }));
  const parts: string[] = [];
  parts.push(service ? `Les agents habilités du service « ${service} », et eux seuls au sein de ${reg.controller.name}.` : `Les agents habilités de ${reg.controller.name}.`);
  parts.push(
    thirdParties.length === 0
      ? 'Aucune donnée n’est transmise à des tiers.'
      : `Destinataires extérieurs, dans la limite de leurs attributions : ${thirdParties.map((t) => t.name).join(', ')}.`,
  );
  if (providers.length > 0) parts.push(`Sous-traitants : ${providers.map((x) => `${x.name} (${x.role})`).join(', ')}.`);
  return { service, thirdParties, providers, summary: parts.join(' ') };
}

function mandatoryExplanation(mandatory: number, total: number): string {
  if (mandatory === total) return `Les ${total} informations demandées sont obligatoires : sans elles, la demande ne peut pas être traitée.`;
  if (mandatory === 0) return 'Toutes les informations demandées sont facultatives.';
  const counted = mandatory === 1 ? 'Une seule des informations demandées est obligatoire' : `${mandatory} des ${total} informations demandées sont obligatoires`;
  return `${counted} (marquées « obligatoire » dans le formulaire) ; les autres sont facultatives. Le tableau ci-dessous dit pourquoi chacune est demandée.`;
}

function processingOf(reg: Register, p: Processing, tenantId: string): NoticeProcessing {
  const fields = fieldsOf(p);
  const basis = LEGAL_BASIS_TEXT[p.legalBasis];
  const mandatoryCount = fields.filter((f) => f.mandatory).length;
  return {
    id: p.id,
    title: p.title,
    controller: reg.controller.name,
    purposes: p.purposes,
    legalBasis: { code: p.legalBasis, label: basis.label, article: basis.article, detail: p.legitimateInterest ?? p.legalReference ?? null },
    specialCategoryCondition: p.art9Condition ?? null,
    data: {
      fields,
      categories: categoriesOf(p, fields),
      mandatoryExplanation:
        fields.length === 0
          ? 'Aucune donnée ne vous est demandée par formulaire pour ce traitement.'
          : mandatoryExplanation(mandatoryCount, fields.length),
    },
    source: p.source,
    subjects: p.subjects,
    recipients: recipientsOf(reg, p),
    retention: { ...retentionText(p), duration: p.retention.duration, from: p.retention.from, then: p.retention.then },
    security: p.security,
    transfersOutsideEU:
      p.transfersOutsideEU === 'none'
        ? { exists: false, text: "Aucune donnée n'est transférée hors de l'Union européenne." }
        : { exists: true, text: p.transfersOutsideEU },
    automatedDecision: p.automatedDecision
      ? { exists: true, text: p.automatedDecisionLogic ?? '' }
      : { exists: false, text: 'Aucune décision automatisée ni aucun profilage.' },
    rights: applicableRights(p.legalBasis),
    forms: p.forms.map((f) => ({ id: f.id, title: f.title, url: `/${tenantId}/demarches/${f.id}` })),
  };
}

function cookiesOf(reg: Register): NoticeCookie[] {
  const declared = new Map(reg.cookies.map((c) => [c.name, c]));
  const out: NoticeCookie[] = [];
  const push = (c: { name: string; category: CookieCategory; purpose: string; lifetime: string }, setBy: NoticeCookie['setBy']) =>
    out.push({
      name: c.name,
      category: c.category,
      categoryLabel: COOKIE_CATEGORY_LABELS[c.category],
      purpose: c.purpose,
      lifetime: c.lifetime,
      lifetimeText: c.lifetime === 'session' ? 'Jusqu’à la fermeture du navigateur' : frenchDuration(c.lifetime),
      consentRequired: !CONSENT_EXEMPT_COOKIES.includes(c.category),
      setBy,
    });
  for (const p of PLATFORM_COOKIES) {
    const own = declared.get(p.name);
    if (own) push(own, 'platform');
    else if (p.always) push(p, 'platform');
  }
  for (const c of reg.cookies) if (!PLATFORM_COOKIES.some((p) => p.name === c.name)) push(c, 'register');
  return out;
}

export function buildNotice(loaded: LoadedRegister): Notice {
  const reg = loaded.register;
  const tenantId = reg.tenant.id;
  const services = new Map(reg.services.map((s) => [s.id, s.name]));
  const processings = reg.processings.map((p) => processingOf(reg, p, tenantId));
  return {
    tenant: { id: tenantId, name: reg.tenant.name, kind: reg.tenant.kind, website: reg.tenant.website },
    version: loaded.version,
    publishedAt: loaded.loadedAt.toISOString(),
    hash: loaded.hash,
    controller: contact(reg.controller),
    dpo: contact(reg.dpo),
    howToExercise: {
      rightsPage: `/${tenantId}/mes-droits`,
      dpoEmail: reg.dpo.email,
      dpoPostal: reg.dpo.postal ?? null,
      complaint: CNIL,
      identityCheck:
        'Pour protéger vos données, nous pouvons vérifier votre identité avant de répondre ; nous ne demandons que ce qui est nécessaire à cette vérification.',
      deadline: 'Nous répondons dans un délai d’un mois, qui peut être prolongé de deux mois pour une demande complexe ; vous en êtes alors informé dans le premier mois.',
    },
    processings,
    collections: reg.processings.flatMap((p, i) =>
      p.forms.map((f) => ({
        formId: f.id,
        form: f.title,
        processingId: p.id,
        data: processings[i]!.data.fields.filter((x) => x.formId === f.id).map((x) => (x.group ? `${x.group} : ${x.label}` : x.label)),
        purposes: p.purposes,
        service: p.service ? (services.get(p.service) ?? null) : null,
      })),
    ),
    cookies: cookiesOf(reg),
    embeds: reg.embeds.map((e) => ({
      id: e.id,
      name: e.name,
      category: e.category,
      categoryLabel: EMBED_CATEGORY_LABELS[e.category] ?? e.category,
      provider: e.provider ?? null,
      privacyUrl: e.privacyUrl ?? null,
      blockedUntilConsent: true as const,
    })),
    consent: consentOf(reg, tenantId),
    hosting: reg.hosting.map((h) => ({ name: h.name, location: h.location, certification: h.certification ?? null })),
    providers: reg.providers.map((p) => ({ id: p.id, name: p.name, role: p.role, location: p.location ?? null, incidentAccess: p.incidentAccess })),
  };
}
