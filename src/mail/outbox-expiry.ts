import { addDuration, parseDuration } from '../register/duration.ts';
import type { Register } from '../register/schema.ts';

/** Sent messages' traces and failed ones go with the technical logs; without such a processing, after 30 days. */
const OUTBOX_FALLBACK_DAYS = 30;

/** When an outbox row queued at `from` goes, sent or not. */
export function outboxExpiry(register: Register, from: Date): Date {
  const log = register.securityLogProcessing ? register.processings.find((p) => p.id === register.securityLogProcessing) : undefined;
  const duration = log ? parseDuration(log.retention.duration) : undefined;
  return duration?.ok ? addDuration(from, duration.duration) : new Date(from.getTime() + OUTBOX_FALLBACK_DAYS * 86_400_000);
}
