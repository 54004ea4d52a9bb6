import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parisDateTime, parisMidnight, parisWallClock } from './paris-time.ts';

describe('Paris time', () => {
  it('finds Paris midnight on either side of both clock changes', () => {
    assert.equal(parisMidnight(2026, 3, 29).toISOString(), '2026-03-28T23:00:00.000Z', 'winter time until 01:00 UTC');
    assert.equal(parisMidnight(2026, 3, 30).toISOString(), '2026-03-29T22:00:00.000Z', 'summer time');
    assert.equal(parisMidnight(2026, 10, 25).toISOString(), '2026-10-24T22:00:00.000Z');
    assert.equal(parisMidnight(2026, 10, 26).toISOString(), '2026-10-25T23:00:00.000Z');
    assert.equal(parisMidnight(2026, 12, 32).toISOString(), '2026-12-31T23:00:00.000Z', 'the day after 31 December');
  });

  it('shows an instant as a Paris clock does, across the changes', () => {
    assert.equal(parisDateTime(new Date('2026-03-29T00:59:59Z')), '29/03/2026 01:59');
    assert.equal(parisDateTime(new Date('2026-03-29T01:00:00Z')), '29/03/2026 03:00');
    assert.equal(parisDateTime(new Date('2026-10-25T00:30:00Z')), '25/10/2026 02:30');
    assert.equal(parisDateTime(new Date('2026-10-25T01:30:00Z')), '25/10/2026 02:30');
    assert.equal(parisWallClock(new Date('2026-07-14T10:00:00.750Z')).toISOString(), '2026-07-14T12:00:00.000Z');
  });
});
