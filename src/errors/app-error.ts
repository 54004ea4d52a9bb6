/**
 * The error catalogue: each error a user can meet has a stable id, an HTTP
 * status, a French message, and whether it is worth reporting to operators.
 */
export const ERRORS = {
  'tenant-not-found': { status: 404, title: 'Collectivité introuvable', message: 'Cette collectivité n’existe pas sur cette plateforme.', report: false },
  'page-not-found': { status: 404, title: 'Page introuvable', message: 'La page demandée n’existe pas.', report: false },
  'version-not-found': { status: 404, title: 'Version introuvable', message: 'Cette version de la politique de données personnelles n’existe pas.', report: false },
  'form-not-found': { status: 404, title: 'Démarche introuvable', message: 'Cette démarche n’existe pas pour cette collectivité.', report: false },
  'draft-not-found': { status: 404, title: 'Brouillon introuvable', message: 'Ce lien de brouillon n’existe pas ou a expiré : un brouillon est supprimé automatiquement au terme de sa durée de conservation.', report: false },
  'record-not-found': { status: 404, title: 'Demande introuvable', message: 'Cette demande n’existe pas.', report: false },
  'file-not-found': { status: 404, title: 'Fichier introuvable', message: 'Ce fichier n’existe pas.', report: false },
  unauthenticated: { status: 401, title: 'Authentification requise', message: 'Un jeton d’accès valide est requis (en-tête Authorization: Bearer …).', report: false },
  'invalid-token': { status: 401, title: 'Jeton refusé', message: 'Ce jeton d’accès est inconnu, expiré ou révoqué pour cette collectivité.', report: false },
  'record-restricted': { status: 409, title: 'Demande limitée', message: 'Le traitement de cette demande est limité (RGPD, article 18) : elle est conservée telle quelle et son statut ne peut pas changer tant que la limitation dure.', report: false },
  'invalid-status': { status: 400, title: 'Statut invalide', message: 'Le corps doit être {"status": …} avec l’un des statuts received, in-progress, done ou rejected.', report: false },
  'bad-request': { status: 400, title: 'Requête invalide', message: 'La requête est invalide.', report: false },
  'misdirected-request': { status: 421, title: 'Adresse inattendue', message: 'Cette plateforme ne répond pas à cette adresse : utilisez l’adresse publique de la collectivité.', report: false },
  'idempotency-key-invalid': { status: 400, title: 'Clé d’idempotence invalide', message: 'L’en-tête Idempotency-Key doit compter de 1 à 200 caractères visibles (lettres, chiffres, ponctuation).', report: false },
  'idempotency-key-reused': { status: 422, title: 'Clé d’idempotence déjà utilisée', message: 'Cette Idempotency-Key a déjà servi pour une autre demande : choisissez une nouvelle clé pour chaque demande.', report: false },
  // Refused by Fastify or Node before any route: the same catalogue, so that nothing answers in English.
  'bad-url': { status: 400, title: 'Adresse invalide', message: 'Cette adresse est mal formée : vérifiez le lien, ou retapez l’adresse.', report: false },
  'uri-too-long': { status: 414, title: 'Adresse trop longue', message: 'Cette adresse est trop longue pour être traitée : vérifiez le lien.', report: false },
  'headers-too-large': { status: 431, title: 'Requête trop volumineuse', message: 'Les en-têtes de la requête sont trop volumineux : supprimez les cookies de ce site dans votre navigateur, puis réessayez.', report: false },
  'payload-too-large': { status: 413, title: 'Envoi trop volumineux', message: 'Les données envoyées dépassent la taille autorisée.', report: false },
  'unsupported-media-type': { status: 415, title: 'Format non pris en charge', message: 'Le format des données envoyées (en-tête Content-Type) n’est pas pris en charge ici.', report: false },
  'request-timeout': { status: 408, title: 'Délai dépassé', message: 'La requête n’est pas arrivée complète à temps : réessayez.', report: false },
  'service-unavailable': { status: 503, title: 'Service momentanément indisponible', message: 'Le service redémarre : réessayez dans un instant.', report: false },
  'csrf-refused': { status: 403, title: 'Formulaire expiré', message: 'Ce formulaire a expiré ou ne vient pas de cette page : revenez à la page précédente, rechargez-la et recommencez.', report: false },
  'forbidden-role': { status: 403, title: 'Accès réservé', message: 'Cette page est réservée à un autre rôle que le vôtre.', report: false },
  'export-too-large': { status: 413, title: 'Export trop volumineux', message: 'Cette liste compte trop de demandes pour un seul export : resserrez les filtres (démarche, statut, dates).', report: false },
  'too-many-requests': { status: 429, title: 'Trop de requêtes', message: 'Trop de requêtes : réessayez dans un instant.', report: false },
  'rights-desk-not-offered': { status: 404, title: 'Demande de droits en ligne indisponible', message: 'Cette collectivité ne reçoit pas encore les demandes d’exercice des droits en ligne : écrivez à son délégué à la protection des données (adresse sur la page « Exercer mes droits »).', report: false },
  'rights-request-not-found': { status: 404, title: 'Demande introuvable', message: 'Cette demande d’exercice des droits n’existe pas.', report: false },
  'rights-request-state': { status: 409, title: 'Étape impossible', message: 'Cette étape n’est pas possible dans l’état actuel de la demande.', report: false },
  internal: { status: 500, title: 'Erreur du serveur', message: 'Une erreur inattendue est survenue. Réessayez plus tard ; si elle persiste, contactez la collectivité.', report: true },
} as const;

export type ErrorId = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly id: ErrorId,
    message?: string,
  ) {
    super(message ?? ERRORS[id].message);
    this.status = ERRORS[id].status;
  }
}
