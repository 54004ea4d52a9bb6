/** Sums and rates the page and the CSV both show, so that they always agree. */
import type { AudienceDay } from './audience-queries.ts';

/**
 * The sum of each day's distinct visitors is not a number of people: the
 * visitor hash changes every day, so one person coming on two days counts
 * twice. The label says so wherever the sum is shown.
 */
export const VISITORS_SUM = 'visiteurs uniques par jour, cumulés';

export function totals(days: readonly AudienceDay[]): Omit<AudienceDay, 'day'> {
  const sum = { pageViews: 0, visits: 0, visitors: 0, newVisitors: 0 };
  for (const d of days) {
    sum.pageViews += d.pageViews;
    sum.visits += d.visits;
    sum.visitors += d.visitors;
    sum.newVisitors += d.newVisitors;
  }
  return sum;
}

/** Forms sent per hundred displayed, to one decimal; null when no form was displayed. */
export function submissionRate(form: { viewed: number; submitted: number }): number | null {
  return form.viewed > 0 ? Math.round((form.submitted / form.viewed) * 1000) / 10 : null;
}
