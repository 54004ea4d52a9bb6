/**
 * Cookies the platform itself sets. The notice's cookie table always lists
 * those marked `always`, whatever the register says, so that it cannot omit
 * one; a register that declares one of these names must agree with the code.
 */
import type { CookieCategory } from '../register/vocabulary.ts';

export interface PlatformCookie {
  name: string;
  category: CookieCategory;
  purpose: string;
  /** `session` or an ISO 8601 duration: the longest the platform ever sets. */
  lifetime: string;
  always: boolean;
}

export const PLATFORM_COOKIES: readonly PlatformCookie[] = [
  {
    name: 'bastide_session',
    category: 'essential',
    purpose: 'Session de connexion et protection des formulaires contre les envois frauduleux',
    lifetime: 'session',
    always: true,
  },
  {
    name: 'bastide_consent',
    category: 'essential',
    purpose: 'Mémorisation de vos choix en matière de cookies et de contenus tiers',
    lifetime: 'P6M',
    always: true,
  },
  {
    // Set only where the register declares citizen accounts (citizenAccountProcessing), which requires declaring it.
    name: 'bastide_citoyen',
    category: 'essential',
    purpose: 'Connexion à votre compte usager',
    lifetime: 'session',
    always: false,
  },
  {
    name: 'bastide_vid',
    category: 'audience-exempt',
    purpose: "Mesure d'audience anonyme, exemptée de consentement",
    lifetime: 'P13M',
    always: false,
  },
];
