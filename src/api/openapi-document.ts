/**
 * The OpenAPI 3.1 description of the JSON API, written by hand next to the
 * routes it describes (notice, submissions, records, journal, rights
 * requests, consent proofs and audience hits). A test checks that every route listed here answers.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);

const tenant = { name: 'tenant', in: 'path', required: true, description: 'Identifiant de la collectivité (celui de son registre), par exemple `val-fleuri`.', schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' } };
const recordId = { name: 'id', in: 'path', required: true, description: 'Identifiant de la demande (uuid). Un identifiant mal formé donne 404.', schema: { type: 'string' } };

const bearer = [{ bearer: [] }];
const unauthorized = {
  description: 'Jeton absent, mal formé, inconnu, expiré, révoqué, ou d’une autre collectivité. En-tête `WWW-Authenticate: Bearer`.',
  headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: '`Bearer realm="…"`, avec `error="invalid_token"` pour un jeton refusé' } },
  content: { 'application/json': { schema: ref('Error') } },
};
const hidden = error('Demande introuvable : elle n’existe pas, ou le compte n’a pas à la voir (autre service, autre collectivité). Jamais 403, pour ne pas révéler son existence.');

export const openapiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Bastide : API des téléservices',
    version: '1',
    description:
      'API JSON d’une plateforme Bastide. Le dépôt de demandes et la politique de données personnelles sont publics ; ' +
      'la lecture des demandes est réservée aux agents des services concernés (jeton Bearer créé par `bastide token create`), ' +
      'chaque lecture de données personnelles est inscrite au journal des accès. Messages d’erreur en français.',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'public', description: 'Sans authentification' },
    { name: 'agents', description: 'Comptes du back-office, jeton Bearer' },
    { name: 'dpo', description: 'Délégué à la protection des données, jeton Bearer' },
    { name: 'droits', description: 'Demandes d’exercice des droits : dépôt public, traitement par le délégué' },
  ],
  paths: {
    '/api/v1/{tenant}/notice': {
      get: {
        tags: ['public'],
        summary: 'La politique de données personnelles en JSON',
        parameters: [tenant, { name: 'version', in: 'query', required: false, description: 'Une version antérieure.', schema: { type: 'integer', minimum: 1 } }],
        responses: {
          '200': json(ref('Notice'), 'La politique générée depuis le registre en vigueur (ou la version demandée).'),
          '304': { description: 'Inchangée (If-None-Match).' },
          '404': error('Collectivité ou version inconnue.'),
        },
      },
    },
    '/api/v1/{tenant}/tracking/{code}': {
      get: {
        tags: ['public'],
        summary: 'Suit une demande avec son numéro de suivi, sans compte',
        description: 'Ne renvoie aucune donnée personnelle : le titre de la démarche, le statut et deux dates. Limité par adresse IP (429).',
        parameters: [tenant, { name: 'code', in: 'path', required: true, description: 'Le numéro de suivi, par exemple K7QM-3XTP-9WZD (casse et tirets indifférents).', schema: { type: 'string' } }],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['form', 'status', 'submittedAt', 'updatedAt'],
              properties: {
                form: { type: 'string', description: 'Titre de la démarche' },
                status: { type: 'string', enum: ['received', 'in-progress', 'done', 'rejected'] },
                submittedAt: { type: 'string', format: 'date-time' },
                updatedAt: { type: 'string', format: 'date-time' },
              },
            },
            'Le statut de la demande.',
          ),
          '404': error('Numéro de suivi inconnu, ou collectivité inconnue.'),
          '429': error('Trop de requêtes.'),
        },
      },
    },
    '/api/v1/{tenant}/forms/{formId}/submissions': {
      post: {
        tags: ['public'],
        summary: 'Dépose une demande',
        description:
          'Les champs sont ceux du formulaire déclaré au registre ; tout champ non déclaré est refusé. Les fichiers sont des objets `{filename, contentBase64}`. ' +
          'Les groupes répétables sont des listes d’objets. Limité par adresse IP (429).',
        parameters: [
          tenant,
          { name: 'formId', in: 'path', required: true, schema: { type: 'string' } },
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Une demande, un dépôt : la même clé envoyée deux fois donne 409 la seconde fois. 200 caractères au plus.',
            schema: { type: 'string', maxLength: 200 },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['data'],
                additionalProperties: false,
                properties: { data: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, ref('FileUpload'), { type: 'array', items: { type: 'object' } }] } } },
              },
              example: { data: { nom: 'Martin', prenom: 'Claire', courriel: 'claire.martin@example.fr', objet: 'voirie', message: 'Bonjour…' } },
            },
          },
        },
        responses: {
          '201': json(ref('SubmissionCreated'), 'Demande enregistrée ; accusé de réception envoyé par courriel si une adresse a été donnée.'),
          '400': json(ref('FieldErrors'), 'Champs invalides ou non déclarés, tous à la fois, messages en français.'),
          '404': error('Collectivité ou formulaire inconnu.'),
          '409': error('Même Idempotency-Key déjà reçue.'),
          '429': error('Trop de dépôts depuis cette adresse.'),
        },
      },
    },
    '/api/v1/{tenant}/records': {
      get: {
        tags: ['agents'],
        summary: 'Les demandes des services de l’agent',
        description: 'Seulement celles des services dont le compte est agent, du plus récent au plus ancien. Des métadonnées sans donnée personnelle : pas d’inscription au journal.',
        security: bearer,
        parameters: [
          tenant,
          { name: 'status', in: 'query', required: false, schema: ref('Status') },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: {
          '200': json({ type: 'array', items: ref('RecordSummary') }, 'Les demandes visibles par le compte.'),
          '400': error('Paramètre invalide.'),
          '401': unauthorized,
          '404': error('Collectivité inconnue.'),
        },
      },
    },
    '/api/v1/{tenant}/records/{id}': {
      get: {
        tags: ['agents'],
        summary: 'Une demande avec ses données, déchiffrées',
        description: 'Lecture inscrite au journal des accès (qui, quand, quelle demande, pour quelle finalité). Les valeurs sont renvoyées telles que saisies, comme données JSON.',
        security: bearer,
        parameters: [tenant, recordId],
        responses: { '200': json(ref('RecordDetail'), 'La demande.'), '401': unauthorized, '404': hidden },
      },
      patch: {
        tags: ['agents'],
        summary: 'Change le statut d’une demande',
        description: 'Passer à `done` ou `rejected` date la clôture (`closedAt`) ; revenir à `received` ou `in-progress` l’efface. La date de fin de conservation est recalculée selon le registre en vigueur.',
        security: bearer,
        parameters: [tenant, recordId],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: ref('Status') } } } } },
        responses: { '200': json(ref('StatusChange'), 'Le nouveau statut.'), '400': error('Statut invalide (message en français).'), '401': unauthorized, '404': hidden },
      },
    },
    '/api/v1/{tenant}/records/{id}/files/{fileId}': {
      get: {
        tags: ['agents'],
        summary: 'Télécharge un fichier joint à une demande',
        description: 'Téléchargement inscrit au journal des accès (action `download`). Toujours en pièce jointe (`Content-Disposition: attachment`).',
        security: bearer,
        parameters: [tenant, recordId, { name: 'fileId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'Le fichier, avec son type vérifié au dépôt.', content: { 'application/octet-stream': { schema: { type: 'string', contentEncoding: 'binary' } } } },
          '401': unauthorized,
          '404': error('Fichier introuvable ou non visible par le compte.'),
        },
      },
    },
    '/api/v1/{tenant}/records/{id}/journal': {
      get: {
        tags: ['dpo'],
        summary: 'Qui a lu une demande',
        description: 'Réservé au DPO, qui lit le journal mais pas la demande. Tout autre compte reçoit 404.',
        security: bearer,
        parameters: [tenant, recordId],
        responses: { '200': json({ type: 'array', items: ref('JournalRow') }, 'Les lignes du journal pour cette demande, de la plus ancienne à la plus récente.'), '401': unauthorized, '404': error('Introuvable.') },
      },
    },
    '/api/v1/{tenant}/rights-requests': {
      post: {
        tags: ['droits'],
        summary: 'Dépose une demande d’exercice des droits',
        description:
          'Types `access`, `rectification` (avec `details`), `erasure`, `restriction`, `objection`, `portability`. `scope` : un numéro de suivi ou l’identifiant d’un traitement. La réponse est la même que la personne ait des données ou non ; un lien de confirmation, à usage unique, part vers l’adresse : le délai d’un mois court de cette confirmation (`dueAt` est la date si elle a lieu aujourd’hui). Limité par adresse cliente et par adresse électronique.',
        parameters: [tenant],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['type', 'email'], properties: { type: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' }, details: { type: 'string' }, scope: { type: 'string' } } } } },
        },
        responses: {
          '201': json({ type: 'object', required: ['id', 'dueAt'], properties: { id: { type: 'string', format: 'uuid' }, dueAt: { type: 'string', format: 'date-time' }, state: { type: 'string' }, message: { type: 'string' } } }, 'Demande reçue, en attente de confirmation.'),
          '400': json(ref('FieldErrors'), 'Champs invalides (messages en français).'),
          '404': error('Collectivité inconnue, ou qui ne reçoit pas de demandes en ligne.'),
          '429': json(ref('FieldErrors'), 'Trop de demandes depuis cette adresse, ou en attente de confirmation pour cette adresse électronique.'),
        },
      },
      get: {
        tags: ['droits'],
        summary: 'La file des demandes (délégué) : à traiter par échéance, en retard d’abord',
        security: bearer,
        parameters: [tenant, { name: 'state', in: 'query', required: false, description: '`all` pour inclure les demandes traitées.', schema: { type: 'string', enum: ['all'] } }],
        responses: { '200': json({ type: 'object' }, 'Comptes par état et demandes, sans donnée personnelle.'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Introuvable.') },
      },
    },
    '/api/v1/{tenant}/rights-requests/{id}/verify': {
      post: {
        tags: ['droits'],
        summary: 'Vérifie l’identité du demandeur (délégué), avec un motif écrit',
        security: bearer,
        parameters: [tenant, { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string', minLength: 10 } } } } } },
        responses: { '200': json({ type: 'object' }, 'Fait.'), '400': error('Motif ou valeur invalide (message en français).'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Demande introuvable.'), '409': error('Étape impossible dans l’état de la demande.') },
      },
    },
    '/api/v1/{tenant}/rights-requests/{id}/extend': {
      post: {
        tags: ['droits'],
        summary: 'Prolonge le délai une fois, d’un ou deux mois, avec un motif envoyé à la personne',
        security: bearer,
        parameters: [tenant, { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { months: { type: 'integer', minimum: 1, maximum: 2 }, reason: { type: 'string', minLength: 10 } } } } } },
        responses: { '200': json({ type: 'object' }, 'Fait.'), '400': error('Motif ou valeur invalide (message en français).'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Demande introuvable.'), '409': error('Étape impossible dans l’état de la demande.') },
      },
    },
    '/api/v1/{tenant}/rights-requests/{id}/fulfil': {
      post: {
        tags: ['droits'],
        summary: 'Traite la demande et répond à l’adresse vérifiée : accès `{subject, records}`, effacement et opposition `{erased, kept: [{id, reason}]}`, limitation `{frozen}`, rectification `{rectified}`',
        security: bearer,
        parameters: [tenant, { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { changes: { type: 'array' }, reason: { type: 'string' }, grounds: { type: 'string' }, alsoErase: { type: 'array', items: { type: 'string', format: 'uuid' } } } } } } },
        responses: { '200': json({ type: 'object' }, 'Fait.'), '400': error('Motif ou valeur invalide (message en français).'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Demande introuvable.'), '409': error('Étape impossible dans l’état de la demande.') },
      },
    },
    '/api/v1/{tenant}/rights-requests/{id}/lift': {
      post: {
        tags: ['droits'],
        summary: 'Lève une limitation et en informe la personne',
        security: bearer,
        parameters: [tenant, { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: { '200': json({ type: 'object' }, 'Fait.'), '400': error('Motif ou valeur invalide (message en français).'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Demande introuvable.'), '409': error('Étape impossible dans l’état de la demande.') },
      },
    },
    '/api/v1/{tenant}/rights-requests/{id}/notifications': {
      post: {
        tags: ['droits'],
        summary: 'Enregistre l’information d’un destinataire des données rectifiées, effacées ou limitées (article 19 du RGPD), une fois par destinataire',
        security: bearer,
        parameters: [tenant, { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['recipient', 'what'], properties: { recipient: { type: 'string', description: 'Identifiant du destinataire au registre (`recipients`).' }, what: { type: 'string', minLength: 10, description: 'Ce qui lui a été transmis, quand et comment ; chiffré avec la demande.' } } } } } },
        responses: { '200': json({ type: 'object' }, 'Enregistré : `{id, recipient, notifiedAt, pending}`.'), '400': error('Destinataire inconnu de cette demande, ou texte manquant.'), '401': unauthorized, '403': error('Réservé au délégué à la protection des données.'), '404': error('Demande introuvable.'), '409': error('Destinataire déjà informé, ou demande sans destinataire à informer.') },
      },
    },
    '/api/v1/{tenant}/consent': {
      post: {
        tags: ['public'],
        summary: 'Enregistre la preuve d’un choix en matière de cookies et de contenus tiers',
        description:
          'Envoyé par consent.js (bandeau, panneau, bouton d’un contenu). `choices` : pour chaque service (`youtube`…), catégorie (`video`…) ou pour `audience`, true (autoriser) ou false (refuser) ; une catégorie vaut pour ses services, sauf service nommé ; un service non nommé reste refusé, la mesure d’audience exemptée reste active sauf opposition. ' +
          '`consentId` (uuid) garde l’identifiant d’un choix précédent ; `textHash` (empreinte SHA-256 des textes affichés, obligatoire hors `source: api`) doit être celle des textes en vigueur ; la preuve note la version du registre en vigueur. ' +
          'La preuve ne contient ni adresse IP ni rien sur la personne. Les sites de la collectivité listés dans `tenant.origins` peuvent l’envoyer (CORS) ; tout autre site reçoit 403 et rien n’est enregistré. Limité par adresse cliente.',
        parameters: [tenant],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['choices'],
                properties: {
                  choices: { type: 'object', additionalProperties: { type: 'boolean' } },
                  consentId: { type: 'string', format: 'uuid' },
                  version: { type: 'integer' },
                  textHash: { type: 'string' },
                  lang: { type: 'string', enum: ['fr', 'en'] },
                  source: { type: 'string', enum: ['banner', 'panel', 'embed', 'api'] },
                },
              },
            },
          },
        },
        responses: {
          '201': json(
            {
              type: 'object',
              required: ['consentId', 'choices', 'cookie', 'expiresAt'],
              properties: {
                consentId: { type: 'string', format: 'uuid' },
                choices: { type: 'object', additionalProperties: { type: 'boolean' } },
                cookie: { type: 'string', description: 'Valeur signée du cookie `bastide_consent` (six mois).' },
                expiresAt: { type: 'string', format: 'date-time' },
              },
            },
            'Preuve enregistrée.',
          ),
          '400': json(ref('FieldErrors'), 'Service inconnu, valeur qui n’est pas un booléen, version ou texte qui n’est pas celui affiché (messages en français).'),
          '403': error('Site non déclaré par la collectivité (`tenant.origins`) : rien n’est enregistré.'),
          '404': error('Collectivité inconnue.'),
          '429': json(ref('FieldErrors'), 'Trop de choix envoyés depuis cette adresse.'),
        },
      },
    },
    '/api/v1/{tenant}/hit': {
      post: {
        tags: ['public'],
        summary: 'Une page vue, pour la mesure d’audience exemptée de consentement',
        description:
          'Envoyé par consent.js avec `navigator.sendBeacon`, en `text/plain` (JSON dans le corps) ou `application/json`. Une page de la collectivité, sur la plateforme ou sur un site listé dans `tenant.origins`, venant de ce même site. ' +
          'Seuls le chemin (sans paramètres ni fragment, identifiants remplacés), l’hôte d’un site de provenance extérieur, l’étape d’une démarche et une empreinte du jour de `vid` sont gardés ; l’adresse IP est tronquée dès réception et jamais enregistrée. ' +
          '204 aussi pour ce qui n’est pas compté (autre site, Global Privacy Control ou Do Not Track, identifiant altéré, trop d’envois) ; l’en-tête `x-bastide-hit` dit `counted` ou `ignored; <raison>`.',
        parameters: [tenant],
        requestBody: {
          required: true,
          content: {
            'text/plain': { schema: { type: 'string', description: 'Le même objet JSON que pour application/json.' } },
            'application/json': {
              schema: {
                type: 'object',
                required: ['url'],
                properties: {
                  url: { type: 'string', maxLength: 2048 },
                  referrer: { type: 'string' },
                  vid: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' },
                  first: { type: 'boolean' },
                  event: { type: 'string', enum: ['form-viewed', 'form-submitted'] },
                  form: { type: 'string' },
                },
              },
            },
          },
        },
        responses: {
          '204': { description: 'Comptée, ou écartée sans erreur, y compris un corps qui n’est pas une page vue (voir `x-bastide-hit`).', headers: { 'x-bastide-hit': { schema: { type: 'string' } } } },
          '404': error('Collectivité inconnue.'),
          '413': error('Corps trop volumineux.'),
        },
      },
    },
    '/api/v1/{tenant}/consent/{consentId}': {
      get: {
        tags: ['dpo'],
        summary: 'Les preuves d’un identifiant de consentement',
        description:
          'Réservé au délégué à la protection des données. Chaque choix fait sous cet identifiant (celui que le visiteur lit sur la page « Gestion des cookies »), du plus ancien au plus récent. ' +
          'Une preuve ne contient rien sur la personne : sa lecture n’est pas inscrite au journal des accès.',
        security: bearer,
        parameters: [tenant, { name: 'consentId', in: 'path', required: true, description: 'Identifiant de consentement (uuid). Un identifiant mal formé donne 404.', schema: { type: 'string' } }],
        responses: {
          '200': json(ref('ConsentProofs'), 'Les preuves, de la plus ancienne à la plus récente.'),
          '401': unauthorized,
          '403': error('Réservé au délégué à la protection des données.'),
          '404': error('Aucune preuve pour cet identifiant (inconnu, mal formé, ou d’une autre collectivité), ou collectivité inconnue.'),
        },
      },
    },
    '/api/v1/{tenant}/journal': {
      get: {
        tags: ['dpo'],
        summary: 'Le journal des accès, éventuellement pour un seul compte',
        security: bearer,
        parameters: [
          tenant,
          { name: 'agent', in: 'query', required: false, description: 'Identifiant (uuid) du compte lecteur.', schema: { type: 'string', format: 'uuid' } },
          { name: 'after', in: 'query', required: false, description: 'Page suivante : lignes après ce numéro (1000 par page).', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': json({ type: 'array', items: ref('JournalRow') }, 'Lignes du journal.'), '400': error('Paramètre invalide.'), '401': unauthorized, '404': error('Introuvable.') },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'Jeton créé par `bastide token create --tenant T --email E [--ttl P1D]`, valable pour cette seule collectivité.' },
    },
    schemas: {
      Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string', description: 'Identifiant stable' }, message: { type: 'string', description: 'Message en français' } } },
      FieldErrors: {
        type: 'object',
        required: ['errors'],
        properties: { errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string', examples: ['enfants[1].dateNaissance'] }, message: { type: 'string' } } } } },
      },
      FileUpload: { type: 'object', required: ['contentBase64'], additionalProperties: false, properties: { filename: { type: 'string' }, contentBase64: { type: 'string', contentEncoding: 'base64' } } },
      SubmissionCreated: {
        type: 'object',
        required: ['id', 'receipt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          receipt: {
            type: 'object',
            required: ['trackingCode', 'trackingUrl', 'submittedAt', 'form', 'emailSent'],
            properties: {
              trackingCode: { type: 'string', examples: ['7KQ2-M9XD-3HTP'] },
              trackingUrl: { type: 'string', format: 'uri' },
              submittedAt: { type: 'string', format: 'date-time' },
              form: { type: 'string', description: 'Titre du formulaire' },
              emailSent: { type: 'boolean', description: 'Un accusé de réception part par courriel' },
            },
          },
        },
      },
      Status: { type: 'string', enum: ['received', 'in-progress', 'done', 'rejected'] },
      RecordSummary: {
        type: 'object',
        required: ['id', 'formId', 'processingId', 'serviceId', 'status', 'createdAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          formId: { type: 'string' },
          processingId: { type: 'string' },
          serviceId: { type: 'string' },
          status: ref('Status'),
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      RecordDetail: {
        allOf: [
          ref('RecordSummary'),
          {
            type: 'object',
            required: ['registerVersion', 'updatedAt', 'closedAt', 'expiresAt', 'data', 'files'],
            properties: {
              registerVersion: { type: 'integer' },
              updatedAt: { type: 'string', format: 'date-time' },
              closedAt: { type: ['string', 'null'], format: 'date-time' },
              expiresAt: { type: ['string', 'null'], format: 'date-time', description: 'Fin de la durée de conservation ; null tant que son point de départ (clôture, événement) n’est pas connu' },
              data: { type: 'object', description: 'Les valeurs par nom de champ (groupes : listes d’objets), champs chiffrés compris ; un fichier y figure comme `{upload, type, size}`.' },
              files: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'field', 'filename', 'mediaType', 'size', 'url'],
                  properties: { id: { type: 'string' }, field: { type: 'string' }, filename: { type: 'string' }, mediaType: { type: 'string' }, size: { type: 'integer' }, url: { type: 'string' } },
                },
              },
            },
          },
        ],
      },
      StatusChange: {
        type: 'object',
        required: ['id', 'status', 'updatedAt', 'closedAt', 'expiresAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          status: ref('Status'),
          updatedAt: { type: 'string', format: 'date-time' },
          closedAt: { type: ['string', 'null'], format: 'date-time' },
          expiresAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      JournalRow: {
        type: 'object',
        required: ['seq', 'at', 'actorId', 'actor', 'action', 'recordId', 'purpose'],
        properties: {
          seq: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          actorId: { type: ['string', 'null'] },
          actor: { type: 'string', description: 'Adresse électronique du compte lecteur' },
          action: { type: 'string', enum: ['read', 'download', 'export', 'list'] },
          recordId: { type: ['string', 'null'] },
          purpose: { type: 'string' },
        },
      },
      ConsentProofs: {
        type: 'object',
        required: ['consentId', 'proofs'],
        properties: {
          consentId: { type: 'string', format: 'uuid' },
          proofs: {
            type: 'array',
            items: {
              type: 'object',
              required: ['at', 'choices', 'registerVersion', 'configHash', 'textHash', 'textMatches', 'lang', 'source', 'site'],
              properties: {
                at: { type: 'string', format: 'date-time' },
                choices: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'Par service (`id` de `embeds`) et pour `audience` : autorisé (true) ou refusé (false).' },
                registerVersion: { type: 'integer' },
                configHash: { type: 'string', description: 'Empreinte des cookies et contenus tiers de la version' },
                textHash: { type: ['string', 'null'], description: 'SHA-256 des textes présentés ; null pour un choix envoyé par l’API sans texte de la plateforme' },
                textMatches: { type: ['boolean', 'null'], description: 'Si `textHash` est celui des textes que la version présente aujourd’hui dans cette langue ; null sans `textHash`' },
                lang: { type: 'string', enum: ['fr', 'en'] },
                source: { type: 'string', enum: ['banner', 'panel', 'page', 'embed', 'api'] },
                site: { type: 'string', description: 'Origine du site de la collectivité où le choix a été fait' },
              },
            },
          },
        },
      },
      Notice: {
        type: 'object',
        required: ['tenant', 'version', 'publishedAt', 'controller', 'dpo', 'processings', 'cookies', 'embeds'],
        properties: {
          tenant: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, website: { type: 'string' } } },
          version: { type: 'integer' },
          publishedAt: { type: 'string', format: 'date-time' },
          hash: { type: 'string' },
          controller: ref('Contact'),
          dpo: ref('Contact'),
          howToExercise: { type: 'object' },
          processings: {
            type: 'array',
            items: {
              type: 'object',
              description: 'Un traitement et chaque élément de la liste de transparence (articles 13 et 14 du RGPD).',
              properties: {
                id: { type: 'string' },
                title: { type: 'string' },
                controller: { type: 'string' },
                purposes: { type: 'array', items: { type: 'string' } },
                legalBasis: { type: 'object' },
                specialCategoryCondition: { type: ['string', 'null'] },
                data: { type: 'object' },
                source: { type: 'string' },
                subjects: { type: 'array', items: { type: 'string' } },
                recipients: { type: 'object' },
                retention: { type: 'object' },
                security: { type: 'array', items: { type: 'string' } },
                transfersOutsideEU: { type: 'object' },
                automatedDecision: { type: 'object' },
                rights: { type: 'array', items: { type: 'object' } },
                forms: { type: 'array', items: { type: 'object' } },
              },
            },
          },
          collections: { type: 'array', items: { type: 'object' } },
          cookies: { type: 'array', items: { type: 'object' } },
          embeds: { type: 'array', items: { type: 'object' } },
          hosting: { type: 'array', items: { type: 'object' } },
          providers: { type: 'array', items: { type: 'object' } },
        },
      },
      Contact: {
        type: 'object',
        required: ['name', 'email'],
        properties: { name: { type: 'string' }, representative: { type: 'string' }, email: { type: 'string' }, postal: { type: 'string' }, phone: { type: 'string' }, url: { type: 'string' } },
      },
    },
  },
} as const;
