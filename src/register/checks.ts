/**
 * The rules that tie one part of a register to another. Each error stops the
 * load (no notice with a hole); warnings are printed and the load goes on.
 */
import { embedHosts } from '../consent/embed-hosts.ts';
import { PLATFORM_COOKIES } from '../consent/platform-cookies.ts';
import { boundDate, parseDateBound, todayInFrance } from './date-bound.ts';
import { parseDuration, totalDays } from './duration.ts';
import { formatPath, type PathSegment, type Problem } from './problem.ts';
import type { Field, Processing, Register } from './schema.ts';
import { AUTOCOMPLETE_TOKENS, EMBED_CATEGORIES, MAX_UPLOAD_BYTES, SPECIAL_CATEGORIES, SUBJECT_KEY_TYPES, UPLOAD_TYPES } from './vocabulary.ts';
import { nearestKey } from './zod-problems.ts';

/** Categories that identify a person whatever the field: never kept by an anonymisation (`retention.keep`). */
export const IDENTIFYING: readonly string[] = ['identification', 'contact', 'civil-status', 'image', 'connection', 'health', 'professional'];

/** Tenant ids that would shadow the platform's own top-level routes. */
const RESERVED_TENANT_IDS = ['api', 'assets', 'healthz', 'static', 'favicon.ico', 'robots.txt', 'admin'];
/** CNIL: an audience-measurement cookie exempt from consent lives 13 months at most. */
const MAX_AUDIENCE_EXEMPT_DAYS = totalDays({ years: 0, months: 13, weeks: 0, days: 0 });
/** CNIL: the data of an exempt audience measurement is kept 25 months at most. */
const MAX_AUDIENCE_DATA_DAYS = totalDays({ years: 0, months: 25, weeks: 0, days: 0 });
/** Years a proof of consent is kept when the register names no processing for them. */
export const DEFAULT_PROOF_RETENTION = 1;
/** Cookie categories set only with the visitor's consent. */
const CONSENT_COOKIES: readonly string[] = ['audience', 'personalisation', 'social', 'video', 'advertising'];

class Collector {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  error(segments: PathSegment[], message: string): void {
    this.errors.push({ segments, path: formatPath(segments), message });
  }
  warn(segments: PathSegment[], message: string): void {
    this.warnings.push({ segments, path: formatPath(segments), message });
  }
}

function checkUnique<T>(c: Collector, base: PathSegment[], items: readonly T[], key: (t: T) => string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) c.error([...base, i], `${what} « ${k} » en double (déjà utilisé en ${formatPath([...base, first])})`);
    else seen.set(k, i);
  });
}

/** Every leaf field of a processing's forms, groups flattened, with its path. */
export function leafFields(p: Processing): Array<{ field: Field; formIndex: number; at: PathSegment[] }> {
  const out: Array<{ field: Field; formIndex: number; at: PathSegment[] }> = [];
  p.forms.forEach((form, formIndex) => {
    const walk = (fields: readonly Field[], at: PathSegment[]) =>
      fields.forEach((field, i) => {
        if (field.type === 'group') walk(field.fields ?? [], [...at, i, 'fields']);
        else out.push({ field, formIndex, at: [...at, i] });
      });
    walk(form.fields, ['forms', formIndex, 'fields']);
  });
  return out;
}

