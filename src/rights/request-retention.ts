/**
 * How long a rights request is kept: as its processing in the register says
 * (`rightsRequestProcessing`, for example five years after the answer, to
 * prove it was given). A request never confirmed goes three months after it
 * came: nothing was answered, and its link expired long before.
 */
import { AppError } from '../errors/app-error.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Processing, Register } from '../register/schema.ts';

const UNCONFIRMED = { years: 0, months: 3, weeks: 0, days: 0 };

export function rightsProcessing(register: Register): Processing | undefined {
  return register.rightsRequestProcessing ? register.processings.find((p) => p.id === register.rightsRequestProcessing) : undefined;
}

/** The desk exists where the register declares where its requests are kept; elsewhere the page gives the DPO's address only. */
export function requireRightsDesk(loaded: LoadedRegister): Processing {
  const p = rightsProcessing(loaded.register);
  if (!p) throw new AppError('rights-desk-not-offered');
  return p;
}

export function pendingExpiry(receivedAt: Date): Date {
  return addDuration(receivedAt, UNCONFIRMED);
}

/** Until the answer: counted from the request, or (from: event) from the answer, which a request still open has not had. */
export function requestExpiry(p: Processing, receivedAt: Date, answeredAt: Date | null): Date {
  const parsed = parseDuration(p.retention.duration);
  const duration = parsed.ok ? parsed.duration : { years: 5, months: 0, weeks: 0, days: 0 };
  if (p.retention.from === 'created') return addDuration(receivedAt, duration);
  // Open: the answer is due within three months at most (art. 12.3); the date moves to the answer's when it is given.
  return addDuration(answeredAt ?? addDuration(receivedAt, { years: 0, months: 4, weeks: 0, days: 0 }), duration);
}
