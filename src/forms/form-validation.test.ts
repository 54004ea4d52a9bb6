import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Form } from '../register/schema.ts';
import { validateSubmission } from './form-validation.ts';
import type { SubmittedFile } from './submitted-value.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0b1f3a20000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const file = (bytes: Buffer, filename = 'piece.pdf'): SubmittedFile => ({ kind: 'file', filename, bytes });

const FORM: Form = {
  id: 'inscription',
  title: 'Inscription',
  fields: [
    { name: 'nom', label: 'Nom', type: 'text', category: 'identification', required: true, subjectKey: false, maxLength: 20 },
    { name: 'courriel', label: 'Courriel', type: 'email', category: 'contact', required: true, subjectKey: true },
    { name: 'telephone', label: 'Téléphone', type: 'phone', category: 'contact', required: false, subjectKey: false },
    { name: 'naissance', label: 'Date de naissance', type: 'date', category: 'civil-status', required: false, subjectKey: false },
    { name: 'enfantsACharge', label: 'Enfants à charge', type: 'number', category: 'family', required: false, subjectKey: false, min: 0, max: 20 },
    { name: 'tarif', label: 'Tarif', type: 'select', category: 'economic', required: true, subjectKey: false, options: [{ value: 'normal', label: 'Normal' }, { value: 'quotient-familial', label: 'Quotient familial' }] },
    { name: 'accord', label: 'J’accepte le règlement', type: 'checkbox', category: 'request', required: true, subjectKey: false },
    { name: 'justificatif', label: 'Justificatif', type: 'file', category: 'economic', required: false, subjectKey: false, accept: ['application/pdf'], maxBytes: 1000 },
    {
      name: 'enfants',
      label: 'Enfants',
      type: 'group',
      required: true,
      subjectKey: false,
      repeat: { min: 1, max: 2 },
      fields: [
        { name: 'prenom', label: 'Prénom', type: 'text', category: 'identification', required: true, subjectKey: false },
        { name: 'allergies', label: 'Allergies', type: 'textarea', category: 'health', required: false, subjectKey: false },
      ],
    },
  ],
};

const VALID = {
  nom: '  Dupont ',
  courriel: 'Jeanne.Dupont@Example.FR',
  telephone: '06 12 34 56 78',
  naissance: '29/02/2024',
  enfantsACharge: '2',
  tarif: 'quotient-familial',
  accord: 'on',
  justificatif: file(PDF),
  enfants: [{ prenom: 'Léa', allergies: 'Arachide' }],
};

async function errorsFor(data: Record<string, unknown>) {
  const result = await validateSubmission(FORM, data);
  assert.equal(result.ok, false, 'should be refused');
  return result.ok ? [] : result.errors;
}

async function errorOn(data: Record<string, unknown>, field: string, pattern: RegExp) {
  const errors = await errorsFor(data);
  const error = errors.find((e) => e.field === field);
  assert.ok(error, `no error on ${field}: ${JSON.stringify(errors)}`);
  assert.match(error.message, pattern);
}

