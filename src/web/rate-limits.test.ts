import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimits, retryDelayInFrench } from './rate-limits.ts';

describe('rate limits', () => {
  const limits = { submission: { max: 2, windowMs: 60_000 }, draft: { max: 5, windowMs: 60_000 }, tracking: { max: 1, windowMs: 1_000 }, 'auth-failure': { max: 3, windowMs: 60_000 }, rights: { max: 3, windowMs: 3_600_000 }, consent: { max: 3, windowMs: 60_000 }, hit: { max: 3, windowMs: 60_000 } };

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

describe('who counts as one client', () => {
  it('is an IPv4 address, or the /64 of an IPv6 one', async () => {
    const { clientKey } = await import('./rate-limits.ts');
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
  });

  it('lets many simultaneous wrong tokens from one address pass no further than the limit', () => {
    const r = new RateLimits({ submission: { max: 1, windowMs: 60_000 }, draft: { max: 1, windowMs: 60_000 }, tracking: { max: 1, windowMs: 60_000 }, 'auth-failure': { max: 3, windowMs: 60_000 }, rights: { max: 1, windowMs: 60_000 }, consent: { max: 1, windowMs: 60_000 }, hit: { max: 1, windowMs: 60_000 } }, () => 0);
    // Counted before the look-up, as requireActor does: the fourth of a burst is refused at once.
    const verdicts = Array.from({ length: 6 }, () => r.hit('auth-failure', '198.51.100.1').ok);
    assert.deepEqual(verdicts, [true, true, true, false, false, false]);
  });
});
