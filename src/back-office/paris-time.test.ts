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

  it('agrees with Intl at every quarter hour of three years, whatever order they are asked in', () => {
    const intl = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const start = Date.UTC(2025, 0, 1);
    const quarters = (3 * 365 * 24 * 60) / 15;
    const wrong: string[] = [];
    // Forwards, then jumping between far-apart instants (an export's creation and deletion dates alternate).
    const order = [...Array.from({ length: quarters }, (_, i) => i), ...Array.from({ length: 2000 }, (_, i) => (i * 7919) % quarters)];
    for (const i of order) {
      const d = new Date(start + i * 15 * 60_000 + 59_000);
      const expected = intl.format(d);
      if (parisDateTime(d) !== expected) wrong.push(`${d.toISOString()}: ${parisDateTime(d)} ≠ ${expected}`);
    }
    assert.deepEqual(wrong.slice(0, 5), []);
  });
});
