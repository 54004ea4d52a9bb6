import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addMonths, daysOf, readPeriod } from './audience-period.ts';

// 6 December 2026, 00:30 in Paris (23:30 UTC the day before): "yesterday" is Paris's, not UTC's.
const NOW = new Date('2026-12-05T23:30:00Z');

describe('the audience period', () => {
  it('is the last 30 days ending yesterday in Paris when no date is given', () => {
    const form = readPeriod({}, NOW);
    assert.deepEqual(form.period, { from: '2026-11-06', to: '2026-12-05' });
    assert.equal(daysOf(form.period!).length, 30);
    assert.deepEqual(form.errors, []);
  });

  it('reads AAAA-MM-JJ and JJ/MM/AAAA, and completes a single date to 30 days', () => {
    assert.deepEqual(readPeriod({ du: '01/11/2026', au: '2026-11-30' }, NOW).period, { from: '2026-11-01', to: '2026-11-30' });
    assert.deepEqual(readPeriod({ au: '2026-10-31' }, NOW).period, { from: '2026-10-02', to: '2026-10-31' });
    assert.deepEqual(readPeriod({ du: '2026-12-01' }, NOW).period, { from: '2026-12-01', to: '2026-12-05' });
    assert.deepEqual(readPeriod({ du: '2026-12-06', au: '' }, NOW).period, { from: '2026-12-06', to: '2026-12-06' }, 'today is not the future');
  });

  it('refuses a date that does not exist, saying what was typed and the format, on its field', () => {
    const form = readPeriod({ du: '31/02/2026', au: 'hier' }, NOW);
    assert.equal(form.period, undefined);
    assert.deepEqual(
      form.errors.map((e) => e.field),
      ['du', 'au'],
    );
    assert.match(form.errors[0]!.message, /^« 31\/02\/2026 » n’est pas une date valide : saisissez la date de début au format JJ\/MM\/AAAA\.$/);
    assert.equal(form.du, '', 'an invalid day is not put back in a date input');
    assert.deepEqual(readPeriod({ du: ['2026-11-01', '2026-11-02'] }, NOW).period, { from: '2026-11-06', to: '2026-12-05' }, 'a repeated parameter is no date');
  });

  it('refuses a start after the end, on the end field', () => {
    const form = readPeriod({ du: '2026-11-10', au: '2026-11-09' }, NOW);
    assert.deepEqual(form.errors, [{ field: 'au', message: 'La date de fin doit être le même jour que la date de début (10 novembre 2026) ou après.' }]);
  });

  it('refuses a period over 25 months, on the start field', () => {
    assert.ok(readPeriod({ du: '2024-11-05', au: '2026-12-05' }, NOW).period, 'exactly 25 months');
    const form = readPeriod({ du: '2024-11-04', au: '2026-12-05' }, NOW);
    assert.equal(form.errors[0]?.field, 'du');
    assert.match(form.errors[0]!.message, /La période dépasse 25 mois.*à partir du 5 novembre 2024/);
  });

  it('refuses dates in the future', () => {
    const form = readPeriod({ du: '2026-12-07', au: '2027-01-01' }, NOW);
    assert.deepEqual(
      form.errors.map((e) => e.field),
      ['du', 'au'],
    );
    assert.match(form.errors[1]!.message, /^La date de fin ne peut pas être dans le futur : .*le 5 décembre 2026/);
    assert.equal(form.au, '2027-01-01', 'a real day stays in its input, to be corrected');
  });

  it('counts months to the same day, the 31st becoming the month’s last', () => {
    assert.equal(addMonths('2026-12-31', -10), '2026-02-28');
    assert.equal(addMonths('2026-03-15', -25), '2024-02-15');
  });
});
