/**
 * Each bad input that once got a 500 or got in, sent as a client would: to
 * the JSON API (400 with the field's path, nothing stored) and, where a
 * browser can send it, to the HTML form (400, the page again with what was
 * typed and the message tied to its field).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds } from '../db/testing.ts';
import { accountWithToken, applicationData, contactData, enrolmentData, pdf } from '../records/testing.ts';
import type { Form } from '../register/schema.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { formOf, openForm, PDF, postForm, trackingCodeIn, validFormData } from './testing.ts';

const TENANT = 'val-fleuri';

interface Answer {
  status: number;
  body: { errors?: Array<{ field: string; message: string }>; id?: string; [key: string]: unknown };
}

for (const kind of testDatabaseKinds()) {
  describe(`bad submissions over HTTP (${kind})`, () => {
    let server: TestServer;
    let forms: Form[];
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune] });
      forms = (await server.registers.current(TENANT))!.register.processings.flatMap((p) => p.forms);
    });
    after(async () => server.close());

    const records = () =>
      withPrincipal(server.database.db, { kind: 'system', tenantId: TENANT }, async (trx) =>
        Number((await trx.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      );

    /** POSTs raw JSON text (so that duplicate keys and escapes reach the server as written). */
    async function post(formId: string, payload: string): Promise<Answer> {
      const res = await server.app.inject({ method: 'POST', url: `/api/v1/${TENANT}/forms/${formId}/submissions`, headers: { 'content-type': 'application/json' }, payload });
      return { status: res.statusCode, body: res.json() };
    }

    async function refused(formId: string, payload: string, field: string, message: RegExp) {
      const before = await records();
      const answer = await post(formId, payload);
      assert.equal(answer.status, 400, JSON.stringify(answer.body).slice(0, 500));
      const error = answer.body.errors?.find((e) => e.field === field);
      assert.ok(error, `no error on ${field}: ${JSON.stringify(answer.body).slice(0, 500)}`);
      assert.match(error.message, message);
      assert.equal(await records(), before, 'nothing stored');
      return answer;
    }

    const data = (d: unknown) => JSON.stringify({ data: d });

    describe('the JSON API', () => {
      it('refuses a JSON number or an object in a text field', async () => {
        await refused('contact-mairie', data(contactData({ nom: 12 })), 'nom', /« Nom » attend du texte/);
        await refused('contact-mairie', data(contactData({ nom: { first: 'Claire' } })), 'nom', /« Nom » attend du texte/);
        await refused('contact-mairie', data(contactData({ objet: ['voirie'] })), 'objet', /attend l'une des valeurs proposées/);
      });

      it('refuses a NUL inside an e-mail address', async () => {
        await refused('contact-mairie', data(contactData({ courriel: 'claire\u0000.martin@example.fr' })), 'courriel', /contient des caractères non autorisés/);
      });

      it('refuses a lone surrogate, escaped in the JSON text or not', async () => {
        await refused('contact-mairie', data(contactData({ nom: 'Mar\uD800tin' })), 'data.nom', /caractère Unicode invalide/);
        await refused('contact-mairie', data(contactData()).replace('"Martin"', '"Mar\\udc00tin"'), 'data.nom', /caractère Unicode invalide/);
      });

      it('refuses JSON nested 5,000 levels deep (no RangeError, no 500)', async () => {
        const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
        await refused('contact-mairie', data(contactData()).replace('"Martin"', deep), 'data.nom', /imbriquées trop profondément/);
        await refused('contact-mairie', `{"data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, 'data.a.a.a.a.a.a.a', /imbriquées trop profondément/);
      });

      it('refuses a key sent twice', async () => {
        await refused('contact-mairie', data(contactData()).replace('"nom":"Martin"', '"nom":"Martin","nom":"Durand"'), 'data.nom', /figure deux fois/);
        await refused('contact-mairie', `{"data":${data(contactData()).slice(8, -1)},"data":{}}`, 'data', /figure deux fois/);
      });

      it('refuses a birth date in 2099, and one 130 years ago', async () => {
        const child = enrolmentData({ prenom: 'Léa', allergies: 'aucune' });
        child.enfants[0]!.dateNaissance = '2099-04-12';
        await refused('inscription-enfance', data(child), 'enfants[0].dateNaissance', /« Date de naissance » doit être une date au plus tard aujourd'hui/);
        await refused('recensement', data({ dateNaissance: '1890-01-01' }), 'dateNaissance', /doit être une date valide|au plus tôt/);
      });

      it('refuses a postcode 1.5, as a number or as text', async () => {
        const child = enrolmentData({ prenom: 'Léa', allergies: 'aucune' });
        await refused('inscription-enfance', data({ ...child, codePostal: '1.5' }), 'codePostal', /« Code postal » n'a pas le format attendu : 5 chiffres, par exemple 31000/);
        await refused('inscription-enfance', data({ ...child, codePostal: 1.5 }), 'codePostal', /attend du texte/);
      });

      it('stores a file whose name hides a bidi override with the override removed', async () => {
        const answer = await post('postuler', data(applicationData({ filename: 'facture\u202Efdp.pdf', bytes: pdf('bidi') })));
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        const loaded = (await server.registers.current(TENANT))!;
        const recruiter = await accountWithToken(server.database.db, loaded, 'agent', ['rh']);
        const auth = { authorization: `Bearer ${recruiter.token}` };
        const record = (await server.app.inject({ method: 'GET', url: `/api/v1/${TENANT}/records/${answer.body.id}`, headers: auth })).json();
        assert.equal(record.files[0].filename, 'facturefdp.pdf');
        const file = await server.app.inject({ method: 'GET', url: record.files[0].url, headers: auth });
        assert.match(String(file.headers['content-disposition']), /filename="facturefdp\.pdf"/);
      });

      it('refuses a file name holding a NUL', async () => {
        await refused('postuler', data(applicationData({ filename: 'cv\u0000.pdf', bytes: pdf() })), 'cv', /nom du fichier .* contient des caractères non autorisés/);
      });
    });

    describe('the HTML form', () => {
      const path = (form: Form) => `/${TENANT}/demarches/${form.id}`;
      async function rerendered(form: Form, overrides: Parameters<typeof validFormData>[1], id: string, message: RegExp) {
        const before = await records();
        const opened = await openForm(server.url, path(form));
        const res = await postForm(server.url, path(form), opened, validFormData(form, overrides));
        assert.equal(res.status, 400, res.html.slice(0, 300));
        const error = new RegExp(`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>([^<]*)</p>`).exec(res.html);
        assert.ok(error, `no message tied to ${id}`);
        assert.match(error[1]!, message);
        assert.match(res.html, new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error"[^>]*aria-invalid="true"`));
        assert.ok(res.html.includes(`<a href="#${id}">`), 'the summary links to the field');
        assert.equal(await records(), before, 'nothing stored');
        return res.html;
      }

      it('refuses a NUL in an e-mail address and shows what was typed', async () => {
        const html = await rerendered(formOf(forms, 'contact-mairie'), { courriel: 'claire\u0000@example.fr' }, 'f-courriel', /« Adresse électronique » contient des caractères non autorisés/);
        assert.ok(html.includes('value="claire\u0000@example.fr"'));
      });

      it('refuses a child born in 2099, keeping the date', async () => {
        const html = await rerendered(formOf(forms, 'inscription-enfance'), { 'enfants[0][dateNaissance]': '2099-04-12' }, 'f-enfants-0-dateNaissance', /doit être une date au plus tard aujourd&#39;hui/);
        assert.match(html, /id="f-enfants-0-dateNaissance"[^>]* max="\d{4}-\d{2}-\d{2}" value="2099-04-12"/);
      });

      it('refuses a postcode 1.5, keeping it, with the format said before and after', async () => {
        const html = await rerendered(formOf(forms, 'inscription-enfance'), { codePostal: '1.5' }, 'f-codePostal', /n&#39;a pas le format attendu : 5 chiffres, par exemple 31000/);
        assert.match(html, /id="f-codePostal"[^>]* pattern="\^\[0-9\]\{5\}\$" value="1\.5"/);
        assert.match(html, /<p class="hint" id="f-codePostal-hint">Format : 5 chiffres, par exemple 31000\.<\/p>/);
      });

      it('refuses a line break or a field sent twice in a single-line field', async () => {
        const form = formOf(forms, 'contact-mairie');
        await rerendered(form, { nom: 'Mar\ntin' }, 'f-nom', /tient sur une seule ligne/);
        const opened = await openForm(server.url, path(form));
        const body = validFormData(form);
        body.append('nom', 'Durand');
        const res = await postForm(server.url, path(form), opened, body);
        assert.equal(res.status, 400);
        assert.match(res.html, /« Nom » attend du texte/);
        const enfance = formOf(forms, 'inscription-enfance');
        const row = validFormData(enfance);
        row.append('enfants[0][prenom]', 'Tom');
        const twice = await postForm(server.url, path(enfance), await openForm(server.url, path(enfance)), row);
        assert.equal(twice.status, 400);
        assert.match(twice.html, /id="f-enfants-0-prenom-error"><span class="visually-hidden">Erreur : <\/span>Le champ « Prénom » attend du texte/);
      });

      it('shows a file name with a bidi override without it, and stores it so', async () => {
        const form = formOf(forms, 'postuler');
        const cv = { kind: 'file' as const, name: 'cv\u202Efdp.pdf', mimeType: 'application/pdf', buffer: PDF };
        const html = await rerendered(form, { cv, codePostal: '1.5' }, 'f-codePostal', /format attendu/);
        assert.ok(html.includes('Le fichier « cvfdp.pdf » choisi précédemment'));
        assert.ok(!html.includes('\u202E'));
        const opened = await openForm(server.url, path(form));
        const ok = await postForm(server.url, path(form), opened, validFormData(form, { cv }));
        assert.equal(ok.status, 200, ok.html.slice(0, 300));
        assert.ok(trackingCodeIn(ok.html));
      });

      it('refuses a part named __proto__ (the multipart reader stops there) with a page, not a 500', async () => {
        for (const [form, part] of [
          [formOf(forms, 'contact-mairie'), 'x'],
          [formOf(forms, 'postuler'), new Blob([new Uint8Array(PDF)], { type: 'application/pdf' })],
        ] as const) {
          const opened = await openForm(server.url, path(form));
          const body = validFormData(form, { cv: null });
          if (typeof part === 'string') body.append('__proto__', part);
          else body.append('__proto__', part, 'x.pdf');
          const before = await records();
          const res = await postForm(server.url, path(form), opened, body);
          assert.equal(res.status, 400, form.id);
          assert.match(res.html, /Le formulaire n’a pas pu être lu/, form.id);
          assert.equal(await records(), before);
        }
      });
    });
  });
}