function checkField(c: Collector, at: PathSegment[], field: Field, insideGroup: boolean): void {
  const has = (key: keyof Field) => field[key] !== undefined;
  const only = (key: keyof Field, types: string[], what: string) => {
    if (has(key) && !types.includes(field.type)) c.error([...at, key], `${what} ne s'applique qu'aux champs de type ${types.join(', ')}`);
  };
  for (const key of ['options', 'accept', 'maxBytes', 'maxLength', 'min', 'max', 'pattern', 'patternMessage', 'notBefore', 'notAfter'] as const)
    if (field.type === 'group' && has(key)) c.error([...at, key], `${key} ne s'applique pas à un groupe`);
  if (field.type === 'group') {
    if (insideGroup) c.error([...at, 'type'], "un groupe ne peut pas contenir un autre groupe");
    if (!field.fields) c.error([...at, 'fields'], 'un groupe doit lister ses champs (fields)');
    if (!field.repeat) c.error([...at, 'repeat'], 'un groupe doit dire combien de fois il se répète (repeat: {min, max})');
    else if (field.repeat.min > field.repeat.max)
      c.error([...at, 'repeat'], `repeat.min (${field.repeat.min}) est supérieur à repeat.max (${field.repeat.max})`);
    if (has('category')) c.error([...at, 'category'], "un groupe n'a pas de catégorie : chacun de ses champs a la sienne");
    if (field.subjectKey) c.error([...at, 'subjectKey'], 'subjectKey ne s’applique qu’aux champs email ou phone');
    checkUnique(c, [...at, 'fields'], field.fields ?? [], (f) => f.name, 'nom de champ');
    (field.fields ?? []).forEach((f, i) => checkField(c, [...at, 'fields', i], f, true));
    return;
  }
  only('fields', ['group'], 'fields');
  only('repeat', ['group'], 'repeat');
  only('itemLabel', ['group'], 'itemLabel');
  if (!field.category) c.error([...at, 'category'], 'catégorie de données manquante (identification, contact, health, …)');
  if (field.type === 'select' && !field.options) c.error([...at, 'options'], 'un champ select doit lister ses options');
  only('options', ['select'], 'options');
  if (field.options) checkUnique(c, [...at, 'options'], field.options, (o) => o.value, 'option');
  if (field.type === 'file') {
    if (!field.accept) c.error([...at, 'accept'], 'un champ fichier doit lister les types acceptés (accept: [application/pdf, …])');
    if (field.maxBytes === undefined) c.error([...at, 'maxBytes'], 'un champ fichier doit fixer sa taille maximale en octets (maxBytes)');
    else if (field.maxBytes > MAX_UPLOAD_BYTES)
      c.error([...at, 'maxBytes'], `taille maximale trop grande (${field.maxBytes} octets ; au plus ${MAX_UPLOAD_BYTES})`);
    (field.accept ?? []).forEach((type, i) => {
      if (!(UPLOAD_TYPES as readonly string[]).includes(type))
        c.error([...at, 'accept', i], `type de fichier « ${type} » non pris en charge ; types possibles : ${UPLOAD_TYPES.join(', ')}`);
    });
  }
  only('accept', ['file'], 'accept');
  only('maxBytes', ['file'], 'maxBytes');
  only('maxLength', ['text', 'textarea', 'address'], 'maxLength');
  only('min', ['number'], 'min');
  only('max', ['number'], 'max');
  if (field.min !== undefined && field.max !== undefined && field.min > field.max)
    c.error([...at, 'min'], `min (${field.min}) est supérieur à max (${field.max})`);
  only('pattern', ['text'], 'pattern');
  only('patternMessage', ['text'], 'patternMessage');
  if (field.patternMessage !== undefined && field.pattern === undefined && field.type === 'text')
    c.error([...at, 'patternMessage'], 'patternMessage décrit le format de pattern : ajoutez pattern, ou retirez patternMessage');
  only('notBefore', ['date'], 'notBefore');
  only('notAfter', ['date'], 'notAfter');
  checkDateBounds(c, at, field);
  if (field.autocomplete !== undefined && !(AUTOCOMPLETE_TOKENS as readonly string[]).includes(field.autocomplete)) {
    const near = nearestKey(field.autocomplete, AUTOCOMPLETE_TOKENS);
    c.error([...at, 'autocomplete'], `valeur d'autocomplétion « ${field.autocomplete} » inconnue${near ? ` ; vouliez-vous dire « ${near} » ?` : ''} (valeurs HTML : family-name, given-name, email, tel, street-address, postal-code, address-level2, bday…)`);
  }
  if (field.subjectKey && !SUBJECT_KEY_TYPES.includes(field.type))
    c.error([...at, 'subjectKey'], `subjectKey ne s’applique qu’aux champs ${SUBJECT_KEY_TYPES.join(' ou ')}, pas à un champ ${field.type}`);
  if (field.category && SPECIAL_CATEGORIES.includes(field.category) && field.encrypted === false)
    c.error([...at, 'encrypted'], 'les données de santé sont toujours chiffrées : retirez « encrypted: false »');
}

