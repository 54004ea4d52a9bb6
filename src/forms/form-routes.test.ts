import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { parseRegister } from '../register/parse.ts';
import type { Form, Register } from '../register/schema.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { issueFormToken } from '../web/csrf.ts';
import { formOf, openForm, PDF, PNG, postForm, trackingCodeIn, validFormData } from './testing.ts';

function registerOf(url: URL): Register {
  const parsed = parseRegister(new Uint8Array(readFileSync(url)));
  if (!parsed.ok) throw new Error('example register is invalid');
  return parsed.register;
}
const COMMUNE = registerOf(EXAMPLE_REGISTERS.commune);
const FORMS = COMMUNE.processings.flatMap((p) => p.forms);
const ENFANCE = formOf(FORMS, 'inscription-enfance');
const CONTACT = formOf(FORMS, 'contact-mairie');
const POSTULER = formOf(FORMS, 'postuler');

/** A register with a number field, which the demo registers do not have. */
function numberRegister(): string {
  const doc = parseDocument(readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8'));
  doc.setIn(['tenant', 'id'], 'essai-nombres');
  const fields = doc.getIn(['processings', 1, 'forms', 0, 'fields']) as { add(v: unknown): void };
  fields.add(doc.createNode({ name: 'nombreRepas', label: 'Repas par semaine', type: 'number', category: 'request', required: true, min: 1, max: 5 }));
  return doc.toString();
}

for (const kind of testDatabaseKinds()) {
  describe(`citizen forms over HTTP (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
      await server.load(numberRegister());
    });
    after(async () => server.close());

    const path = (form: Form, tenant = 'val-fleuri') => `/${tenant}/demarches/${form.id}`;
    const records = (tenantId = 'val-fleuri') =>
      withPrincipal(server.database.db, { kind: 'system', tenantId }, async (trx) =>
        Number((await trx.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      );
    /** Posts the form with valid samples except `overrides`, from a freshly opened page. */
    const submit = async (form: Form, overrides: Parameters<typeof validFormData>[1] = {}, action = 'submit') => {
      const opened = await openForm(server.url, path(form));
      return { opened, ...(await postForm(server.url, path(form), opened, validFormData(form, overrides), action)) };
    };

    describe('the list of procedures', () => {
      it('links every form of the register to its page, and the tracking page', async () => {
        const html = await (await fetch(`${server.url}/val-fleuri/demarches`)).text();
        for (const form of FORMS) assert.ok(html.includes(`href="/val-fleuri/demarches/${form.id}"`), form.id);
        assert.ok(html.includes('href="/val-fleuri/suivi"'));
      });
    });

    describe('a blank form', () => {
      it('is rendered from the register with labels, mentions, hints, autocomplete and the art. 13 box', async () => {
        const res = await fetch(server.url + path(ENFANCE));
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /<title>Inscription scolaire, périscolaire et extrascolaire – Commune de Val-Fleuri<\/title>/);
        assert.match(html, /<label for="f-nomResponsable">Nom du responsable légal <span class="mention">\(obligatoire\)<\/span><\/label>/);
        assert.match(html, /<label for="f-telephoneAutre">[^<]+<span class="mention">\(facultatif\)<\/span>/);
        assert.match(html, /id="f-nomResponsable" name="nomResponsable" aria-describedby="f-nomResponsable-hint" required autocomplete="family-name"/);
        assert.match(html, /<p class="hint" id="f-nomResponsable-hint">100 caractères maximum\.<\/p>/);
        assert.match(html, /<legend>Enfant 1<\/legend>/);
        assert.match(html, /name="enfants\[0\]\[dateNaissance\]"/);
        assert.match(html, /id="f-enfants-0-dateNaissance"/);
        assert.match(html, /Format : JJ\/MM\/AAAA/);
        assert.match(html, /PDF, JPEG ou PNG, 5 Mo/);
        assert.match(html, /value="add:enfants">Ajouter « Enfant 2 »<\/button>/);
        assert.match(html, /enctype="multipart\/form-data"/);
        assert.match(html, /Enregistrer et reprendre plus tard/);
        assert.match(html, /<aside class="gdpr-box"[\s\S]*Base légale|Sur quelle base/);
        assert.ok(html.includes('href="/val-fleuri/donnees-personnelles#traitement-enfance-jeunesse"'));
        assert.match(html, /10 ans à compter de votre demande lorsque/);
      });

      it('sets the bastide_session cookie HttpOnly and SameSite=Lax, and not Secure over http', async () => {
        const res = await fetch(server.url + path(CONTACT));
        const cookie = res.headers.get('set-cookie') ?? '';
        assert.match(cookie, /^bastide_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
        assert.equal(res.headers.get('cache-control'), 'no-store');
      });

      it('answers an unknown form with a French 404 page', async () => {
        const res = await fetch(`${server.url}/val-fleuri/demarches/inconnue`);
        assert.equal(res.status, 404);
        assert.match(await res.text(), /Démarche introuvable/);
      });
    });

    describe('a valid submission', () => {
      it('stores one record and shows the tracking code, the link to follow it and the receipt', async () => {
        const before = await records();
        const res = await submit(CONTACT);
        assert.equal(res.status, 200, res.html.slice(0, 500));
        const code = trackingCodeIn(res.html);
        assert.ok(code, 'the confirmation shows a tracking code');
        assert.match(res.html, /Votre demande a bien été envoyée/);
        assert.ok(res.html.includes(`/val-fleuri/suivi?code=${code}`));
        assert.match(res.html, /accusé de réception[^<]*a été envoyé/);
        assert.equal(await records(), before + 1);
        const tracked = await (await fetch(`${server.url}/val-fleuri/suivi?code=${code}`)).text();
        assert.match(tracked, /<strong class="status">Reçue<\/strong>/);
      });

      it('refuses the same form token a second time: « Ce formulaire a déjà été envoyé », no second record', async () => {
        const opened = await openForm(server.url, path(CONTACT));
        const first = await postForm(server.url, path(CONTACT), opened, validFormData(CONTACT));
        assert.equal(first.status, 200);
        const count = await records();
        const replay = await postForm(server.url, path(CONTACT), opened, validFormData(CONTACT));
        assert.equal(replay.status, 409);
        assert.match(replay.html, /Ce formulaire a déjà été envoyé/);
        assert.equal(await records(), count);
      });

      it('accepts a form with groups, files and two rows', async () => {
        const before = await records();
        const res = await submit(ENFANCE);
        assert.equal(res.status, 200, res.html.match(/<section class="error-summary"[\s\S]*?<\/div>/)?.[0]);
        assert.ok(trackingCodeIn(res.html));
        assert.equal(await records(), before + 1);
      });

      it('accepts a number within its bounds', async () => {
        const form = formOf(server.registers ? (await server.registers.current('essai-nombres'))!.register.processings.flatMap((p) => p.forms) : [], 'inscription-cantine');
        const opened = await openForm(server.url, path(form, 'essai-nombres'));
        const ok = await postForm(server.url, path(form, 'essai-nombres'), opened, validFormData(form, { nombreRepas: '4' }));
        assert.equal(ok.status, 200);
        const again = await openForm(server.url, path(form, 'essai-nombres'));
        const bad = await postForm(server.url, path(form, 'essai-nombres'), again, validFormData(form, { nombreRepas: '9' }));
        assert.equal(bad.status, 400);
        assert.match(bad.html, /« Repas par semaine » doit être au plus 5/);
        const nan = await postForm(server.url, path(form, 'essai-nombres'), again, validFormData(form, { nombreRepas: 'beaucoup' }));
        assert.match(nan.html, /« Repas par semaine » doit être un nombre/);
        assert.match(again.html, /Un nombre entre 1 et 5/);
      });
    });

    describe('CSRF protection', () => {
      for (const [name, tamper] of [
        ['no token', (o: { cookie: string; token: string }) => ({ ...o, token: '' })],
        ['a forged token', (o: { cookie: string; token: string }) => ({ ...o, token: o.token.slice(0, -4) + 'AAAA' })],
        ['no session cookie', (o: { cookie: string; token: string }) => ({ ...o, cookie: '' })],
      ] as const) {
        it(`refuses ${name} with a French 403 page that keeps what was typed`, async () => {
          const before = await records();
          const opened = await openForm(server.url, path(CONTACT));
          const res = await postForm(server.url, path(CONTACT), tamper(opened), validFormData(CONTACT, { nom: 'Dupont-Gardé' }));
          assert.equal(res.status, 403);
          assert.match(res.html, /<title>Erreur : /);
          assert.match(res.html, /Ce formulaire n’a pas pu être vérifié/);
          assert.match(res.html, /value="Dupont-Gardé"/);
          assert.ok(res.html.includes(`<a href="${path(CONTACT)}">recharger le formulaire vide</a>`));
          assert.equal(await records(), before);
        });
      }

      it('refuses a token issued for another session', async () => {
        const mine = await openForm(server.url, path(CONTACT));
        const theirs = await openForm(server.url, path(CONTACT));
        const res = await postForm(server.url, path(CONTACT), { cookie: mine.cookie, token: theirs.token }, validFormData(CONTACT));
        assert.equal(res.status, 403);
      });

      it('refuses a token older than two hours, saying the form expired', async () => {
        const opened = await openForm(server.url, path(CONTACT));
        const session = opened.cookie.split('=')[1]!;
        const old = await issueFormToken(server.ctx.keys, 'val-fleuri', session, CONTACT.id, Date.now() - 2 * 3600_000 - 1000);
        const res = await postForm(server.url, path(CONTACT), { cookie: opened.cookie, token: old }, validFormData(CONTACT, { message: 'Mon message gardé' }));
        assert.equal(res.status, 403);
        assert.match(res.html, /Ce formulaire a expiré/);
        assert.match(res.html, /Mon message gardé<\/textarea>/);
        // The page re-rendered carries a fresh token that works.
        const fresh = /name="_csrf" value="([^"]+)"/.exec(res.html)![1]!;
        const retry = await postForm(server.url, path(CONTACT), { cookie: opened.cookie, token: fresh }, validFormData(CONTACT));
        assert.equal(retry.status, 200);
      });

      it('refuses a token issued for another form', async () => {
        const other = await openForm(server.url, path(POSTULER));
        const res = await postForm(server.url, path(CONTACT), other, validFormData(CONTACT));
        assert.equal(res.status, 403);
      });
    });

    describe('invalid input, re-rendered with errors (400, never a record)', () => {
      const cases: Array<[string, Form, Parameters<typeof validFormData>[1], RegExp]> = [
        ['a mandatory text left empty', CONTACT, { nom: '' }, /Le champ « Nom » est obligatoire/],
        ['a text over its maximum length', CONTACT, { nom: 'x'.repeat(101) }, /« Nom » ne peut pas dépasser 100 caractères/],
        ['a textarea over its maximum length', CONTACT, { message: 'y'.repeat(5001) }, /ne peut pas dépasser 5000 caractères/],
        ['an impossible date (31/02/2026)', ENFANCE, { 'enfants[0][dateNaissance]': '31/02/2026' }, /« Date de naissance » doit être une date valide au format JJ\/MM\/AAAA/],
        ['a bad phone number', CONTACT, { telephone: '12 34' }, /« Téléphone » doit être un numéro de téléphone valide/],
        ['a bad e-mail address', CONTACT, { courriel: 'camille@' }, /doit être une adresse électronique valide/],
        ['an option that is not offered', CONTACT, { objet: 'pirate' }, /doit être l&#39;une des valeurs proposées/],
        ['a mandatory checkbox left unchecked', ENFANCE, { attestation: null }, /Cochez la case « J&#39;atteste/],
        ['a mandatory file missing', POSTULER, { cv: null }, /Le champ « CV » est obligatoire|« [^»]+ » est obligatoire/],
        ['a PNG renamed .pdf for a PDF or text-document field', POSTULER, { cv: { kind: 'file', name: 'cv.pdf', mimeType: 'application/pdf', buffer: PNG } }, /n&#39;est pas d&#39;un type accepté \(PDF, ODT ou DOCX|n&#39;est pas d&#39;un type accepté/],
      ];
      for (const [name, form, overrides, message] of cases) {
        it(`refuses ${name}`, async () => {
          const before = await records();
          const res = await submit(form, overrides);
          assert.equal(res.status, 400);
          assert.match(res.html, /<title>Erreur : /);
          assert.match(res.html, message);
          assert.equal(await records(), before);
        });
      }

      it('refuses an undeclared field, at the top level or in a group row', async () => {
        const before = await records();
        const body = validFormData(ENFANCE);
        body.set('champInconnu', 'x');
        body.set('enfants[0][poids]', '20');
        const opened = await openForm(server.url, path(ENFANCE));
        const res = await postForm(server.url, path(ENFANCE), opened, body);
        assert.equal(res.status, 400);
        assert.match(res.html, /<li>Le champ « champInconnu » n&#39;est pas prévu par ce formulaire/);
        assert.match(res.html, /Le champ « poids » n&#39;est pas prévu/);
        assert.equal(await records(), before);
      });

      it('refuses an oversized upload with a message naming the field (400, not 413)', async () => {
        const before = await records();
        const big = Buffer.concat([PDF, Buffer.alloc(5_000_001)]);
        const res = await submit(POSTULER, { cv: { kind: 'file', name: 'cv.pdf', mimeType: 'application/pdf', buffer: big } });
        assert.equal(res.status, 400);
        assert.match(res.html, /Le fichier joint au champ « [^»]+ » est trop volumineux \(au plus 5 Mo\)/);
        assert.equal(await records(), before);
      });

      it('refuses too many and too few rows of a group', async () => {
        const many = validFormData(ENFANCE);
        many.set('_rows[enfants]', '9');
        const opened = await openForm(server.url, path(ENFANCE));
        const res = await postForm(server.url, path(ENFANCE), opened, many);
        assert.equal(res.status, 400);
        assert.match(res.html, /Le groupe « Enfants à inscrire » compte au plus 8 lignes \(9 reçues\)/);
        const few = validFormData(ENFANCE);
        for (const key of [...few.keys()]) if (key.startsWith('contactsUrgence[')) few.delete(key);
        few.set('_rows[contactsUrgence]', '0');
        const res2 = await postForm(server.url, path(ENFANCE), opened, few);
        assert.equal(res2.status, 400);
        assert.match(res2.html, /doit compter au moins 1 ligne/);
      });

      it('lists every error at the top with links to the fields, and ties each message with aria-describedby', async () => {
        const opened = await openForm(server.url, path(ENFANCE));
        // What a browser sends for the blank form: one empty row in each mandatory group.
        const blank = new FormData();
        blank.set('_rows[enfants]', '1');
        blank.set('_rows[contactsUrgence]', '1');
        const res = await postForm(server.url, path(ENFANCE), opened, blank);
        assert.equal(res.status, 400);
        const summary = /<section class="error-summary" id="erreurs" tabindex="-1" autofocus[\s\S]*?<\/section>/.exec(res.html)?.[0] ?? '';
        assert.match(summary, /<h2 id="erreurs-titre">Le formulaire contient \d+ erreurs<\/h2>/);
        assert.match(summary, /<a href="#f-nomResponsable">Le champ « Nom du responsable légal » est obligatoire\.<\/a>/);
        assert.match(summary, /<a href="#f-enfants-0-nom">/);
        assert.match(res.html, /id="f-nomResponsable" name="nomResponsable" aria-describedby="f-nomResponsable-hint f-nomResponsable-error" aria-invalid="true"/);
        assert.match(res.html, /<p class="error-message" id="f-nomResponsable-error"><span class="visually-hidden">Erreur : <\/span>/);
        assert.ok(res.html.indexOf('class="error-summary"') < res.html.indexOf('<form'), 'the summary comes before the form');
      });

      it('re-renders markup typed in a field as text, escaped', async () => {
        const res = await submit(CONTACT, { nom: '<script>alert(1)</script>', courriel: 'pas-une-adresse' });
        assert.equal(res.status, 400);
        assert.ok(res.html.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;"'));
        assert.ok(!res.html.includes('<script>alert(1)'));
      });

      it('says that a file chosen before a re-render must be chosen again', async () => {
        const res = await submit(POSTULER, { nom: '' });
        assert.equal(res.status, 400);
        assert.match(res.html, /Le fichier « piece\.pdf » choisi précédemment n’a pas été conservé : choisissez-le à nouveau/);
        assert.match(res.html, /aria-describedby="f-cv-hint f-cv-file"/);
      });

      it('answers a body that is not multipart with a French 400 page', async () => {
        const opened = await openForm(server.url, path(CONTACT));
        const res = await fetch(server.url + path(CONTACT), { method: 'POST', headers: { cookie: opened.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'nom=x' });
        assert.ok(res.status === 400 || res.status === 415, String(res.status));
        assert.match(await res.text(), /lang="fr"/);
      });

      it('answers a body with more fields than the form can hold with a 400 page, not a 413', async () => {
        const body = validFormData(CONTACT);
        for (let i = 0; i < 500; i++) body.append(`extra${i}`, 'x');
        const opened = await openForm(server.url, path(CONTACT));
        const res = await postForm(server.url, path(CONTACT), opened, body);
        assert.equal(res.status, 400);
        assert.match(res.html, /plus de champs ou de fichiers que cette démarche n’en prévoit/);
      });
    });

    describe('rows of a group, without JavaScript', () => {
      it('adds a row when « Ajouter » is pressed, keeping the data and focusing the new row', async () => {
        const opened = await openForm(server.url, path(ENFANCE));
        const body = new FormData();
        body.set('nomResponsable', 'Martin');
        body.set('_rows[enfants]', '1');
        body.set('enfants[0][prenom]', 'Léa');
        const res = await postForm(server.url, path(ENFANCE), opened, body, 'add:enfants');
        assert.equal(res.status, 200);
        assert.match(res.html, /<legend>Enfant 2<\/legend>/);
        assert.match(res.html, /name="nomResponsable"[^>]*value="Martin"/);
        assert.match(res.html, /name="enfants\[0\]\[prenom\]"[^>]*value="Léa"/);
        assert.match(res.html, /id="f-enfants-1-nom"[^>]*autofocus/);
        assert.match(res.html, /Retirer « Enfant 2 »/);
        assert.doesNotMatch(res.html, /class="error-summary"/);
      });

      it('removes the row whose « Retirer » button was pressed', async () => {
        const opened = await openForm(server.url, path(ENFANCE));
        const body = new FormData();
        body.set('_rows[enfants]', '2');
        body.set('enfants[0][prenom]', 'Léa');
        body.set('enfants[1][prenom]', 'Tom');
        const res = await postForm(server.url, path(ENFANCE), opened, body, 'remove:enfants:0');
        assert.equal(res.status, 200);
        assert.doesNotMatch(res.html, /<legend>Enfant 2<\/legend>/);
        assert.match(res.html, /name="enfants\[0\]\[prenom\]"[^>]*value="Tom"/);
        assert.doesNotMatch(res.html, /Léa/);
      });
    });
  });
}
