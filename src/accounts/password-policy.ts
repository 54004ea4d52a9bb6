/**
 * How strong a back-office password must be, after the CNIL recommendation on
 * passwords (délibération 2022-100). Nothing else protects a password typed
 * at the command line or, later, at sign-in before lockout exists, and these
 * accounts read personal data (health data included), so Bastide applies the
 * "password alone" level, about 80 bits of entropy. Accepted:
 *   - at least 12 characters mixing upper case, lower case, digits and
 *     special characters (anything else, spaces included), or
 *   - at least 14 characters mixing upper case, lower case and digits, or
 *   - a passphrase of at least 7 distinct words of 2 letters or more,
 *     separated by spaces, hyphens, dots, commas or underscores.
 * A password that contains the account's e-mail name is refused whatever its
 * length. At most 256 characters, so that hashing stays bounded.
 */

export const MIN_LENGTH = 12;
const MAX_LENGTH = 256;

function classes(password: string) {
  return {
    upper: /\p{Lu}/u.test(password),
    lower: /\p{Ll}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    special: /[^\p{L}\p{Nd}]/u.test(password),
  };
}

function passphraseWords(password: string): number {
  const words = password
    .toLowerCase()
    .split(/[\s\-_.,;]+/u)
    .filter((w) => [...w].length >= 2);
  return new Set(words).size;
}

/** A French message saying what is missing, or undefined when the password is strong enough. */
export function passwordProblem(password: string, email?: string): string | undefined {
  const length = [...password].length;
  if (length > MAX_LENGTH) return `mot de passe trop long : ${MAX_LENGTH} caractères au plus`;
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) return 'le mot de passe ne doit pas contenir l’adresse électronique du compte';
  const c = classes(password);
  if (length >= 12 && c.upper && c.lower && c.digit && c.special) return undefined;
  if (length >= 14 && c.upper && c.lower && c.digit) return undefined;
  if (passphraseWords(password) >= 7) return undefined;
  return (
    'mot de passe trop faible : il faut au moins 12 caractères mêlant majuscules, minuscules, chiffres et caractères spéciaux ' +
    '(ou 14 avec majuscules, minuscules et chiffres), ou une phrase de passe d’au moins 7 mots (recommandation CNIL, délibération 2022-100)'
  );
}
