/**
 * A large, valid register for benchmarks: N processings (200 by default) of a
 * FICTIONAL authority, varied like a real one — forms with text, e-mail
 * (subjectKey), phone, date, select, repeatable groups and files; processings
 * without forms (a `data` list); retention rules, recipients, providers.
 * Deterministic: the same N always gives the same bytes, so two runs of a
 * benchmark measure the same page.
 *
 *   node --import tsx bench/large-register.ts 200 > /tmp/r.yaml
 *
 * The command checks its output with `parseRegister` and fails (exit 1, the
 * problems on stderr) if the register has any error or warning.
 */
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { formatProblem } from '../src/register/problem.ts';
import { parseRegister } from '../src/register/parse.ts';

export const DEFAULT_PROCESSINGS = 200;
export const LARGE_TENANT_ID = 'grande-riviere';

type Obj = Record<string, unknown>;

const SERVICES = [
  ['accueil', 'Accueil de la mairie'],
  ['etat-civil', 'Service état civil, élections et citoyenneté'],
  ['scolaire', 'Services scolaires, périscolaires et jeunesse'],
  ['urbanisme', 'Service urbanisme'],
  ['techniques', 'Services techniques'],
  ['social', "Centre communal d'action sociale"],
  ['culture', 'Médiathèque et service culturel'],
  ['sports', 'Service des sports'],
  ['communication', 'Service communication'],
  ['rh', 'Ressources humaines'],
  ['informatique', 'Service informatique'],
  ['police-municipale', 'Police municipale'],
] as const;

const RECIPIENTS = [
  ['caf', "Caisse d'allocations familiales"],
  ['tresor', 'Trésor public (service de gestion comptable de la DGFiP)'],
  ['prefecture', 'Préfecture du département'],
  ['insee', 'INSEE'],
  ['forces-ordre', "Forces de l'ordre sur réquisition"],
  ['conseil-departemental', 'Conseil départemental (aide sociale)'],
  ['assureur', 'Assureur de la commune, en cas de sinistre'],
  ['bailleurs', 'Bailleurs sociaux partenaires'],
] as const;

const PROVIDERS = [
  { id: 'hebergeur-applicatif', name: 'Rivenum Services', role: "Maintenance applicative de la plateforme et sauvegarde quotidienne ; en cas d'incident, accès limité dans le temps et journalisé", location: 'France', incidentAccess: true },
  { id: 'routage', name: 'Routage Express', role: 'Envoi des courriels et des SMS de notification sur instruction de la commune', location: 'France' },
  { id: 'editique', name: 'Éditique du Val', role: 'Impression et mise sous pli des courriers et des factures', location: 'France' },
  { id: 'archivage', name: 'Archives Numériques SAS', role: 'Archivage électronique à valeur probante', location: 'France' },
] as const;

/** Themes of the authority's procedures; the index makes each title unique. */
const THEMES = [
  'Inscription à la médiathèque',
  'Demande de place en crèche',
  "Réservation d'une salle municipale",
  'Demande de logement social',
  "Demande d'aide sociale facultative",
  "Déclaration d'un chantier sur la voie publique",
  "Inscription à l'école municipale de musique",
  'Demande de carte de stationnement résident',
  "Réservation d'un créneau au gymnase",
  'Signalement sur la voie publique',
  "Demande d'occupation du domaine public",
  'Inscription au séjour de vacances',
  'Demande de subvention associative',
  'Recensement citoyen',
  'Inscription au portage de repas à domicile',
  "Demande d'acte d'état civil",
  'Inscription au registre des personnes vulnérables',
  'Candidature à un emploi saisonnier',
  'Demande de raccordement au réseau de chaleur',
  'Inscription aux jardins familiaux',
] as const;

const LEGAL_REFERENCES = [
  'Code général des collectivités territoriales, article L. 2121-29',
  "Code de l'action sociale et des familles, article L. 123-5",
  'Code de la construction et de l’habitation, article L. 441-2-1',
  'Code de la voirie routière, article L. 113-2',
  'Code du service national, article L. 113-1',
] as const;

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

function contact(name: string, email: string, postal: string, phone: string): Obj {
  return { name, email, postal, phone };
}

