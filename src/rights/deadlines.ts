/**
 * The deadlines of GDPR art. 12.3: one month from the request whose
 * identity is established, extendable once by up to two more months, which
 * the person must be told of within the first month. Calendar months, as
 * the law counts them (31 January + 1 month = 28 or 29 February).
 */
import { addDuration } from '../register/duration.ts';

const months = (n: number) => ({ years: 0, months: n, weeks: 0, days: 0 });

/** Ends of the first month: the answer is due then, and an extension must be told before it. */
export function firstMonthEnds(verifiedAt: Date): Date {
  return addDuration(verifiedAt, months(1));
}

export type ExtensionCheck = { ok: true; dueAt: Date } | { ok: false; message: string };

export function checkExtension(input: { verifiedAt: Date | null; extendedAt: Date | null; state: string; months: number; now: Date }): ExtensionCheck {
  if (!input.verifiedAt || input.state !== 'open') return { ok: false, message: 'Seule une demande dont l’identité est vérifiée et qui n’est pas encore traitée peut être prolongée.' };
  if (input.extendedAt) return { ok: false, message: 'Le délai de cette demande a déjà été prolongé : il ne peut l’être qu’une fois (article 12.3 du RGPD).' };
  if (!Number.isInteger(input.months) || input.months < 1 || input.months > 2) return { ok: false, message: 'La prolongation est d’un ou de deux mois (article 12.3 du RGPD).' };
  const first = firstMonthEnds(input.verifiedAt);
  if (input.now.getTime() >= first.getTime())
    return { ok: false, message: 'Le premier mois est écoulé : la personne devait être informée de la prolongation avant son terme (article 12.3 du RGPD).' };
  return { ok: true, dueAt: addDuration(first, months(input.months)) };
}

/** Overdue: still to answer after its due date. */
export function isOverdue(r: { state: string; dueAt: Date | null }, now: Date): boolean {
  return r.state !== 'done' && r.dueAt !== null && r.dueAt.getTime() < now.getTime();
}
