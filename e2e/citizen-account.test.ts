/**
 * A citizen's account in real Chromium: sign-up, the confirmation link read
 * from a local SMTP server, a request sent while signed in, the agent's reply
 * read in "Mes demandes" with who consulted the request and when it will be
 * deleted, then the account deleted. Every page is checked with axe-core
 * and, as sent, with the W3C Nu Html Checker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../src/back-office/testing.ts';
import { waitForCitizenLink } from '../src/citizens/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../src/mail/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { closeBrowser, newContext } from './browser.ts';
import { press } from './form-filler.ts';
import { PageChecks } from './page-checks.ts';

const T = 'val-fleuri';
const EMAIL = 'camille.durand@example.fr';
const PASSWORD = 'Glycine-Ardoise-Tramontane-2027!';
let server: TestServer;
let smtp: TestSmtpServer;
const checks = new PageChecks();

before(async () => {
  await checks.open();
  smtp = await startTestSmtpServer();
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url });
  await agentWithPassword(server.database.db, (await server.registers.current(T))!, 'agent', ['accueil'], 'lea.martin@val-fleuri.example.fr');
});

after(async () => {
  await closeBrowser();
  await server?.close();
  await smtp?.close();
  await checks.close();
});

async function fillPasswords(page: Page, password: string): Promise<void> {
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByLabel('Confirmation du mot de passe').fill(password);
}

describe('a citizen’s account (Chromium)', () => {
  let requestUrl = '';

  it('signs up, confirms the address from the e-mail and sends a request while signed in', async () => {
    const page = await (await newContext()).newPage();
    checks.record(page, 'camille');
    await page.goto(`${server.url}/${T}/mon-compte`);
    assert.match(page.url(), /\/mon-compte\/connexion/);
    await checks.axe(page, 'connexion');
    await page.getByRole('link', { name: 'Créer un compte' }).click();
    await checks.axe(page, 'inscription');

    // A weak password and a bad address: each message on its field, the address kept.
    await page.getByLabel('Adresse électronique').fill('camille.durand@');
    await fillPasswords(page, 'court');
    await press(page, 'Créer mon compte');
    assert.match(await page.title(), /^Erreur : /);
    assert.equal(await page.getByLabel('Adresse électronique').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('aria-invalid'), 'true');
    await checks.axe(page, 'inscription en erreur');

    await page.getByLabel('Adresse électronique').fill(EMAIL);
    await fillPasswords(page, PASSWORD);
    await press(page, 'Créer mon compte');
    assert.match(await page.locator('[role=status]').innerText(), new RegExp(`Un message a été envoyé à ${EMAIL.replace(/\./g, '\\.')}`));
    await checks.axe(page, 'lien envoyé');

    await page.goto(`${server.url}${await waitForCitizenLink(smtp, EMAIL, 'confirmation')}`);
    assert.match(await page.locator('h1').innerText(), /Confirmer mon adresse électronique/);
    await checks.axe(page, 'confirmation');
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await press(page, 'Confirmer mon adresse');
    assert.match(await page.locator('h1').innerText(), /Mes demandes/);
    assert.match(await page.locator('[role=status]').innerText(), /Votre adresse est confirmée/);
    assert.match(await page.locator('main').innerText(), /Aucune demande pour l’instant/);
    await checks.axe(page, 'mes demandes (vide)');

    await page.goto(`${server.url}/${T}/demarches/contact-mairie`);
    await page.getByLabel('Nom (obligatoire)', { exact: true }).fill('Durand');
    await page.getByLabel('Prénom (obligatoire)', { exact: true }).fill('Camille');
    await page.getByLabel('Adresse électronique (obligatoire)', { exact: true }).fill(EMAIL);
    await page.getByLabel('Objet de votre demande (obligatoire)', { exact: true }).selectOption('voirie');
    await page.getByLabel('Votre message (obligatoire)', { exact: true }).fill('Le banc du square est cassé.');
    await press(page, 'Envoyer ma demande');
    const code = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(await page.locator('main').innerText())?.[0];
    assert.ok(code, 'a tracking number on the receipt page');
    await checks.axe(page, 'demande envoyée');

    await page.goto(`${server.url}/${T}/mon-compte`);
    assert.match(await page.locator('caption').innerText(), /Mes demandes \(1\)/);
    assert.match(await page.locator('tbody').innerText(), new RegExp(String.raw`Contacter la mairie\s+\d{1,2} \S+ \d{4}\s+Reçue\s+${code}\s+Sera supprimée le \d{1,2} \S+ \d{4}`));
    await checks.axe(page, 'mes demandes');
    await page.getByRole('link', { name: 'Contacter la mairie' }).click();
    requestUrl = page.url();
    assert.match(await page.locator('h1').innerText(), /Contacter la mairie/);
    assert.match(await page.locator('main').innerText(), /Aucune réponse pour l’instant/);
    assert.match(await page.locator('main').innerText(), /Le banc du square est cassé\./);
    await checks.axe(page, 'ma demande');
    await page.context().close();
    assert.deepEqual(checks.axeProblems, []);
  });

  it('reads the agent’s reply, sees who consulted the request and its deletion date, then deletes the account', async () => {
    // The agent opens the request and answers (the back office in a browser has its own suite).
    const agent = new TestBrowser(server.url);
    await signInWithPassword(agent, T, 'lea.martin@val-fleuri.example.fr');
    const id = requestUrl.split('/').at(-1)!;
    const rec = `/${T}/back-office/demandes/${id}`;
    assert.equal((await agent.submit(rec, `${rec}/reponse`, { reponse: 'Le banc sera remplacé la semaine prochaine.' })).status, 303);

    const page = await (await newContext()).newPage();
    checks.record(page, 'camille-retour');
    await page.goto(`${server.url}/${T}/mon-compte/connexion`);
    await page.getByLabel('Adresse électronique').fill(EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await press(page, 'Se connecter');
    assert.match(await page.locator('tbody').innerText(), /En cours de traitement|Reçue/);
    await page.getByRole('link', { name: 'Contacter la mairie' }).click();
    const replies = page.getByRole('region', { name: 'Réponses du service' });
    assert.match(await replies.innerText(), /Le banc sera remplacé la semaine prochaine\./);
    const consulted = page.getByRole('region', { name: 'Qui a consulté ma demande' });
    assert.match(await consulted.innerText(), /Accueil de la mairie\s+Consultation/);
    assert.doesNotMatch(await consulted.innerText(), /lea\.martin/);
    assert.match(await page.locator('main').innerText(), /Conservation\s+Sera supprimée le \d{1,2} \S+ \d{4}/);
    await checks.axe(page, 'ma demande, avec la réponse');

    await page.getByRole('link', { name: 'Supprimer mon compte' }).click();
    assert.match(await page.locator('main').innerText(), /Demandes que la collectivité doit conserver\s+Elles ne seront plus rattachées.*\s+Contacter la mairie/);
    await checks.axe(page, 'suppression');
    await press(page, 'Supprimer définitivement mon compte');
    assert.match(await page.title(), /^Erreur : /);
    await checks.axe(page, 'suppression sans mot de passe');
    await page.getByLabel('Mot de passe, pour confirmer la suppression').fill(PASSWORD);
    await press(page, 'Supprimer définitivement mon compte');
    assert.match(await page.locator('h1').innerText(), /Votre compte est supprimé/);
    assert.match(await page.locator('[role=status]').innerText(), /0 demande a été supprimée ; 1 est conservée/);
    await checks.axe(page, 'compte supprimé');

    await page.goto(requestUrl);
    assert.match(page.url(), /\/mon-compte\/connexion/, 'the session went with the account');
    await page.getByLabel('Adresse électronique').fill(EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await press(page, 'Se connecter');
    assert.equal(await page.getByLabel('Adresse électronique').getAttribute('aria-invalid'), 'true');
    await checks.axe(page, 'connexion refusée');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('sends pages the W3C Nu Html Checker finds valid', async (t) => {
    const pages = await checks.documents();
    assert.ok(pages >= 14, `${pages} pages`);
    assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
  });
});