/** A form as real ones are: identity, contact, dates, choices, a group, a file. */
function richForm(i: number, formId: string, theme: string): { form: Obj; dateField: string; selectField: string; selectValues: string[] } {
  const choices = ['standard', 'prioritaire', 'urgence', 'renouvellement', 'premiere-demande'].slice(0, 3 + (i % 3));
  const labels: Record<string, string> = {
    standard: 'Demande standard',
    prioritaire: 'Demande prioritaire (situation particulière)',
    urgence: 'Urgence signalée par un travailleur social',
    renouvellement: "Renouvellement d'une demande accordée",
    'premiere-demande': 'Première demande',
  };
  const fields: Obj[] = [
    { name: 'nom', label: 'Nom', type: 'text', category: 'identification', required: true, maxLength: 100, autocomplete: 'family-name' },
    { name: 'prenom', label: 'Prénom', type: 'text', category: 'identification', required: true, maxLength: 100, autocomplete: 'given-name' },
    { name: 'courriel', label: 'Adresse électronique', type: 'email', category: 'contact', required: true, subjectKey: true, autocomplete: 'email', help: 'Format attendu : nom@domaine.fr' },
    {
      name: 'telephone',
      label: 'Téléphone',
      type: 'phone',
      category: 'contact',
      required: i % 2 === 0,
      autocomplete: 'tel',
      ...(i % 2 === 0 ? {} : { reason: 'Permet au service de vous rappeler si votre demande est incomplète.' }),
    },
    { name: 'adresse', label: 'Adresse postale', type: 'address', category: 'contact', required: true, maxLength: 200, autocomplete: 'street-address' },
    { name: 'dateDemande', label: 'Date souhaitée', type: 'date', category: 'request', required: true, help: 'Au format JJ/MM/AAAA.' },
    {
      name: 'nature',
      label: 'Nature de la demande',
      type: 'select',
      category: 'request',
      required: true,
      options: choices.map((value) => ({ value, label: labels[value]! })),
    },
  ];
  if (i % 3 === 0) {
    fields.push({ name: 'nombrePersonnes', label: 'Nombre de personnes concernées', type: 'number', category: 'family', required: false, min: 1, max: 12, reason: 'Permet de dimensionner la réponse apportée.' });
  }
  fields.push({
    name: 'membresFoyer',
    label: 'Membres du foyer',
    type: 'group',
    repeat: { min: 0, max: 2 + (i % 7) },
    itemLabel: 'Membre du foyer',
    help: 'Indiquez les personnes qui vivent avec vous.',
    fields: [
      { name: 'nom', label: 'Nom', type: 'text', category: 'identification', required: true, maxLength: 100 },
      { name: 'prenom', label: 'Prénom', type: 'text', category: 'identification', required: true, maxLength: 100 },
      { name: 'dateNaissance', label: 'Date de naissance', type: 'date', category: 'civil-status', required: true },
      {
        name: 'lien',
        label: 'Lien avec le demandeur',
        type: 'select',
        category: 'family',
        required: true,
        options: [
          { value: 'conjoint', label: 'Conjoint ou conjointe' },
          { value: 'enfant', label: 'Enfant' },
          { value: 'parent', label: 'Parent' },
          { value: 'autre', label: 'Autre personne du foyer' },
        ],
      },
      ...(i % 4 === 2
        ? [{ name: 'revenus', label: 'Revenus mensuels', type: 'number', category: 'economic', required: false, min: 0, reason: 'Sert au calcul du tarif ; sans cette donnée, le tarif plein s’applique.' }]
        : []),
    ],
  });
  fields.push({
    name: 'justificatif',
    label: 'Justificatif',
    type: 'file',
    category: i % 4 === 2 ? 'economic' : 'request',
    required: false,
    accept: i % 2 === 0 ? ['application/pdf', 'image/jpeg', 'image/png'] : ['application/pdf'],
    maxBytes: 5_000_000,
    help: 'PDF, JPEG ou PNG, 5 Mo au plus.',
    reason: 'Évite un déplacement au guichet pour présenter la pièce.',
  });
  fields.push({ name: 'precisions', label: 'Précisions', type: 'textarea', category: 'request', required: false, maxLength: 3000, reason: `Tout ce qui aide le service à traiter votre demande (${theme.toLowerCase()}).` });
  fields.push({ name: 'attestation', label: "J'atteste l'exactitude des informations fournies", type: 'checkbox', category: 'request', required: true });
  return {
    form: { id: formId, title: theme, description: `Démarche en ligne : ${theme.toLowerCase()}. Les champs marqués d'un astérisque sont obligatoires.`, draftRetentionDays: 15 + (i % 30), fields },
    dateField: 'dateDemande',
    selectField: 'nature',
    selectValues: choices,
  };
}