/** notBefore after notAfter would refuse every date: compared today (two relative bounds keep their order every day). */
function checkDateBounds(c: Collector, at: PathSegment[], field: Field): void {
  if (field.type !== 'date' || field.notBefore === undefined || field.notAfter === undefined) return;
  const before = parseDateBound(field.notBefore);
  const after = parseDateBound(field.notAfter);
  if (!before.ok || !after.ok) return;
  const today = todayInFrance();
  if (boundDate(before.bound, today) > boundDate(after.bound, today))
    c.error([...at, 'notBefore'], `notBefore (${field.notBefore}) tombe après notAfter (${field.notAfter}) : aucune date ne serait acceptée`);
}

function checkRetention(c: Collector, p: Processing, at: PathSegment[]): void {
  const r = p.retention;
  const ra = [...at, 'retention'];
  const fields = leafFields(p);
  if (r.from.startsWith('field:')) {
    const name = r.from.slice('field:'.length);
    if (p.forms.length === 0) c.error([...ra, 'from'], `« ${r.from} » : ce traitement n'a pas de formulaire`);
    p.forms.forEach((form, formIndex) => {
      const found = fields.find((f) => f.formIndex === formIndex && f.field.name === name && f.at.length === 4);
      if (!found) c.error([...ra, 'from'], `« ${r.from} » : le formulaire « ${form.id} » n'a pas de champ « ${name} »`);
      else if (found.field.type !== 'date')
        c.error([...ra, 'from'], `« ${r.from} » : le champ « ${name} » du formulaire « ${form.id} » est de type ${found.field.type}, pas date`);
      else if (!found.field.required)
        c.error([...ra, 'from'], `« ${r.from} » : le champ « ${name} » du formulaire « ${form.id} » doit être obligatoire (required: true), sinon la durée n'a pas de point de départ`);
    });
  } else if (r.from === 'event') {
    if (!r.event) c.error([...ra, 'event'], 'avec « from: event », dites à compter de quel événement (event: la fin du marché concerné)');
  } else if (r.from !== 'created' && r.from !== 'closed') {
    c.error([...ra, 'from'], `point de départ « ${r.from} » inconnu ; valeurs possibles : created, closed, field:<nom d'un champ date>, event`);
  }
  if (r.event && r.from !== 'event') c.error([...ra, 'event'], '« event » ne s’emploie qu’avec « from: event »');
  const archives = r.then === 'archive' || r.rules.some((rule) => rule.then === 'archive');
  if (archives && !r.legalObligation)
    c.error([...ra, 'legalObligation'], "l'archivage (then: archive) doit être justifié par une obligation légale (legalObligation)");
  if (archives && !r.archiveFor)
    c.error([...ra, 'archiveFor'], "l'archivage (then: archive) doit dire combien de temps les archives sont gardées avant leur suppression définitive (archiveFor, une durée ISO 8601 comme P10Y)");
  if (!archives && r.archiveFor) c.error([...ra, 'archiveFor'], "« archiveFor » ne s'emploie qu'avec « then: archive » (ici ou dans une règle)");
  if (r.notifyBefore && !p.forms.some((f) => f.fields.some((field) => field.type === 'email' && field.subjectKey)))
    c.error([...ra, 'notifyBefore'], "l'avis avant suppression (notifyBefore) s'envoie à l'adresse donnée dans la demande : aucun formulaire de ce traitement n'a de champ courriel qui identifie la personne (type: email, subjectKey: true)");
  const anonymises = r.then === 'anonymise' || r.rules.some((rule) => rule.then === 'anonymise');
  if (r.keep.length > 0 && !anonymises) c.error([...ra, 'keep'], '« keep » dit ce qui reste d’une demande anonymisée : il ne s’emploie qu’avec « then: anonymise »');
  r.keep.forEach((category, i) => {
    if (IDENTIFYING.includes(category))
      c.error([...ra, 'keep', i], `la catégorie « ${category} » permet d’identifier les personnes : elle ne peut pas rester après l’anonymisation`);
  });
  r.rules.forEach((rule, i) => {
    const rule_at = [...ra, 'rules', i];
    const target = fields.find((f) => f.field.name === rule.when.field);
    if (!target) {
      c.error([...rule_at, 'when', 'field'], `champ « ${rule.when.field} » introuvable dans les formulaires de ce traitement`);
      return;
    }
    const options = target.field.options?.map((o) => o.value);
    if (options && !options.includes(String(rule.when.equals)))
      c.error([...rule_at, 'when', 'equals'], `« ${String(rule.when.equals)} » n'est pas une option du champ « ${rule.when.field} » ; options : ${options.join(', ')}`);
    if (target.field.type === 'checkbox' && typeof rule.when.equals !== 'boolean')
      c.error([...rule_at, 'when', 'equals'], `le champ « ${rule.when.field} » est une case à cocher : equals vaut true ou false`);
  });
}