describe('validating a submission against its form', () => {
  it('accepts valid data and normalises it: trimmed text, lower-case e-mail, E.164 phone, ISO date, number, boolean', async () => {
    const result = await validateSubmission(FORM, VALID);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const v = result.values;
    assert.equal(v['nom'], 'Dupont');
    assert.equal(v['courriel'], 'jeanne.dupont@example.fr');
    assert.equal(v['telephone'], '+33612345678');
    assert.equal(v['naissance'], '2024-02-29');
    assert.equal(v['enfantsACharge'], 2);
    assert.equal(v['accord'], true);
    assert.equal((v['justificatif'] as SubmittedFile).mediaType, 'application/pdf');
    assert.deepEqual(v['enfants'], [{ prenom: 'Léa', allergies: 'Arachide' }]);
  });

  it('names every missing mandatory field, in French', async () => {
    const errors = await errorsFor({});
    assert.deepEqual(errors.map((e) => e.field).sort(), ['accord', 'courriel', 'enfants', 'nom', 'tarif']);
    assert.match(errors.find((e) => e.field === 'nom')!.message, /Le champ « Nom » est obligatoire/);
    assert.match(errors.find((e) => e.field === 'accord')!.message, /Cochez la case/);
  });

  it('refuses a field the register does not declare, instead of storing or dropping it', async () => {
    await errorOn({ ...VALID, numeroSecu: '1 84 12 75 123 456 78' }, 'numeroSecu', /n'est pas prévu par ce formulaire/);
    await errorOn({ ...VALID, enfants: [{ prenom: 'Léa', poids: '20' }] }, 'enfants[0].poids', /n'est pas prévu/);
  });

  it('says the limit of a text that is too long', async () => {
    await errorOn({ ...VALID, nom: 'x'.repeat(21) }, 'nom', /ne peut pas dépasser 20 caractères \(actuellement 21\)/);
  });

  it('refuses values of the wrong type', async () => {
    await errorOn({ ...VALID, nom: { first: 'a' } }, 'nom', /attend du texte/);
    await errorOn({ ...VALID, enfantsACharge: 'deux' }, 'enfantsACharge', /doit être un nombre/);
    await errorOn({ ...VALID, enfantsACharge: 21 }, 'enfantsACharge', /au plus 20/);
    await errorOn({ ...VALID, accord: 'peut-être' }, 'accord', /oui ou non/);
    await errorOn({ ...VALID, enfants: 'Léa' }, 'enfants', /attend une liste/);
  });

  it('refuses impossible dates with the expected format', async () => {
    for (const date of ['31/02/2026', '2026-02-30', '29/02/2025', '12/13/2020', 'hier', '01/01/1850'])
      await errorOn({ ...VALID, naissance: date }, 'naissance', /date valide au format JJ\/MM\/AAAA/);
  });

  it('refuses an invalid e-mail or phone with an example', async () => {
    await errorOn({ ...VALID, courriel: 'jeanne@' }, 'courriel', /par exemple nom@exemple\.fr/);
    await errorOn({ ...VALID, telephone: '12' }, 'telephone', /par exemple 06 12 34 56 78/);
  });

  it('refuses an option that is not offered', async () => {
    await errorOn({ ...VALID, tarif: 'gratuit' }, 'tarif', /l'une des valeurs proposées \(Normal, Quotient familial\)/);
  });

  it('counts the rows of a repeatable group', async () => {
    await errorOn({ ...VALID, enfants: [] }, 'enfants', /au moins 1 ligne/);
    await errorOn({ ...VALID, enfants: [{ prenom: 'A' }, { prenom: 'B' }, { prenom: 'C' }] }, 'enfants', /au plus 2 lignes \(3 reçues\)/);
    await errorOn({ ...VALID, enfants: [{ allergies: 'aucune' }] }, 'enfants[0].prenom', /obligatoire/);
  });

  it('checks a file by its content, not its name, and says the size limit', async () => {
    await errorOn({ ...VALID, justificatif: file(PNG, 'faux.pdf') }, 'justificatif', /n'est pas d'un type accepté \(PDF\)/);
    await errorOn({ ...VALID, justificatif: file(Buffer.concat([PDF, Buffer.alloc(2000)])) }, 'justificatif', /trop volumineux .*au plus 1 ko/);
    await errorOn({ ...VALID, justificatif: file(Buffer.alloc(0)) }, 'justificatif', /est vide/);
    await errorOn({ ...VALID, justificatif: 'cv.pdf' }, 'justificatif', /attend un fichier/);
  });

  it('keeps markup as text: it is data, escaped wherever it is shown', async () => {
    const result = await validateSubmission(FORM, { ...VALID, nom: '<b>Dupont</b>' });
    assert.ok(result.ok);
    assert.equal(result.values['nom'], '<b>Dupont</b>');
  });

  it('refuses control characters hidden in text', async () => {
    await errorOn({ ...VALID, nom: 'Du\u0000pont' }, 'nom', /caractères non autorisés/);
  });

  it('refuses a body that is not an object of fields', async () => {
    for (const data of [null, 'texte', [1, 2]]) {
      const result = await validateSubmission(FORM, data);
      assert.equal(result.ok, false);
    }
  });
});