/** A short subscription form, as for a newsletter or SMS alerts (consent). */
function subscriptionForm(i: number, formId: string, theme: string): Obj {
  return {
    id: formId,
    title: `S'abonner : ${theme.toLowerCase()}`,
    fields: [
      { name: 'courriel', label: 'Adresse électronique', type: 'email', category: 'contact', required: true, subjectKey: true, autocomplete: 'email' },
      { name: 'telephonePortable', label: 'Téléphone portable', type: 'phone', category: 'contact', required: false, subjectKey: true, autocomplete: 'tel', reason: 'Pour recevoir aussi les alertes urgentes par SMS.' },
      {
        name: 'quartier',
        label: 'Quartier',
        type: 'select',
        category: 'location',
        required: false,
        reason: 'Pour ne recevoir que les informations de votre quartier.',
        options: ['Centre', 'Les Prés', 'La Gare', 'Le Moulin', 'Les Hauts'].slice(0, 2 + (i % 4)).map((label) => ({ value: label.toLowerCase().replace(/\s+/g, '-').replace('é', 'e'), label })),
      },
    ],
  };
}

/** A form with health data (GDPR art. 9), always in a processing with `art9Condition`. */
function healthForm(i: number, formId: string, theme: string): Obj {
  return {
    id: formId,
    title: `${theme} — dossier individuel`,
    fields: [
      { name: 'nom', label: 'Nom', type: 'text', category: 'identification', required: true, maxLength: 100 },
      { name: 'prenom', label: 'Prénom', type: 'text', category: 'identification', required: true, maxLength: 100 },
      { name: 'dateNaissance', label: 'Date de naissance', type: 'date', category: 'civil-status', required: true },
      { name: 'courriel', label: 'Adresse électronique', type: 'email', category: 'contact', required: false, subjectKey: true, reason: 'Pour recevoir la réponse par courriel plutôt que par courrier.' },
      { name: 'telephone', label: 'Téléphone', type: 'phone', category: 'contact', required: true },
      {
        name: 'contactsUrgence',
        label: "Personnes à contacter en cas d'urgence",
        type: 'group',
        repeat: { min: 1, max: 3 },
        itemLabel: "Contact en cas d'urgence",
        fields: [
          { name: 'nom', label: 'Nom et prénom', type: 'text', category: 'identification', required: true, maxLength: 200 },
          { name: 'telephone', label: 'Téléphone', type: 'phone', category: 'contact', required: true },
        ],
      },
      { name: 'besoins', label: 'Besoins particuliers liés à la santé', type: 'textarea', category: 'health', required: false, maxLength: 1000, reason: "Permet d'adapter l'accueil ou l'intervention." },
      { name: 'certificat', label: 'Certificat médical', type: 'file', category: 'health', required: i % 2 === 0, accept: ['application/pdf', 'image/jpeg'], maxBytes: 4_000_000 },
    ],
  };
}

