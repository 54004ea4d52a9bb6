/**
 * When a record's retention ends, from its processing's rule: the first
 * matching conditional rule, else the default; counted from creation, from
 * a date field, or from closure (unknown until the request is closed). The
 * retention engine deletes, anonymises or archives at that date, as that
 * same rule says; it is stored with
 * the record and indexed.
 */
import { addDuration, parseDuration } from '../register/duration.ts';
import type { Processing } from '../register/schema.ts';
import type { RetentionThen } from '../register/vocabulary.ts';

export interface ExpiryInput {
  createdAt: Date;
  closedAt: Date | null;
  /** Top-level values of the record (rules and `field:X` read them). */
  values: Record<string, unknown>;
}

const matchingRule = (p: Processing, values: Record<string, unknown>) =>
  p.retention.rules.find((r) => values[r.when.field] === r.when.equals || String(values[r.when.field]) === String(r.when.equals));

export function retentionDuration(p: Processing, values: Record<string, unknown>): string {
  return matchingRule(p, values)?.duration ?? p.retention.duration;
}

/** What happens at the end: the matching rule's action, else the processing's. Stored with the date, so that a run acts on each record as its own rule says. */
export function retentionAction(p: Processing, values: Record<string, unknown>): RetentionThen {
  return matchingRule(p, values)?.then ?? p.retention.then;
}

export function computeExpiry(p: Processing, input: ExpiryInput): Date | null {
  const parsed = parseDuration(retentionDuration(p, input.values));
  if (!parsed.ok) return null;
  const from = p.retention.from;
  let start: Date | null = null;
  if (from === 'created') start = input.createdAt;
  else if (from === 'closed') start = input.closedAt;
  else if (from.startsWith('field:')) {
    const value = input.values[from.slice('field:'.length)];
    const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
    // A record without a valid date there (sent before the register named that field, say) counts from its creation, as the notice says.
    start = date && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? date : input.createdAt;
  }
  return start ? addDuration(start, parsed.duration) : null;
}
