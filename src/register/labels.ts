/** French words for the register's vocabularies, as the public reads them. */
import type { CookieCategory, DataCategory } from './vocabulary.ts';

export const CATEGORY_LABELS: Record<DataCategory, string> = {
  identification: "Données d'identification",
  contact: 'Coordonnées',
  'civil-status': "Données d'état civil",
  family: 'Situation familiale',
  economic: 'Données économiques et financières',
  professional: 'Vie professionnelle',
  school: 'Scolarité',
  location: 'Données de localisation',
  image: 'Images',
  request: 'Contenu de votre demande',
  connection: 'Données de connexion',
  lifestyle: 'Habitudes de vie',
  health: 'Données de santé (catégorie particulière, article 9 du RGPD)',
};

export const COOKIE_CATEGORY_LABELS: Record<CookieCategory, string> = {
  essential: 'Nécessaire au fonctionnement (exempté de consentement)',
  'audience-exempt': "Mesure d'audience anonyme (exemptée de consentement)",
  audience: "Mesure d'audience (soumise à consentement)",
  personalisation: 'Personnalisation (soumise à consentement)',
  social: 'Réseaux sociaux (soumis à consentement)',
  video: 'Vidéos (soumises à consentement)',
  advertising: 'Publicité (soumise à consentement)',
};

export const CONSENT_EXEMPT_COOKIES: readonly CookieCategory[] = ['essential', 'audience-exempt'];

export const EMBED_CATEGORY_LABELS: Record<string, string> = {
  video: 'Vidéo',
  social: 'Réseau social',
  map: 'Carte',
  other: 'Contenu tiers',
};

export const TENANT_KIND_LABELS: Record<string, string> = {
  commune: 'Commune',
  intercommunalite: 'Intercommunalité',
  departement: 'Département',
  region: 'Région',
  autre: 'Collectivité',
};