function checkProcessing(c: Collector, reg: Register, p: Processing, i: number): void {
  const at: PathSegment[] = ['processings', i];
  const services = new Set(reg.services.map((s) => s.id));
  const recipients = new Set(reg.recipients.map((r) => r.id));
  const providers = new Set(reg.providers.map((r) => r.id));
  if (p.service && !services.has(p.service))
    c.error([...at, 'service'], `service « ${p.service} » non déclaré dans services (${[...services].join(', ')})`);
  if (!p.service && p.forms.length > 0)
    c.error([...at, 'service'], 'un traitement qui a des formulaires doit nommer le service qui traite les demandes');
  p.recipients.forEach((r, j) => {
    if (!recipients.has(r)) c.error([...at, 'recipients', j], `destinataire « ${r} » non déclaré dans recipients`);
  });
  p.providers.forEach((r, j) => {
    if (!providers.has(r)) c.error([...at, 'providers', j], `prestataire « ${r} » non déclaré dans providers`);
  });
  checkUnique(c, [...at, 'recipients'], p.recipients, (r) => r, 'destinataire');

  p.forms.forEach((form, f) => {
    checkUnique(c, [...at, 'forms', f, 'fields'], form.fields, (x) => x.name, 'nom de champ');
    form.fields.forEach((field, k) => checkField(c, [...at, 'forms', f, 'fields', k], field, false));
  });
  if (p.forms.length === 0 && p.data.length === 0)
    c.error([...at, 'data'], 'ce traitement ne déclare aucune donnée : ajoutez un formulaire ou la liste des données traitées (data)');

  const special = [
    ...leafFields(p).filter(({ field }) => field.category && SPECIAL_CATEGORIES.includes(field.category)),
    ...p.data.filter((d) => SPECIAL_CATEGORIES.includes(d.category)),
  ];
  if (special.length > 0 && !p.art9Condition)
    c.error([...at, 'art9Condition'], "des données de santé sont traitées : indiquez l'exception de l'article 9.2 du RGPD qui le permet (art9Condition)");

  if (p.legalBasis === 'legitimate-interest' && !p.legitimateInterest)
    c.error([...at, 'legitimateInterest'], "base légale « intérêt légitime » : décrivez l'intérêt poursuivi (legitimateInterest, RGPD art. 13.1.d)");
  if (p.legalBasis !== 'legitimate-interest' && p.legitimateInterest)
    c.error([...at, 'legitimateInterest'], "legitimateInterest ne s'emploie qu'avec la base légale legitimate-interest");
  if (p.automatedDecision && !p.automatedDecisionLogic)
    c.error([...at, 'automatedDecisionLogic'], 'une décision automatisée doit être expliquée (automatedDecisionLogic, RGPD art. 13.2.f)');
  if (p.legalBasis === 'consent') {
    const keyed = leafFields(p).some(({ field }) => field.subjectKey);
    if (p.forms.length > 0 && !keyed)
      c.error([...at, 'forms'], "base légale « consentement » : un champ subjectKey (courriel ou téléphone) est nécessaire pour retrouver la personne qui retire son consentement");
    if (p.forms.length === 0 && !p.withdrawal)
      c.error([...at, 'withdrawal'], 'base légale « consentement » sans formulaire : dites comment la personne retire son consentement (withdrawal)');
  }
  checkRetention(c, p, at);
}

