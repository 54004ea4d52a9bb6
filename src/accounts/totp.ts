/**
 * The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, as every
 * authenticator app reads them), through `otpauth`. The secret is sealed
 * under the tenant key; a code is accepted one step early or late (clock
 * drift) and only once: the step it matched is stored, and any code of that
 * step or an earlier one is refused afterwards.
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

const PERIOD_S = 30;
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, issuer: string, label: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/** The step a code matched, if it is a valid code later than `lastStep`; spaces typed by people are ignored. */
export function checkTotp(secretBase32: string, code: string, lastStep: number | null, now = Date.now()): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secretBase32, 'Bastide', 'x').validate({ token, timestamp: now, window: WINDOW });
  if (delta === null) return undefined;
  const step = Math.floor(now / 1000 / PERIOD_S) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}

/** For tests and the demo: the code of that instant. */
export function totpCode(secretBase32: string, now = Date.now()): string {
  return totp(secretBase32, 'Bastide', 'x').generate({ timestamp: now });
}

/** What the enrolment page shows: the otpauth URI as an SVG QR code, and the secret grouped by four for typing. */
export async function enrolmentPicture(secretBase32: string, issuer: string, email: string): Promise<{ svg: string; typed: string }> {
  const uri = totp(secretBase32, issuer, email).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return { svg, typed: secretBase32.replace(/(.{4})(?=.)/g, '$1 ') };
}
