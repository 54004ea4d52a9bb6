import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundDate, isToday, parseDateBound, todayInFrance } from './date-bound.ts';

const bound = (text: string) => {
  const result = parseDateBound(text);
  assert.ok(result.ok, result.ok ? '' : result.problem);
  return result.bound;
};

describe('date bounds of a date field', () => {
  it('reads today, a duration before or after today, and a fixed date', () => {
    assert.ok(isToday(bound('today')));
    assert.equal(boundDate(bound('today'), '2026-05-26'), '2026-05-26');
    assert.equal(boundDate(bound('-P120Y'), '2026-05-26'), '1906-05-26');
    assert.equal(boundDate(bound('-P18Y6M'), '2026-05-26'), '2007-11-26');
    assert.equal(boundDate(bound('+P1Y'), '2026-05-26'), '2027-05-26');
    assert.equal(boundDate(bound('+P15D'), '2026-12-20'), '2027-01-04');
    assert.equal(boundDate(bound('2024-09-01'), '2026-05-26'), '2024-09-01');
  });

  it('clamps to the end of the month, as retention durations do', () => {
    assert.equal(boundDate(bound('-P1Y'), '2024-02-29'), '2023-02-28');
    assert.equal(boundDate(bound('-P1M'), '2026-03-31'), '2026-02-28');
  });

  it('refuses anything else with a French problem', () => {
    for (const [text, problem] of [
      ["aujourd'hui", /borne de date invalide/],
      ['P1Y', /borne de date invalide/],
      ['-P', /borne de date invalide/],
      ['-P0D', /durée nulle/],
      ['-P300Y', /plus de 200 ans/],
      ['-PT12H', /borne de date invalide/],
      ['2024-02-30', /impossible/],
      ['1850-01-01', /hors des années admises/],
      ['01/01/2024', /borne de date invalide/],
    ] as const) {
      const result = parseDateBound(text);
      assert.equal(result.ok, false, text);
      assert.match(result.ok ? '' : result.problem, problem, text);
    }
    assert.equal(parseDateBound(12).ok, false);
  });

  it('counts today in France, not in UTC', () => {
    // 23:30 UTC on 31 December is already the next year in Paris.
    assert.equal(todayInFrance(new Date('2025-12-31T23:30:00Z')), '2026-01-01');
    assert.equal(todayInFrance(new Date('2026-07-14T21:59:00Z')), '2026-07-14');
  });
});