function checkCookies(c: Collector, reg: Register): void {
  checkUnique(c, ['cookies'], reg.cookies, (k) => k.name, 'cookie');
  reg.cookies.forEach((cookie, i) => {
    const at: PathSegment[] = ['cookies', i];
    if (cookie.lifetime !== 'session') {
      const d = parseDuration(cookie.lifetime);
      if (d.ok && cookie.category === 'audience-exempt' && totalDays(d.duration) > MAX_AUDIENCE_EXEMPT_DAYS)
        c.error([...at, 'lifetime'], "un cookie de mesure d'audience exempté de consentement dure au plus 13 mois (P13M) selon la CNIL");
    }
    const platform = PLATFORM_COOKIES.find((p) => p.name === cookie.name);
    if (platform && (platform.category !== cookie.category || platform.lifetime !== cookie.lifetime))
      c.error(at, `le cookie « ${cookie.name} » est posé par la plateforme avec la catégorie ${platform.category} et la durée ${platform.lifetime} ; le registre doit dire de même`);
  });
}

/** The third-party content of forms: a declared provider, loaded from its own hosts only. */
function checkMedia(c: Collector, reg: Register): void {
  reg.processings.forEach((p, i) =>
    p.forms.forEach((form, f) =>
      form.media.forEach((m, k) => {
        const at: PathSegment[] = ['processings', i, 'forms', f, 'media', k];
        const embed = reg.embeds.find((e) => e.id === m.embed);
        if (!embed) {
          c.error([...at, 'embed'], `contenu tiers « ${m.embed} » non déclaré dans embeds${reg.embeds.length > 0 ? ` (${reg.embeds.map((e) => e.id).join(', ')})` : ''}`);
          return;
        }
        const hosts = embedHosts(embed);
        const host = new URL(m.src).hostname;
        if (hosts.length === 0) c.error([...at, 'src'], `le contenu tiers « ${embed.id} » ne dit pas d’où viennent ses cadres : ajoutez-lui hosts (par exemple [www.exemple.fr])`);
        else if (!hosts.includes(host)) c.error([...at, 'src'], `« ${host} » n’est pas un hôte de ${embed.name} (${hosts.join(', ')}) : ajoutez-le à embeds[].hosts ou corrigez l’adresse`);
      }),
    ),
  );
  reg.embeds.forEach((e, i) => {
    // The panel, the cookie and POST /consent name services, categories and the audience measurement in one space.
    if (e.id === 'audience' || e.id.startsWith('cat-') || (EMBED_CATEGORIES as readonly string[]).includes(e.id))
      c.error(['embeds', i, 'id'], `« ${e.id} » est réservé (la mesure d’audience, les catégories ${EMBED_CATEGORIES.join(', ')}, les identifiants commençant par cat-) : choisissez un autre identifiant pour ce contenu tiers`);
    if (embedHosts(e).length === 0)
      c.warn(['embeds', i, 'hosts'], `hôtes de « ${e.id} » inconnus : les cadres de ce fournisseur déjà présents dans une page ne pourront pas être bloqués (ajoutez hosts)`);
  });
}

