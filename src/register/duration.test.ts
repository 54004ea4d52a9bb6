import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addDuration, durationInFrench, frenchDuration, MAX_RETENTION_YEARS, parseDuration, type Duration } from './duration.ts';

const d = (parts: Partial<Duration>): Duration => ({ years: 0, months: 0, weeks: 0, days: 0, ...parts });

function problemOf(text: unknown): string {
  const result = parseDuration(text);
  assert.equal(result.ok, false, `${String(text)} should be refused`);
  return result.ok ? '' : result.problem;
}

describe('parseDuration', () => {
  const valid: Array<[string, Duration]> = [
    ['P2Y', d({ years: 2 })],
    ['P5Y', d({ years: 5 })],
    ['P13M', d({ months: 13 })],
    ['P1Y6M', d({ years: 1, months: 6 })],
    ['P7D', d({ days: 7 })],
    ['P1W', d({ weeks: 1 })],
    ['P1Y2M3W4D', d({ years: 1, months: 2, weeks: 3, days: 4 })],
    [`P${MAX_RETENTION_YEARS}Y`, d({ years: MAX_RETENTION_YEARS })],
  ];
  for (const [text, expected] of valid) {
    it(`reads « ${text} »`, () => {
      assert.deepEqual(parseDuration(text), { ok: true, duration: expected });
    });
  }

  it('ignores surrounding spaces', () => {
    assert.deepEqual(parseDuration(' P2Y '), { ok: true, duration: d({ years: 2 }) });
  });

  it('refuses a duration in words, with ISO 8601 examples', () => {
    assert.match(problemOf('2 ans'), /durée invalide « 2 ans » : une durée ISO 8601 est attendue, par exemple P2Y/);
  });

  it('refuses hours and minutes, and says to count in days', () => {
    assert.match(problemOf('PT12H'), /les heures et minutes ne sont pas admises/);
    assert.match(problemOf('P1DT12H'), /les heures et minutes ne sont pas admises/);
  });

  it('refuses a zero duration', () => {
    assert.match(problemOf('P0D'), /durée nulle « P0D »/);
    assert.match(problemOf('P0Y0M'), /durée nulle/);
  });

  it(`refuses more than ${MAX_RETENTION_YEARS} years as a likely typo`, () => {
    assert.match(problemOf('P200Y'), new RegExp(`durée « P200Y » supérieure à ${MAX_RETENTION_YEARS} ans`));
    assert.match(problemOf('P1200M'), /supérieure à/);
  });

  for (const text of ['', 'P', 'p2y', '2Y', 'P2', 'P1M2Y', 'P-1Y', 'P1.5Y', 'P2Y ans', 'P1D1D']) {
    it(`refuses « ${text} »`, () => {
      assert.match(problemOf(text), /durée invalide/);
    });
  }

  it('refuses what is not a text', () => {
    for (const value of [2, null, undefined, { years: 2 }]) assert.match(problemOf(value), /durée ISO 8601 est attendue/);
  });
});

describe('durationInFrench', () => {
  const cases: Array<[Duration, string]> = [
    [d({ years: 2 }), '2 ans'],
    [d({ years: 1 }), '1 an'],
    [d({ years: 1, months: 6 }), '1 an et 6 mois'],
    [d({ months: 13 }), '13 mois'],
    [d({ months: 1 }), '1 mois'],
    [d({ weeks: 1 }), '1 semaine'],
    [d({ weeks: 2 }), '2 semaines'],
    [d({ days: 7 }), '7 jours'],
    [d({ days: 1 }), '1 jour'],
    [d({ years: 1, months: 6, days: 2 }), '1 an, 6 mois et 2 jours'],
  ];
  for (const [duration, expected] of cases) {
    it(`says « ${expected} »`, () => assert.equal(durationInFrench(duration), expected));
  }

  it('reads and says an ISO text in one step (frenchDuration)', () => {
    assert.equal(frenchDuration('P1Y6M'), '1 an et 6 mois');
    assert.equal(frenchDuration('P13M'), '13 mois');
    assert.throws(() => frenchDuration('2 ans'));
  });
});

describe('addDuration', () => {
  const utc = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
  const add = (iso: string, text: string) => {
    const parsed = parseDuration(text);
    assert.ok(parsed.ok);
    return addDuration(utc(iso), parsed.duration).toISOString().slice(0, 10);
  };

  it('clamps 31 January + P1M to 28 February in a common year', () => assert.equal(add('2023-01-31', 'P1M'), '2023-02-28'));
  it('clamps 31 January + P1M to 29 February in a leap year', () => assert.equal(add('2024-01-31', 'P1M'), '2024-02-29'));
  it('takes 29 February + P1Y to 28 February', () => assert.equal(add('2024-02-29', 'P1Y'), '2025-02-28'));
  it('takes 29 February + P4Y to 29 February', () => assert.equal(add('2024-02-29', 'P4Y'), '2028-02-29'));
  it('clamps 31 March + P1M to 30 April', () => assert.equal(add('2024-03-31', 'P1M'), '2024-04-30'));
  it('crosses the year (15 December + P1M)', () => assert.equal(add('2023-12-15', 'P1M'), '2024-01-15'));
  it('adds 13 months to 31 January', () => assert.equal(add('2023-01-31', 'P13M'), '2024-02-29'));
  it('adds years and months together', () => assert.equal(add('2024-08-31', 'P1Y6M'), '2026-02-28'));
  it('adds days across the end of February', () => assert.equal(add('2024-02-25', 'P7D'), '2024-03-03'));
  it('adds weeks', () => assert.equal(add('2023-12-28', 'P2W'), '2024-01-11'));
  it('adds months before days (31 January + P1M1D = 1 March)', () => assert.equal(add('2023-01-31', 'P1M1D'), '2023-03-01'));

  it('keeps the time of day and leaves its argument unchanged', () => {
    const start = new Date('2024-01-31T13:45:10.123Z');
    const result = addDuration(start, d({ months: 1 }));
    assert.equal(result.toISOString(), '2024-02-29T13:45:10.123Z');
    assert.equal(start.toISOString(), '2024-01-31T13:45:10.123Z');
  });
});
