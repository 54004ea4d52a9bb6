/**
 * How long a citizen account lives, from the register: the processing named
 * by `citizenAccountProcessing` declares it (for example two years after the
 * last sign-in). An account never confirmed goes a week after sign-up.
 */
import { addDuration, parseDuration } from '../register/duration.ts';
import type { Processing, Register } from '../register/schema.ts';

export const UNCONFIRMED_MS = 7 * 24 * 60 * 60_000;

/** The processing of citizen accounts, or undefined when the authority offers none. */
export function accountProcessing(register: Register): Processing | undefined {
  return register.citizenAccountProcessing ? register.processings.find((p) => p.id === register.citizenAccountProcessing) : undefined;
}

/** When an account last used at `from` goes, by its processing's retention. */
export function accountExpiry(register: Register, from: Date): Date {
  const p = accountProcessing(register);
  const d = p ? parseDuration(p.retention.duration) : undefined;
  return d?.ok ? addDuration(from, d.duration) : new Date(from.getTime() + 2 * 365 * 24 * 60 * 60_000);
}