/** The consent manager and the audience measurement: their processings, within the CNIL exemption. */
function checkConsentAndAudience(c: Collector, reg: Register): void {
  const vid = reg.cookies.find((k) => k.name === 'bastide_vid');
  if (reg.audienceProcessing) {
    const at: PathSegment[] = ['audienceProcessing'];
    const p = reg.processings.find((x) => x.id === reg.audienceProcessing);
    if (!p) c.error(at, `traitement « ${reg.audienceProcessing} » introuvable dans processings`);
    else {
      if (p.legalBasis === 'consent')
        c.error(at, `la mesure d’audience de la plateforme est exemptée de consentement (CNIL) : le traitement « ${p.id} » ne peut pas reposer sur le consentement`);
      if (!p.service) c.error(at, `le traitement « ${p.id} » doit nommer le service qui consulte les statistiques (service)`);
      const d = parseDuration(p.retention.duration);
      if (d.ok && totalDays(d.duration) > MAX_AUDIENCE_DATA_DAYS)
        c.error(at, `les données de la mesure d’audience exemptée sont conservées au plus 25 mois (CNIL) : la durée du traitement « ${p.id} » est ${p.retention.duration}`);
      if (p.retention.from !== 'created' || p.retention.then !== 'delete' || p.retention.rules.length > 0)
        c.error(at, `les statistiques d’audience sont supprimées au terme de leur durée, comptée depuis leur date : le traitement « ${p.id} » doit dire « from: created » et « then: delete », sans règle`);
    }
    if (!vid || vid.category !== 'audience-exempt')
      c.error(['cookies'], 'avec audienceProcessing, le cookie de mesure d’audience « bastide_vid » doit être déclaré (category: audience-exempt, lifetime: P13M au plus)');
  } else if (vid) {
    c.warn(['cookies'], 'le cookie « bastide_vid » est déclaré mais aucun traitement ne porte la mesure d’audience (audienceProcessing) : rien ne sera mesuré');
  }
  const needsConsent = reg.embeds.length > 0 || reg.cookies.some((k) => CONSENT_COOKIES.includes(k.category));
  if (reg.consentProofProcessing) {
    const p = reg.processings.find((x) => x.id === reg.consentProofProcessing);
    if (!p) c.error(['consentProofProcessing'], `traitement « ${reg.consentProofProcessing} » introuvable dans processings`);
    else if (p.retention.from !== 'created' || p.retention.rules.length > 0 || p.retention.then !== 'delete')
      c.error(['consentProofProcessing'], `les preuves de choix sont supprimées au terme de leur durée, comptée depuis le choix : le traitement « ${p.id} » doit dire « from: created » et « then: delete », sans règle`);
  } else if (needsConsent) {
    // A warning, not an error: REGISTER.md's own example declares embeds without it, and must load.
    c.warn(['consentProofProcessing'], `des contenus tiers ou des cookies soumis au consentement sont déclarés sans le traitement qui conserve la preuve des choix : elles sont gardées ${DEFAULT_PROOF_RETENTION} an${DEFAULT_PROOF_RETENTION > 1 ? 's' : ''} par défaut et l’avis n’en dit rien ; nommez-le (consentProofProcessing)`);
  }
}

