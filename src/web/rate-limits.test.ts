import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimits, retryDelayInFrench } from './rate-limits.ts';

describe('rate limits', () => {
  const limits = { submission: { max: 2, windowMs: 60_000 }, draft: { max: 5, windowMs: 60_000 }, tracking: { max: 1, windowMs: 1_000 }, 'auth-failure': { max: 3, windowMs: 60_000 } };

  it('counts per purpose and per client, and says when to retry', () => {
    let now = 1_000_000;
    const r = new RateLimits(limits, () => now);
    assert.deepEqual([r.hit('submission', 'a'), r.hit('submission', 'a')], [{ ok: true }, { ok: true }]);
    now += 15_000;
    assert.deepEqual(r.hit('submission', 'a'), { ok: false, retryAfterSeconds: 45 });
    assert.deepEqual(r.hit('submission', 'b'), { ok: true }, 'another address has its own counter');
    assert.deepEqual(r.hit('draft', 'a'), { ok: true }, 'another purpose too');
    now += 45_000;
    assert.deepEqual(r.hit('submission', 'a'), { ok: true }, 'a new window');
  });

  it('checks without counting', () => {
    const r = new RateLimits(limits, () => 0);
    for (let i = 0; i < 10; i++) assert.deepEqual(r.check('auth-failure', 'a'), { ok: true });
    for (let i = 0; i < 2; i++) r.hit('auth-failure', 'a');
    assert.deepEqual(r.check('auth-failure', 'a'), { ok: true }, 'a third is still allowed');
    r.hit('auth-failure', 'a');
    assert.equal(r.check('auth-failure', 'a').ok, false, 'a fourth is not');
  });

  it('words the delay in French', () => {
    assert.equal(retryDelayInFrench(1), 'dans 1 seconde');
    assert.equal(retryDelayInFrench(45), 'dans 45 secondes');
    assert.equal(retryDelayInFrench(61), 'dans 2 minutes');
  });
});
