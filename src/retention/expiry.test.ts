import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Processing } from '../register/schema.ts';
import { retentionText } from '../notice/retention-text.ts';
import { computeExpiry } from './expiry.ts';

const processing = (from: string, rules: Processing['retention']['rules'] = []) =>
  ({
    id: 'p',
    forms: [{ id: 'f', title: 'F', fields: [{ name: 'fin', label: 'Date de fin du contrat', type: 'date', category: 'economic', required: true }] }],
    retention: { duration: 'P5Y', from, then: 'delete', rules, legalObligation: null, keep: [] },
  }) as unknown as Processing;

const created = new Date('2026-03-10T09:00:00Z');

describe('a record’s expiry', () => {
  it('counts from a date field, falling back to the request’s date when the field holds no valid date, as the notice says', () => {
    const p = processing('field:fin');
    assert.equal(computeExpiry(p, { createdAt: created, closedAt: null, values: { fin: '2027-06-30' } })?.toISOString(), '2032-06-30T00:00:00.000Z');
    for (const fin of [undefined, '', '2027-02-31', '2027-02-31x', '30/06/2027', 42])
      assert.equal(computeExpiry(p, { createdAt: created, closedAt: null, values: { fin } })?.toISOString(), '2031-03-10T09:00:00.000Z', `fin = ${String(fin)}`);
    assert.match(retentionText(p).summary, /à compter de la date indiquée dans le champ « Date de fin du contrat » \(à défaut d’une date valide, à compter de votre demande\)/);
  });

  it('waits for closure when counted from it, and takes the first matching rule', () => {
    const p = processing('closed', [{ when: { field: 'tarif', equals: 'qf' }, duration: 'P10Y' }]);
    assert.equal(computeExpiry(p, { createdAt: created, closedAt: null, values: {} }), null);
    const closed = new Date('2026-04-01T00:00:00Z');
    assert.equal(computeExpiry(p, { createdAt: created, closedAt: closed, values: { tarif: 'qf' } })?.toISOString(), '2036-04-01T00:00:00.000Z');
    assert.equal(computeExpiry(p, { createdAt: created, closedAt: closed, values: { tarif: 'plein' } })?.toISOString(), '2031-04-01T00:00:00.000Z');
  });
});