export function checkRegister(reg: Register): { errors: Problem[]; warnings: Problem[] } {
  const c = new Collector();
  if (RESERVED_TENANT_IDS.includes(reg.tenant.id))
    c.error(['tenant', 'id'], `« ${reg.tenant.id} » est réservé par la plateforme ; choisissez un autre identifiant`);
  if (!reg.dpo.postal) c.warn(['dpo', 'postal'], "adresse postale du délégué absente : l'avis ne proposera que le courriel");
  reg.tenant.origins.forEach((o, i) => {
    if (o.startsWith('http://'))
      c.warn(['tenant', 'origins', i], `« ${o} » est une adresse de cette machine : toute page qui s’y trouve peut envoyer choix et mesures d’audience ; à réserver aux essais`);
  });

  checkUnique(c, ['services'], reg.services, (s) => s.id, 'service');
  checkUnique(c, ['recipients'], reg.recipients, (r) => r.id, 'destinataire');
  checkUnique(c, ['providers'], reg.providers, (p) => p.id, 'prestataire');
  checkUnique(c, ['processings'], reg.processings, (p) => p.id, 'traitement');
  checkUnique(c, ['embeds'], reg.embeds, (e) => e.id, 'contenu tiers');
  const forms = reg.processings.flatMap((p, i) => p.forms.map((f, j) => ({ id: f.id, at: ['processings', i, 'forms', j] as PathSegment[] })));
  const seenForms = new Map<string, PathSegment[]>();
  for (const form of forms) {
    const first = seenForms.get(form.id);
    if (first) c.error([...form.at, 'id'], `formulaire « ${form.id} » en double (déjà utilisé en ${formatPath(first)})`);
    else seenForms.set(form.id, form.at);
  }

  reg.processings.forEach((p, i) => checkProcessing(c, reg, p, i));
  if (reg.securityLogProcessing) {
    const log = reg.processings.find((p) => p.id === reg.securityLogProcessing);
    if (!log) c.error(['securityLogProcessing'], `traitement « ${reg.securityLogProcessing} » introuvable dans processings`);
    else if (!log.data.some((d) => d.category === 'connection'))
      c.error(['securityLogProcessing'], `le traitement « ${log.id} » doit déclarer des données de connexion (data: [{category: connection, …}]) pour conserver les adresses IP`);
  }
  if (reg.citizenAccountProcessing) {
    const accounts = reg.processings.find((p) => p.id === reg.citizenAccountProcessing);
    const categories = new Set(accounts?.data.map((d) => d.category));
    if (!accounts) c.error(['citizenAccountProcessing'], `traitement « ${reg.citizenAccountProcessing} » introuvable dans processings`);
    else if (!categories.has('contact') || !categories.has('connection'))
      c.error(['citizenAccountProcessing'], `le traitement « ${accounts.id} » doit déclarer l’adresse électronique (data: category contact) et les données de connexion (category connection) des comptes`);
    if (!reg.cookies.some((k) => k.name === 'bastide_citoyen'))
      c.error(['cookies'], 'avec citizenAccountProcessing, le cookie de connexion au compte « bastide_citoyen » doit être déclaré (category: essential, lifetime: session)');
  }
  if (reg.rightsRequestProcessing) {
    const rights = reg.processings.find((p) => p.id === reg.rightsRequestProcessing);
    if (!rights) c.error(['rightsRequestProcessing'], `traitement « ${reg.rightsRequestProcessing} » introuvable dans processings`);
    else if (!rights.data.some((d) => d.category === 'contact'))
      c.error(['rightsRequestProcessing'], `le traitement « ${rights.id} » doit déclarer l’adresse électronique des demandeurs (data: category contact)`);
    else if (rights.retention.from.startsWith('field:') || rights.retention.from === 'closed')
      c.error(['rightsRequestProcessing'], `la conservation du traitement « ${rights.id} » doit partir de la demande (created) ou de la réponse (event)`);
  }
  checkCookies(c, reg);
  checkMedia(c, reg);
  checkConsentAndAudience(c, reg);

  const used = (ids: (p: Processing) => Array<string | undefined>) => new Set(reg.processings.flatMap(ids));
  const usedServices = used((p) => [p.service]);
  reg.services.forEach((s, i) => {
    if (!usedServices.has(s.id)) c.warn(['services', i], `service « ${s.id} » déclaré mais rattaché à aucun traitement`);
  });
  const usedProviders = used((p) => p.providers);
  reg.providers.forEach((x, i) => {
    if (!usedProviders.has(x.id) && !x.incidentAccess) c.warn(['providers', i], `prestataire « ${x.id} » déclaré mais rattaché à aucun traitement`);
  });
  const usedRecipients = used((p) => p.recipients);
  reg.recipients.forEach((r, i) => {
    if (!usedRecipients.has(r.id)) c.warn(['recipients', i], `destinataire « ${r.id} » déclaré mais destinataire d'aucun traitement`);
  });
  return { errors: c.errors, warnings: c.warnings };
}
