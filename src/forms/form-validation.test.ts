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
  media: [],
  fields: [
    { name: 'nom', label: 'Nom', type: 'text', category: 'identification', required: true, subjectKey: false, maxLength: 20 },
    { name: 'courriel', label: 'Courriel', type: 'email', category: 'contact', required: true, subjectKey: true },
    { name: 'telephone', label: 'Téléphone', type: 'phone', category: 'contact', required: false, subjectKey: false },
    { name: 'naissance', label: 'Date de naissance', type: 'date', category: 'civil-status', required: false, subjectKey: false, notBefore: '-P120Y', notAfter: 'today' },
    { name: 'codePostal', label: 'Code postal', type: 'text', category: 'contact', required: false, subjectKey: false, maxLength: 5, pattern: '^[0-9]{5}$', patternMessage: '5 chiffres, par exemple 31000' },
    { name: 'rue', label: 'Rue', type: 'text', category: 'contact', required: false, subjectKey: false, pattern: '[0-9]+ .+' },
    { name: 'message', label: 'Message', type: 'textarea', category: 'request', required: false, subjectKey: false },
    { name: 'adresse', label: 'Adresse', type: 'address', category: 'contact', required: false, subjectKey: false },
    { name: 'constructor', label: 'Constructeur', type: 'text', category: 'request', required: false, subjectKey: false },
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

describe('strict types and characters (what once reached the database, or got in)', () => {
  it('refuses a JSON number, boolean, object or list where text is expected', async () => {
    for (const value of [12, true, { a: 'b' }, ['Dupont'], []]) await errorOn({ ...VALID, nom: value }, 'nom', /« Nom » attend du texte/);
    await errorOn({ ...VALID, codePostal: 31000 }, 'codePostal', /attend du texte/);
  });

  it('refuses anything but a string for an e-mail, phone, date or option', async () => {
    await errorOn({ ...VALID, courriel: { email: 'a@b.fr' } }, 'courriel', /attend une adresse électronique/);
    await errorOn({ ...VALID, telephone: 612345678 }, 'telephone', /attend un numéro de téléphone/);
    await errorOn({ ...VALID, naissance: 20240229 }, 'naissance', /attend une date/);
    await errorOn({ ...VALID, tarif: ['normal'] }, 'tarif', /attend l'une des valeurs proposées/);
  });

  it('takes a JSON number or a numeric string (as HTML sends it) for a number, and nothing else', async () => {
    for (const [value, n] of [[3, 3], ['3', 3], [' 2,5 ', 2.5]] as const) {
      const result = await validateSubmission(FORM, { ...VALID, enfantsACharge: value });
      assert.ok(result.ok, JSON.stringify(value));
      assert.equal(result.values['enfantsACharge'], n);
    }
    for (const value of [true, [2], { n: 2 }]) await errorOn({ ...VALID, enfantsACharge: value }, 'enfantsACharge', /attend un nombre/);
    await errorOn({ ...VALID, enfantsACharge: '1e3' }, 'enfantsACharge', /doit être un nombre/);
  });

  it('refuses a NUL in an e-mail address, naming the field', async () => {
    await errorOn({ ...VALID, courriel: 'jeanne\u0000@example.fr' }, 'courriel', /« Courriel » contient des caractères non autorisés/);
  });

  it('refuses a lone UTF-16 surrogate in any string, naming the field', async () => {
    await errorOn({ ...VALID, nom: 'Du\uD800pont' }, 'nom', /« Nom » contient un caractère mal encodé/);
    await errorOn({ ...VALID, message: 'fin\uDC00' }, 'message', /« Message » contient un caractère mal encodé/);
    await errorOn({ ...VALID, tarif: 'normal\uD83D' }, 'tarif', /mal encodé/);
    await errorOn({ ...VALID, enfants: [{ prenom: '\uDFFFLéa' }] }, 'enfants[0].prenom', /« Prénom » contient un caractère mal encodé/);
    await errorOn({ ...VALID, justificatif: file(PDF, 'piece\uD800.pdf') }, 'justificatif', /nom du fichier .* contient des caractères non autorisés/);
  });

  it('refuses a mandatory box left unticked however "no" is written', async () => {
    for (const value of [false, 'false', '0']) await errorOn({ ...VALID, accord: value }, 'accord', /Cochez la case « J’accepte le règlement »/);
  });

  it('refuses a control character even where trimming would have hidden it', async () => {
    for (const c of ['\u000B', '\u000C', '\u0085']) {
      await errorOn({ ...VALID, tarif: `normal${c}` }, 'tarif', /caractères non autorisés/);
      await errorOn({ ...VALID, nom: `${c}Dupont` }, 'nom', /caractères non autorisés/);
    }
  });

  it('refuses C0 and C1 control characters; line breaks only in multi-line fields', async () => {
    for (const c of ['\u0001', '\u001B', '\u007F', '\u0085', '\u009B']) await errorOn({ ...VALID, nom: `Du${c}pont` }, 'nom', /caractères non autorisés/);
    await errorOn({ ...VALID, message: 'bonjour\u0007' }, 'message', /caractères non autorisés/);
    await errorOn({ ...VALID, nom: 'Du\npont' }, 'nom', /tient sur une seule ligne/);
    await errorOn({ ...VALID, telephone: '06 12\r\n34 56 78' }, 'telephone', /tient sur une seule ligne/);
    const multi = await validateSubmission(FORM, { ...VALID, message: 'Ligne 1\r\n\tLigne 2', adresse: '3 rue des Lilas\nBât. B' });
    assert.ok(multi.ok, JSON.stringify(!multi.ok && multi.errors));
    assert.equal(multi.values['message'], 'Ligne 1\r\n\tLigne 2');
    assert.equal(multi.values['adresse'], '3 rue des Lilas\nBât. B');
    // A tab pasted in a single-line field is a space; around the value it is trimmed.
    const tab = await validateSubmission(FORM, { ...VALID, nom: 'Dupont\tMartin', courriel: ' jeanne@example.fr\n' });
    assert.ok(tab.ok);
    assert.equal(tab.values['nom'], 'Dupont Martin');
    assert.equal(tab.values['courriel'], 'jeanne@example.fr');
  });

  it('strips bidirectional and zero-width characters from names and file names, not from prose', async () => {
    const result = await validateSubmission(FORM, {
      ...VALID,
      nom: '\u200FDu\u200Bpont\u202E',
      courriel: 'jeanne\u200D@example.fr',
      justificatif: file(PDF, 'facture\u202Efdp.exe'),
      enfants: [{ prenom: '\u2067Léa\u2069\uFEFF' }],
      message: 'مرحبا\u200F 2024',
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.values['nom'], 'Dupont');
    assert.equal(result.values['courriel'], 'jeanne@example.fr');
    assert.equal((result.values['justificatif'] as SubmittedFile).filename, 'facturefdp.exe');
    assert.deepEqual(result.values['enfants'], [{ prenom: 'Léa' }]);
    assert.equal(result.values['message'], 'مرحبا\u200F 2024');
  });

  it('keeps accented, Arabic and Breton names whole (only the marks around them go)', async () => {
    for (const [sent, kept] of [
      ['Zoé Lefèvre-Ñúñez', 'Zoé Lefèvre-Ñúñez'],
      ['\u200Fمحمد\u200F', 'محمد'],
      ['Le Goff ar C’hoz', 'Le Goff ar C’hoz'],
      ['Nguyễn', 'Nguyễn'],
      ['Zoe\u0301', 'Zoé'],
    ]) {
      const result = await validateSubmission(FORM, { ...VALID, nom: sent });
      assert.ok(result.ok, sent);
      assert.equal(result.values['nom'], kept);
    }
  });

  it('refuses a birth date in 2099 or before 120 years ago, with the bound', async () => {
    await errorOn({ ...VALID, naissance: '2099-01-01' }, 'naissance', /« Date de naissance » doit être une date au plus tard aujourd'hui\./);
    await errorOn({ ...VALID, naissance: '01/01/1901' }, 'naissance', /doit être une date au plus tôt le \d{2}\/\d{2}\/19\d{2}\./);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    assert.ok((await validateSubmission(FORM, { ...VALID, naissance: today })).ok, 'today itself is accepted');
  });

  it('refuses a value out of its pattern, with the register’s format', async () => {
    for (const value of ['1.5', '3100', 'ABCDE', '3 100', '-3100'])
      await errorOn({ ...VALID, codePostal: value }, 'codePostal', /« Code postal » n'a pas le format attendu : 5 chiffres, par exemple 31000\./);
    await errorOn({ ...VALID, rue: 'rue des Lilas' }, 'rue', /« Rue » n'a pas le format attendu\.$/);
    assert.ok((await validateSubmission(FORM, { ...VALID, codePostal: ' 31000 ', rue: '12 rue des Lilas' })).ok);
  });

  it('reads only own keys: a field named constructor is not given Object', async () => {
    const result = await validateSubmission(FORM, VALID);
    assert.ok(result.ok);
    assert.equal('constructor' in result.values && Object.hasOwn(result.values, 'constructor'), false);
    await errorOn({ ...VALID, constructor: { name: 'x' } }, 'constructor', /attend du texte/);
  });

  it('names an undeclared key without its invisible or broken characters', async () => {
    const errors = await errorsFor({ ...VALID, ['a\u202Eb\u0000c\uD800']: 'x' });
    const error = errors.find((e) => /n'est pas prévu/.test(e.message));
    assert.ok(error);
    assert.equal(error.field, 'abc\uFFFD');
    assert.ok(error.message.isWellFormed());
  });
});
