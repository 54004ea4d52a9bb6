import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRegister } from '../register/parse.ts';
import { retentionText } from './retention-text.ts';

const MINIMAL = readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8');

function firstProcessing(yaml: string) {
  const r = parseRegister(new TextEncoder().encode(yaml));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.register.processings[0]!;
}

describe('retention in plain French', () => {
  it('says « 2 ans à compter de votre demande, puis supprimées »', () => {
    assert.equal(retentionText(firstProcessing(MINIMAL)).summary, '2 ans à compter de votre demande, puis supprimées');
  });

  it('counts from closure, or from an event the register names', () => {
    assert.match(retentionText(firstProcessing(MINIMAL.replace('from: created', 'from: closed'))).summary, /^2 ans à compter de la clôture de votre demande/);
    const event = MINIMAL.replace('from: created', 'from: event\n      event: la fin du marché concerné');
    assert.match(retentionText(firstProcessing(event)).summary, /^2 ans à compter de la fin du marché concerné/);
  });

  it('says what happens at the end: anonymised, or archived with the legal obligation', () => {
    assert.match(retentionText(firstProcessing(MINIMAL.replace('then: delete', 'then: anonymise'))).summary, /puis anonymisées/);
    const archive = MINIMAL.replace('then: delete', 'then: archive').replace('legalObligation: null', 'legalObligation: Code du patrimoine, art. L212-2\n      archiveFor: P10Y');
    assert.match(retentionText(firstProcessing(archive)).summary, /puis archivées \(Code du patrimoine, art\. L212-2\) pendant 10 ans, consultables par le seul délégué à la protection des données, puis supprimées$/);
  });
});
