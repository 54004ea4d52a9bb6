/**
 * A day in the back office, in real Chromium: an agent signs in, enrols in
 * TOTP, signs out and in again with a code, filters the list, claims a
 * request, writes a note, replies to the citizen, closes it; a colleague
 * sees who holds it; the filtered list is exported as CSV. Every
 * page on the way is checked with axe-core (WCAG 2.1 AA) and, as the server
 * sent it, with the W3C Nu Html Checker.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCode } from '../src/accounts/totp.ts';
import { agentWithPassword, PASSWORD } from '../src/back-office/testing.ts';
import { contactData } from '../src/records/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { closeBrowser, newContext } from './browser.ts';
import { PageChecks } from './page-checks.ts';

const T = 'val-fleuri';
let server: TestServer;
const checks = new PageChecks();

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${server.url}/${T}/back-office`);
  assert.match(page.url(), /\/back-office\/connexion/);
  // Keyboard only: the e-mail field, Tab to the password, Enter sends.
  await page.getByLabel('Adresse e-mail professionnelle').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/connexion')), page.keyboard.press('Enter')]);
}

before(async () => {
  await checks.open();
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune] });
  const loaded = (await server.registers.current(T))!;
  await agentWithPassword(server.database.db, loaded, 'agent', ['accueil'], 'lea.martin@val-fleuri.example.fr');
  await agentWithPassword(server.database.db, loaded, 'agent', ['accueil'], 'marc.petit@val-fleuri.example.fr');
  for (const message of ['Horaires de la mairie ?', 'Demande de rendez-vous']) {
    const r = await fetch(`${server.url}/api/v1/${T}/forms/contact-mairie/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: contactData({ message }) }) });
    assert.equal(r.status, 201);
  }
});

after(async () => {
  await closeBrowser();
  await server?.close();
  await checks.close();
});

describe('a day in the back office (Chromium)', () => {
  it('walks an agent from sign-in with TOTP to a closed request, and a colleague sees the claim', async () => {
    const lea = await (await newContext()).newPage();
    checks.record(lea, 'lea');

    await lea.goto(`${server.url}/${T}/back-office`);
    await checks.axe(lea, 'connexion');
    await lea.getByLabel('Adresse e-mail professionnelle').fill('lea.martin@val-fleuri.example.fr');
    await lea.getByLabel('Mot de passe').fill('pas le bon');
    await lea.getByRole('button', { name: 'Se connecter' }).click();
    assert.match(await lea.title(), /^Erreur : Connexion/);
    await checks.axe(lea, 'connexion en erreur');

    await signIn(lea, 'lea.martin@val-fleuri.example.fr');
    assert.match(await lea.locator('h1').innerText(), /Demandes de mes services/);
    await checks.axe(lea, 'liste');

    await lea.getByRole('link', { name: 'Mon compte' }).click();
    await checks.axe(lea, 'compte');
    await lea.getByRole('link', { name: 'Activer la double authentification' }).click();
    await checks.axe(lea, 'activation TOTP');
    const secret = (await lea.locator('#cle').innerText()).replace(/\s+/g, '');
    const enrolledAt = Date.now();
    await lea.getByLabel('Code à 6 chiffres').fill(totpCode(secret, enrolledAt));
    await lea.getByRole('button', { name: 'Activer' }).click();
    assert.equal(await lea.locator('.recovery-codes li').count(), 10);
    await checks.axe(lea, 'codes de secours');
    await lea.getByRole('link', { name: 'Continuer vers les demandes' }).click();

    await lea.getByRole('button', { name: 'Se déconnecter' }).click();
    assert.match(await lea.locator('[role=status]').innerText(), /Vous êtes déconnecté/);
    await signIn(lea, 'lea.martin@val-fleuri.example.fr');
    assert.match(lea.url(), /\/back-office\/verification$/);
    await checks.axe(lea, 'vérification TOTP');
    await lea.getByLabel(/Code à 6 chiffres/).fill(totpCode(secret, enrolledAt + 30_000));
    await lea.getByRole('button', { name: 'Valider' }).click();
    assert.match(await lea.locator('h1').innerText(), /Demandes de mes services/);

    await lea.getByLabel('Démarche').selectOption('contact-mairie');
    await lea.getByLabel('Statut', { exact: true }).selectOption('received');
    await lea.getByRole('button', { name: 'Filtrer' }).click();
    assert.match(lea.url(), /form=contact-mairie/);
    assert.equal(await lea.locator('tbody tr').count(), 2);
    await checks.axe(lea, 'liste filtrée');

    await lea.locator('tbody tr').first().getByRole('link').click();
    await checks.axe(lea, 'demande');
    await lea.getByRole('button', { name: 'Prendre en charge' }).click();
    assert.match(await lea.locator('[role=status]').innerText(), /Vous prenez en charge/);
    await lea.getByLabel('Nouvelle note').fill('Rappeler la personne jeudi.');
    await lea.getByRole('button', { name: 'Ajouter la note' }).click();
    assert.match(await lea.locator('.notes').innerText(), /Rappeler la personne jeudi\./);
    await lea.getByLabel('Votre réponse').fill('Bonjour, la mairie est ouverte de 8 h 30 à 17 h.');
    await lea.getByRole('button', { name: 'Envoyer la réponse' }).click();
    assert.match(await lea.locator('[role=status]').innerText(), /La réponse est envoyée/);
    assert.match(await lea.locator('#reponses-titre + ol').innerText(), /ouverte de 8 h 30 à 17 h/);
    await lea.getByLabel('Statut', { exact: true }).selectOption('done');
    await lea.getByRole('button', { name: 'Enregistrer le statut' }).click();
    assert.match(await lea.locator('dl.items').first().innerText(), /Traitée/);
    await checks.axe(lea, 'demande traitée');
    const recordUrl = lea.url().replace(/\?.*$/, '');

    const marc = await (await newContext()).newPage();
    checks.record(marc, 'marc');
    await signIn(marc, 'marc.petit@val-fleuri.example.fr');
    await marc.goto(recordUrl);
    assert.match(await marc.locator('dl.items').first().innerText(), /par lea\.martin@val-fleuri\.example\.fr/);
    assert.ok(await marc.getByRole('button', { name: /Reprendre la demande à lea\.martin/ }).isVisible());
    await checks.axe(marc, 'demande tenue par une collègue');

    // The list as filtered, exported for a spreadsheet: a download, with the data as typed.
    await lea.goto(`${server.url}/${T}/back-office?form=contact-mairie`);
    const [download] = await Promise.all([lea.waitForEvent('download'), lea.getByRole('link', { name: 'CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^demandes-val-fleuri-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    assert.ok(csv.startsWith('\uFEFFIdentifiant;Démarche;Statut;'));
    assert.ok(csv.includes('Horaires de la mairie ?') && csv.includes('Demande de rendez-vous'));

    assert.deepEqual(checks.axeProblems, []);
  });

  it('sends pages the W3C Nu Html Checker finds valid', async (t) => {
    const pages = await checks.documents();
    assert.ok(pages >= 12, `${pages} pages`);
    assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
  });
});