function processing(i: number): Obj {
  const theme = pick(THEMES, i);
  const round = Math.floor(i / THEMES.length) + 1;
  const id = `traitement-${String(i + 1).padStart(4, '0')}`;
  const title = round === 1 ? theme : `${theme} (secteur ${round})`;
  const service = pick(SERVICES, i)[0];
  const recipients = [pick(RECIPIENTS, i)[0], ...(i % 3 === 0 ? [pick(RECIPIENTS, i + 3)[0]] : [])];
  const providers = ['hebergeur-applicatif', ...(i % 2 === 0 ? ['routage'] : []), ...(i % 5 === 1 ? ['editique'] : [])];
  const base: Obj = {
    id,
    title,
    purposes: [
      `Instruire les demandes : ${theme.toLowerCase()}`,
      'Informer le demandeur des suites données',
      ...(i % 2 === 0 ? ['Produire des statistiques anonymes sur le service rendu'] : []),
    ],
    subjects: ['Usagers', ...(i % 3 === 0 ? ['Membres du foyer du demandeur'] : [])],
    service,
    recipients,
    providers,
    source: 'Données fournies par la personne concernée',
    security: [
      'Chiffrement des échanges (TLS)',
      'Accès restreint aux agents habilités du service',
      'Journalisation des accès',
      ...(i % 2 === 0 ? ['Sauvegarde quotidienne chiffrée'] : []),
    ],
    transfersOutsideEU: 'none',
    automatedDecision: false,
  };
  const formId = `demarche-${String(i + 1).padStart(4, '0')}`;
  switch (i % 6) {
    case 0: {
      // Consent: a subscription form, retention from creation.
      return {
        ...base,
        legalBasis: 'consent',
        forms: [subscriptionForm(i, formId, theme)],
        withdrawal: 'Lien de désinscription dans chaque envoi, ou demande écrite au service concerné.',
        retention: { duration: 'P3Y', from: 'created', then: 'delete' },
      };
    }
    case 1: {
      // Public task: a rich form, retention from a date field, rules on the select.
      const { form, dateField, selectField, selectValues } = richForm(i, formId, theme);
      return {
        ...base,
        legalBasis: 'public-task',
        legalReference: pick(LEGAL_REFERENCES, i),
        forms: [form],
        retention: {
          duration: 'P2Y',
          from: `field:${dateField}`,
          then: 'delete',
          rules: [
            { when: { field: selectField, equals: selectValues[1]! }, duration: 'P5Y' },
            { when: { field: selectField, equals: selectValues[2]! }, duration: 'P3Y', then: 'anonymise' },
          ],
        },
      };
    }
    case 2: {
      // Legal obligation, no form: what the service holds anyway.
      return {
        ...base,
        legalBasis: 'legal-obligation',
        legalReference: pick(LEGAL_REFERENCES, i + 1),
        source: 'Données transmises par les administrations partenaires et par les personnes concernées',
        data: [
          { category: 'identification', description: 'Nom, prénoms, date et lieu de naissance' },
          { category: 'civil-status', description: 'Situation familiale et filiation' },
          { category: 'contact', description: 'Adresse postale' },
        ],
        retention: { duration: 'P10Y', from: 'event', event: 'la clôture du dossier', then: 'archive', legalObligation: 'Instruction DGP/SIAF/2014/006 relative au tri et à la conservation des archives des communes' },
      };
    }
    case 3: {
      // Public task with health data: two forms (a rich one and a health one).
      const { form } = richForm(i, formId, theme);
      return {
        ...base,
        legalBasis: 'public-task',
        art9Condition: "Article 9.2.h du RGPD : prise en charge sanitaire ou sociale, sous la responsabilité d'un professionnel soumis au secret",
        subjects: ['Usagers', 'Personnes à contacter en cas d’urgence'],
        forms: [form, healthForm(i, `${formId}-sante`, theme)],
        retention: { duration: 'P1Y', from: 'closed', then: 'delete', rules: [{ when: { field: 'nature', equals: 'urgence' }, duration: 'P5Y' }] },
      };
    }
    case 4: {
      // Legitimate interest, no form (cameras, logs).
      return {
        ...base,
        legalBasis: 'legitimate-interest',
        legitimateInterest: 'Assurer la sécurité des équipements municipaux et des personnes qui les fréquentent',
        source: 'Données produites automatiquement par les équipements',
        data: [
          { category: 'image', description: 'Images des personnes passant dans le champ des caméras' },
          { category: 'connection', description: "Journal des accès aux équipements (badge, date et heure)" },
        ],
        retention: { duration: 'P30D', from: 'created', then: 'delete' },
        providers: ['hebergeur-applicatif', 'archivage'],
      };
    }
    default: {
      // Contract: a rich form and both a date-field start and data besides the form.
      const { form, dateField } = richForm(i, formId, theme);
      return {
        ...base,
        legalBasis: 'contract',
        forms: [form],
        data: [{ category: 'economic', description: 'Factures, paiements et relances' }],
        retention: {
          duration: 'P5Y',
          from: `field:${dateField}`,
          then: 'anonymise',
          rules: [{ when: { field: 'nature', equals: 'renouvellement' }, duration: 'P10Y' }],
        },
        transfersOutsideEU: i % 12 === 5 ? 'Aucun transfert, sauf la sauvegarde de secours chiffrée hébergée en Suisse (décision d’adéquation de la Commission européenne)' : 'none',
      };
    }
  }
}

