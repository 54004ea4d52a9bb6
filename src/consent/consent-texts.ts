/**
 * Every word the consent manager shows, in French and English. The banner,
 * the panel, the placeholders and the cookies page all read them from here,
 * and a proof of consent stores the hash of the exact set shown
 * (`consentTextHash`): changing a word here changes the hash.
 */
export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

export interface ConsentTexts {
  bannerTitle: string;
  /** What needs consent and what happens without it. */
  bannerText: string;
  /** Said only where the register declares the exempt audience measurement. */
  bannerAudience: string;
  acceptAll: string;
  refuseAll: string;
  customise: string;
  /** The banner's close button: closing means refusing. */
  close: string;
  panelTitle: string;
  panelIntro: string;
  save: string;
  closePanel: string;
  allow: string;
  refuse: string;
  /** A category's box in the panel: "Tout autoriser : Vidéos". */
  categoryAll: string;
  /** Heading of the audience choice, and what it is. */
  audienceLegend: string;
  audienceLabel: string;
  /** A placeholder: `{name}` the provider's service, `{provider}` the company. */
  placeholderText: string;
  placeholderAllow: string;
  placeholderOpen: string;
  /** `{title}` the content's title. */
  placeholderTitle: string;
  saved: string;
  noticeLink: string;
  /** The cookies page (without JavaScript): its title, its sentences, its audience pair, the one-step confirmation. */
  pageTitle: string;
  pageNoEmbeds: string;
  pageAudience: string;
  audienceAccept: string;
  audienceOppose: string;
  confirmTitle: string;
  confirmBack: string;
  allChoices: string;
  categories: Record<string, string>;
}

export const TEXTS: Record<Lang, ConsentTexts> = {
  fr: {
    bannerTitle: 'Cookies et contenus tiers',
    bannerText:
      'Ce site peut afficher des contenus hébergés par d’autres services (vidéos, réseaux sociaux, cartes), qui déposent leurs propres cookies. Ils ne se chargent que si vous l’acceptez ; refuser ne vous empêche pas d’utiliser le site.',
    bannerAudience: 'Une mesure d’audience anonyme, exemptée de consentement, reste active : vous pouvez vous y opposer en personnalisant vos choix.',
    acceptAll: 'Tout accepter',
    refuseAll: 'Tout refuser',
    customise: 'Personnaliser',
    close: 'Continuer sans accepter',
    panelTitle: 'Gestion des cookies et contenus tiers',
    panelIntro: 'Choisissez, service par service, ce que vous autorisez. Vous pouvez changer d’avis à tout moment depuis le lien « Gestion des cookies » en bas de chaque page.',
    save: 'Enregistrer mes choix',
    closePanel: 'Fermer sans enregistrer',
    allow: 'Autoriser',
    refuse: 'Refuser',
    categoryAll: 'Tout autoriser',
    audienceLegend: 'Mesure d’audience',
    audienceLabel: 'Accepter la mesure d’audience anonyme, réalisée par le site lui-même (exemptée de consentement)',
    placeholderText: 'Ce contenu est hébergé par {name} ({provider}). L’afficher dépose des cookies de {name} et lui transmet votre adresse IP.',
    placeholderAllow: 'Autoriser {name} et afficher le contenu',
    placeholderOpen: 'Voir sur le site de {name}',
    placeholderTitle: 'Contenu de {name} : {title}',
    saved: 'Vos choix sont enregistrés.',
    noticeLink: 'Données personnelles',
    pageTitle: 'Gestion des cookies',
    pageNoEmbeds: 'Ce site n’affiche aucun contenu hébergé par un autre service : aucun choix n’est nécessaire pour l’utiliser.',
    pageAudience: 'Une mesure d’audience anonyme, exemptée de consentement, reste active : vous pouvez vous y opposer ci-dessous.',
    audienceAccept: 'Accepter la mesure d’audience anonyme',
    audienceOppose: 'M’opposer à la mesure d’audience',
    confirmTitle: 'Autoriser {name} ?',
    confirmBack: 'Revenir sans autoriser {name}',
    allChoices: 'Tous vos choix',
    categories: { video: 'Vidéos', social: 'Réseaux sociaux', map: 'Cartes', other: 'Autres contenus tiers' },
  },
  en: {
    bannerTitle: 'Cookies and third-party content',
    bannerText:
      'This site may show content hosted by other services (videos, social networks, maps), which set their own cookies. They load only if you accept; refusing does not stop you from using the site.',
    bannerAudience: 'An anonymous audience measurement, exempt from consent, stays on: you may object to it by customising your choices.',
    acceptAll: 'Accept all',
    refuseAll: 'Refuse all',
    customise: 'Customise',
    close: 'Continue without accepting',
    panelTitle: 'Cookies and third-party content settings',
    panelIntro: 'Choose, service by service, what you allow. You may change your mind at any time from the “Gestion des cookies” link at the bottom of every page.',
    save: 'Save my choices',
    closePanel: 'Close without saving',
    allow: 'Allow',
    refuse: 'Refuse',
    categoryAll: 'Allow all',
    audienceLegend: 'Audience measurement',
    audienceLabel: 'Accept the anonymous audience measurement, made by the site itself (exempt from consent)',
    placeholderText: 'This content is hosted by {name} ({provider}). Showing it sets cookies from {name} and sends it your IP address.',
    placeholderAllow: 'Allow {name} and show the content',
    placeholderOpen: 'Open on the {name} site',
    placeholderTitle: '{name} content: {title}',
    saved: 'Your choices are saved.',
    noticeLink: 'Privacy notice',
    pageTitle: 'Cookie settings',
    pageNoEmbeds: 'This site shows no content hosted by another service: no choice is needed to use it.',
    pageAudience: 'An anonymous audience measurement, exempt from consent, stays on: you may object to it below.',
    audienceAccept: 'Accept the anonymous audience measurement',
    audienceOppose: 'Object to the audience measurement',
    confirmTitle: 'Allow {name}?',
    confirmBack: 'Go back without allowing {name}',
    allChoices: 'All your choices',
    categories: { video: 'Videos', social: 'Social networks', map: 'Maps', other: 'Other third-party content' },
  },
};

/** A text with its `{name}`-style holes filled. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all);
}

export function isLang(value: unknown): value is Lang {
  return value === 'fr' || value === 'en';
}
