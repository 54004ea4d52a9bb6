import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandomBytes } from './random-pool.ts';

describe('random bytes from a pool', () => {
  it('never hands out the same bytes twice, across many blocks, and keeps earlier slices as they were', () => {
    const first = pooledRandomBytes(12);
    const kept = Buffer.from(first);
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const b = pooledRandomBytes(12);
      assert.equal(b.length, 12);
      const hex = b.toString('hex');
      assert.ok(!seen.has(hex), 'a 96-bit value came out twice');
      seen.add(hex);
    }
    assert.deepEqual(first, kept, 'a slice handed out is not overwritten when a new block is drawn');
  });

  it('gives large requests bytes of their own', () => {
    const big = pooledRandomBytes(64 * 1024);
    assert.equal(big.length, 64 * 1024);
    assert.notEqual(big.subarray(0, 32).toString('hex'), big.subarray(32, 64).toString('hex'));
  });
});
