import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { submissionReceipt, type ReceiptInput } from './receipt.ts';

const INPUT: ReceiptInput = {
  tenantName: 'Commune de Val-Fleuri',
  formTitle: 'Inscription à la cantine scolaire',
  trackingCode: 'VF-7K3Q-92XM',
  trackingUrl: 'https://val-fleuri.example/suivi/VF-7K3Q-92XM',
  submittedAt: new Date('2026-11-22T13:05:00Z'),
  dpoEmail: 'dpo@val-fleuri.example',
  noticeUrl: 'https://val-fleuri.example/val-fleuri/donnees-personnelles',
};

describe('the receipt of a submission', () => {
  it('says in French that the request was received, with the form, the Paris time, the code and the link', () => {
    const r = submissionReceipt(INPUT);
    assert.match(r.subject, /^Votre demande a bien été reçue/);
    for (const part of [r.text, r.html]) {
      assert.ok(part.includes('Votre demande a bien été reçue'));
      assert.ok(part.includes('Inscription à la cantine scolaire'));
      assert.ok(part.includes('22 novembre 2026 à 14:05'), 'the date in Europe/Paris');
      assert.ok(part.includes('VF-7K3Q-92XM'));
      assert.ok(part.includes(INPUT.trackingUrl));
      assert.ok(part.includes('ne contient aucune des données que vous avez saisies'));
      assert.ok(part.includes(INPUT.dpoEmail));
      assert.ok(part.includes(INPUT.noticeUrl));
    }
  });

  it('keeps the form title out of the subject', () => {
    assert.ok(!submissionReceipt(INPUT).subject.includes(INPUT.formTitle));
  });

  it('contains no value it was not given, even when a caller passes the form answers along', () => {
    const careless = { ...INPUT, answers: { diagnostic: 'diabète de type 1', nir: '2 84 05 75 123 456 78' }, email: 'camille@example.org' };
    const r = submissionReceipt(careless);
    const all = `${r.subject}\n${r.text}\n${r.html}`;
    for (const leaked of ['diabète', '123 456', 'camille@example.org']) assert.ok(!all.includes(leaked), leaked);
    // Every address and link in the message is one of the inputs.
    const given = new Set([INPUT.trackingUrl, INPUT.noticeUrl, INPUT.dpoEmail]);
    for (const found of all.match(/https?:\/\/[^\s"<]+|[\w.+-]+@[\w.-]+\.\w+/g) ?? []) assert.ok(given.has(found), found);
  });

  it('escapes markup in every value of the HTML version', () => {
    const r = submissionReceipt({ ...INPUT, tenantName: 'Val & <b>Fleuri</b>', formTitle: '<script>alert(1)</script> "cantine"' });
    assert.ok(!r.html.includes('<script>') && !r.html.includes('<b>'));
    assert.ok(r.html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;cantine&quot;'));
    assert.ok(r.html.includes('Val &amp; &lt;b&gt;Fleuri&lt;/b&gt;'));
    // The plain-text version is text: it shows the title as written.
    assert.ok(r.text.includes('<script>alert(1)</script>'));
  });

  it('refuses a link that is not a web address', () => {
    assert.throws(() => submissionReceipt({ ...INPUT, trackingUrl: 'javascript:alert(1)' }), /trackingUrl/);
  });
});
