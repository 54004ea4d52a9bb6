import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern, patternProblem } from './field-pattern.ts';

describe('the pattern of a text field', () => {
  it('matches the whole value, anchors written or not', () => {
    for (const p of ['[0-9]{5}', '^[0-9]{5}$']) {
      const re = compilePattern(p);
      assert.ok(re.test('31000'));
      assert.ok(!re.test('310000'));
      assert.ok(!re.test('1.5'));
      assert.ok(!re.test('a31000'));
    }
    assert.ok(compilePattern('a|b').test('b'));
    assert.ok(!compilePattern('a|b').test('ab'), 'an alternation is anchored as a whole');
  });

  it('accepts the patterns a register needs', () => {
    for (const p of ['^[0-9]{5}$', '^[0-9A-Za-z][0-9A-Za-z \\-]{1,9}$', '[12][0-9]{2}(?:0[1-9]|1[0-2])[0-9A-B]{2}[0-9]{8}', '(?:\\s?[0-9]{2}){5}', '\\p{L}[\\p{L} \'\\-]*'])
      assert.equal(patternProblem(p), undefined, p);
  });

  it('refuses what does not compile as a browser reads the pattern attribute (v flag)', () => {
    assert.match(patternProblem('[A-Z') ?? '', /expression régulière invalide/);
    assert.match(patternProblem('[A-Za-z -]+') ?? '', /dans une classe \[ \], échappez/);
    assert.match(patternProblem('a{') ?? '', /expression régulière invalide/);
  });

  it('refuses shapes whose matching time can explode on a long input', () => {
    for (const p of ['(a+)+', '(\\d*)*x', '([a-z]+\\s?)+', '(?:a|b?)+', '(a+){2,}', '(?:x(?:y+))*'])
      assert.match(patternProblem(p) ?? '', /répétition contient une autre répétition/, p);
    assert.match(patternProblem('(a)\\1') ?? '', /références arrière/);
    assert.match(patternProblem('(?<x>a)\\k<x>') ?? '', /références arrière/);
    assert.match(patternProblem('x'.repeat(301)) ?? '', /trop longue/);
  });

  it('lets a bounded repetition or an escaped bracket through', () => {
    for (const p of ['(a+){1,3}', '(?:a{2})+', '\\(+\\)+', '[\\(]+', '(ab|cd)+']) assert.equal(patternProblem(p), undefined, p);
  });
});
