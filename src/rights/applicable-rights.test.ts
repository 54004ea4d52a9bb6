import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEGAL_BASES } from '../register/vocabulary.ts';
import { applicableRights } from './applicable-rights.ts';

const table = (basis: (typeof LEGAL_BASES)[number]) => Object.fromEntries(applicableRights(basis).map((r) => [r.right, r.applies]));

describe('rights that apply, from the legal basis', () => {
  it('always grants access, rectification and restriction', () => {
    for (const basis of LEGAL_BASES) for (const right of ['access', 'rectification', 'restriction']) assert.equal(table(basis)[right], 'yes', `${basis} ${right}`);
  });

  it('grants portability only for consent and contract (GDPR art. 20)', () => {
    assert.deepEqual(LEGAL_BASES.filter((b) => table(b)['portability'] === 'yes'), ['consent', 'contract']);
  });

  it('grants objection only for public task and legitimate interest (GDPR art. 21)', () => {
    assert.deepEqual(LEGAL_BASES.filter((b) => table(b)['objection'] === 'yes'), ['public-task', 'legitimate-interest']);
    assert.equal(table('legal-obligation')['objection'], 'no');
  });

  it('limits erasure for legal obligations and public tasks (GDPR art. 17(3)(b))', () => {
    assert.equal(table('legal-obligation')['erasure'], 'limited');
    assert.equal(table('public-task')['erasure'], 'limited');
    assert.equal(table('consent')['erasure'], 'yes');
  });

  it('offers withdrawal of consent only when the basis is consent, and explains every refusal', () => {
    assert.equal(table('consent')['withdraw-consent'], 'yes');
    assert.equal(table('public-task')['withdraw-consent'], undefined);
    for (const basis of LEGAL_BASES) for (const r of applicableRights(basis)) if (r.applies !== 'yes') assert.ok(r.explanation.length > 20, `${basis} ${r.right}`);
  });
});