/** The register as an object (before YAML), for callers that want to change it. */
export function largeRegisterObject(processings = DEFAULT_PROCESSINGS): Obj {
  if (!Number.isInteger(processings) || processings < 1 || processings > 1000) throw new RangeError(`processings: an integer from 1 to 1000, not ${processings}`);
  const list = Array.from({ length: processings }, (_, i) => processing(i));
  // Only what the processings use: an unused service or recipient would be a warning.
  const usedServices = new Set(list.map((p) => p.service as string));
  const usedRecipients = new Set(list.flatMap((p) => p.recipients as string[]));
  const usedProviders = new Set(list.flatMap((p) => p.providers as string[]));
  return {
    tenant: {
      id: LARGE_TENANT_ID,
      name: 'Ville de Grande-Rivière',
      kind: 'commune',
      website: 'https://www.grande-riviere.example',
      origins: ['https://www.grande-riviere.example'],
    },
    controller: { ...contact('Mairie de Grande-Rivière', 'mairie@grande-riviere.example', '1 place de l’Hôtel de Ville, 99400 Grande-Rivière', '01 99 00 40 00'), representative: 'Le Maire de Grande-Rivière' },
    dpo: contact('Délégué à la protection des données de Grande-Rivière', 'dpo@grande-riviere.example', 'Délégué à la protection des données, 1 place de l’Hôtel de Ville, 99400 Grande-Rivière', '01 99 00 40 90'),
    hosting: [{ name: 'Nuage Hexagone SAS', location: 'France (Lille et Strasbourg)', certification: 'ISO/IEC 27001' }],
    providers: PROVIDERS.filter((p) => usedProviders.has(p.id) || ('incidentAccess' in p && p.incidentAccess)).map((p) => ({ ...p })),
    services: SERVICES.filter(([id]) => usedServices.has(id)).map(([id, name]) => ({ id, name })),
    recipients: RECIPIENTS.filter(([id]) => usedRecipients.has(id)).map(([id, name]) => ({ id, name })),
    processings: list,
    cookies: [
      { name: 'bastide_session', category: 'essential', purpose: 'Maintien de la connexion et protection des formulaires', lifetime: 'session' },
      { name: 'bastide_consent', category: 'essential', purpose: 'Mémorisation de vos choix concernant les cookies', lifetime: 'P6M' },
    ],
    embeds: [{ id: 'video', name: 'Vidéos du conseil municipal', category: 'video', provider: 'Hébergeur vidéo fictif', privacyUrl: 'https://video.example/confidentialite' }],
  };
}

/** A valid register YAML of a fictional commune with `processings` processings. */
export function largeRegisterYaml(processings = DEFAULT_PROCESSINGS): string {
  return `# Registre FICTIF généré par bench/large-register.ts (${processings} traitements), pour les mesures de performance.\n${stringify(largeRegisterObject(processings), { lineWidth: 0 })}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = process.argv[2];
  const n = arg === undefined ? DEFAULT_PROCESSINGS : Number(arg);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    process.stderr.write('usage: node --import tsx bench/large-register.ts [N processings, 1 to 1000; 200 by default]\n');
    process.exit(2);
  }
  const yaml = largeRegisterYaml(n);
  const parsed = parseRegister(new TextEncoder().encode(yaml));
  const problems = parsed.ok ? parsed.warnings : parsed.problems;
  if (problems.length > 0) {
    process.stderr.write(`${problems.map(formatProblem).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(yaml);
}
