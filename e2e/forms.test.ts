/**
 * Every form of both demo registers, in a real Chromium against the real
 * server: filled in from its declaration (a second row added with the
 * button, real files attached), sent, its tracking code read from the
 * confirmation and followed at /suivi. axe-core on the blank form, the form
 * sent empty and the confirmation; keyboard behaviour of errors; drafts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../src/server/testing.ts';
import { axeViolations, closeBrowser, newContext } from './browser.ts';
import { fillForm, labelOf, press } from './form-filler.ts';
import { FORMS, startE2EServer } from './pages.ts';

let server: TestServer;
let context: BrowserContext;

before(async () => {
  server = await startE2EServer();
  context = await newContext();
});

after(async () => {
  await context?.close();
  await closeBrowser();
  await server?.close();
});

async function withPage<T>(fn: (page: Page) => Promise<T>, ctx = context): Promise<T> {
  const page = await ctx.newPage();
  try {
    return await fn(page);
  } finally {
    await page.close();
  }
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('every form of both demo registers, in a browser', () => {
  for (const { tenant, form, path } of FORMS) {
    describe(`« ${form.title} » (${tenant.name})`, () => {
      it('is filled in with valid data, sent, and followed with its tracking code: « Reçue »', async () => {
        await withPage(async (page) => {
          await page.goto(server.url + path);
          assert.deepEqual(await axeViolations(page), [], 'axe on the blank form');
          await fillForm(page, form);
          await press(page, 'Envoyer ma demande');
          const heading = await page.getByRole('heading', { level: 1 }).innerText();
          if (heading !== 'Votre demande a bien été envoyée') assert.fail(`not sent: ${await page.locator('main').innerText()}`);
          assert.deepEqual(await axeViolations(page), [], 'axe on the confirmation');
          const code = (await page.locator('.tracking-code').innerText()).trim();
          assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
          await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Suivre ma demande' }).click()]);
          assert.equal(await page.getByLabel('Numéro de suivi (obligatoire)').inputValue(), code);
          assert.equal(await page.locator('strong.status').innerText(), 'Reçue');
          assert.match(await page.locator('main').innerText(), new RegExp(form.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        });
      });

      it('sent empty, says « Erreur » first in its title, focuses the error summary whose links lead to the fields, and passes axe', async () => {
        await withPage(async (page) => {
          await page.goto(server.url + path);
          await press(page, 'Envoyer ma demande');
          assert.match(await page.title(), /^Erreur : /);
          assert.equal(await focused(page), 'erreurs', 'the error summary has keyboard focus');
          const summary = page.getByRole('region', { name: /Le formulaire contient/ });
          const links = summary.getByRole('link');
          assert.ok((await links.count()) > 0);
          assert.deepEqual(await axeViolations(page), []);
          const href = (await links.first().getAttribute('href'))!;
          await links.first().click();
          const target = href.slice(1);
          const control = page.locator(`#${target}`);
          if (await control.evaluate((el) => el.matches('input, select, textarea'))) {
            assert.equal(await focused(page), target, 'the link moves focus to the field');
            const described = (await control.getAttribute('aria-describedby')) ?? '';
            assert.match(described, new RegExp(`${target}-error`));
            assert.equal(await control.getAttribute('aria-invalid'), 'true');
          }
        });
      });
    });
  }
});

describe('groups and keys, without JavaScript', () => {
  const enfance = FORMS.find((f) => f.form.id === 'inscription-enfance')!;

  it('runs no script on a form page but the authority’s consent manager, from the platform itself', async () => {
    await withPage(async (page) => {
      await page.goto(server.url + enfance.path);
      const scripts = await page.locator('script').evaluateAll((els) => els.map((el) => (el as HTMLScriptElement).getAttribute('src')));
      assert.equal(scripts.length, 1);
      assert.match(scripts[0] ?? '', /^\/val-fleuri\/consent\.js\?v=[\w-]{12}$/);
    });
  });

  it('adds and removes rows with buttons, keeping what was typed and moving focus to the new row', async () => {
    await withPage(async (page) => {
      await page.goto(server.url + enfance.path);
      await page.getByLabel('Nom du responsable légal (obligatoire)', { exact: true }).fill('Martin');
      await page.getByRole('group', { name: 'Enfant 1', exact: true }).getByLabel('Prénom (obligatoire)', { exact: true }).fill('Léa');
      await press(page, 'Ajouter « Enfant 2 »');
      assert.equal(await focused(page), 'f-enfants-1-nom');
      assert.equal(await page.getByLabel('Nom du responsable légal (obligatoire)', { exact: true }).inputValue(), 'Martin');
      await page.getByRole('group', { name: 'Enfant 2', exact: true }).getByLabel('Prénom (obligatoire)', { exact: true }).fill('Tom');
      await press(page, 'Retirer « Enfant 1 »');
      assert.equal(await page.getByRole('group', { name: 'Enfant 2', exact: true }).count(), 0);
      assert.equal(await page.getByRole('group', { name: 'Enfant 1', exact: true }).getByLabel('Prénom (obligatoire)', { exact: true }).inputValue(), 'Tom');
      assert.equal(await focused(page), 'f-enfants-add');
    });
  });

  it('sends the form, not « Ajouter », when Enter is pressed in a text field', async () => {
    await withPage(async (page) => {
      await page.goto(server.url + enfance.path);
      const field = page.getByLabel('Nom du responsable légal (obligatoire)', { exact: true });
      await field.fill('Martin');
      await Promise.all([page.waitForNavigation(), field.press('Enter')]);
      assert.match(await page.title(), /^Erreur : /);
      assert.equal(await page.getByRole('group', { name: 'Second responsable légal', exact: true }).count(), 0);
    });
  });

  it('reaches every control with Tab, in the order of the page, the hidden default button excluded', async () => {
    await withPage(async (page) => {
      await page.goto(server.url + enfance.path);
      await page.locator('#contenu').focus();
      const order: string[] = [];
      for (let i = 0; i < 200; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || !el.closest('main')) return null;
          return el.closest('form.demarche') ? el.id || el.getAttribute('value') || el.tagName : '';
        });
        if (id === null) break;
        if (id !== '') order.push(id);
      }
      assert.ok(!order.includes('submit') || order.indexOf('submit') > order.indexOf('f-attestation'), 'the first button reached in the form is not the hidden default one');
      assert.equal(order[0], 'f-nomResponsable');
      assert.ok(order.indexOf('f-enfants-0-nom') < order.indexOf('f-attestation'));
    });
  });
});

describe('a draft, saved and resumed elsewhere', () => {
  it('keeps what was typed behind its link, which opens in another browser, and is then sent', async () => {
    const { form, path } = FORMS.find((f) => f.form.id === 'inscription-enfance')!;
    const link = await withPage(async (page) => {
      await page.goto(server.url + path);
      await page.getByLabel('Nom du responsable légal (obligatoire)', { exact: true }).fill('Brouillon');
      await page.getByRole('group', { name: 'Enfant 1', exact: true }).getByLabel('Prénom (obligatoire)', { exact: true }).fill('Léa');
      await press(page, 'Enregistrer et reprendre plus tard');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Votre brouillon est enregistré');
      assert.deepEqual(await axeViolations(page), []);
      return (await page.locator('.resume-link a').getAttribute('href'))!;
    });
    const elsewhere = await newContext();
    try {
      await withPage(async (page) => {
        await page.goto(link);
        assert.equal(await page.getByLabel('Nom du responsable légal (obligatoire)', { exact: true }).inputValue(), 'Brouillon');
        assert.equal(await page.getByRole('group', { name: 'Enfant 1', exact: true }).getByLabel('Prénom (obligatoire)', { exact: true }).inputValue(), 'Léa');
        assert.deepEqual(await axeViolations(page), []);
        await fillForm(page, form);
        await press(page, 'Envoyer ma demande');
        assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Votre demande a bien été envoyée');
      }, elsewhere);
      const gone = await fetch(link);
      assert.equal(gone.status, 404, 'a sent draft is deleted');
    } finally {
      await elsewhere.close();
    }
  });
});

describe('the tracking page', () => {
  it('ties an unknown code’s error to the field and passes axe', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.url}/val-fleuri/suivi`);
      await page.getByLabel('Numéro de suivi (obligatoire)').fill('ABCD-EFGH-JKMN');
      await press(page, 'Consulter ma demande');
      assert.match(await page.title(), /^Erreur : /);
      assert.equal(await focused(page), 'erreurs');
      assert.match((await page.getByLabel('Numéro de suivi (obligatoire)').getAttribute('aria-describedby')) ?? '', /code-error/);
      assert.deepEqual(await axeViolations(page), []);
    });
  });
});

// A guard for the filler: a field type it does not know would be filled as text, and the test would say little.
describe('the form filler', () => {
  it('knows every field type the demo forms use, and names controls as their labels read', () => {
    const types = new Set(FORMS.flatMap(({ form }) => form.fields.flatMap((f) => [f.type, ...(f.fields ?? []).map((s) => s.type)])));
    const known = ['text', 'textarea', 'email', 'phone', 'date', 'number', 'select', 'checkbox', 'file', 'address', 'group'];
    assert.deepEqual([...types].filter((t) => !known.includes(t)), []);
    assert.equal(labelOf({ name: 'x', label: 'Nom', type: 'text', required: true, subjectKey: false }), 'Nom (obligatoire)');
    assert.equal(labelOf({ name: 'x', label: 'Nom', type: 'text', required: false, subjectKey: false }), 'Nom (facultatif)');
  });
});
