/**
 * The rights desk in real Chromium: a person asks on « Exercer mes droits »
 * (a refused form keeps what was typed), confirms with the e-mailed link,
 * and the DPO works the queue: erasure with the kept records and their
 * reasons, an extension refused without a reason, an access request whose
 * answer the person reads behind the e-mailed link, a restriction whose
 * recipients (art. 19) the DPO records as told. Every page is checked
 * with axe-core and, as sent, with the W3C Nu Html Checker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCode } from '../src/accounts/totp.ts';
import { agentWithPassword, PASSWORD } from '../src/back-office/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../src/mail/testing.ts';
import { contactData, enrolmentData } from '../src/records/testing.ts';
import { linkIn, mailsTo } from '../src/rights/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { closeBrowser, newContext } from './browser.ts';
import { press } from './form-filler.ts';
import { PageChecks } from './page-checks.ts';

const T = 'val-fleuri';
const CLAIRE = 'claire.morel@example.fr';
const DPO = 'dpo@val-fleuri.example.fr';
let server: TestServer;
let smtp: TestSmtpServer;
const checks = new PageChecks();
const ids = { contact: '', newsletter: '' };
let dpo: Page;

async function submit(formId: string, data: unknown): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/${T}/forms/${formId}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  assert.equal(r.status, 201);
  return ((await r.json()) as { id: string }).id;
}

before(async () => {
  await checks.open();
  smtp = await startTestSmtpServer();
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url });
  await agentWithPassword(server.database.db, (await server.registers.current(T))!, 'dpo', [], DPO);
  ids.contact = await submit('contact-mairie', contactData({ courriel: CLAIRE }));
  ids.newsletter = await submit('abonnement-lettre', { courriel: CLAIRE });
});

after(async () => {
  await closeBrowser();
  await server?.close();
  await smtp?.close();
  await checks.close();
});

/** Files a request on the page and confirms it from the e-mail, as the person; its reference. */
async function askAndConfirm(page: Page, type: string, label: string): Promise<string> {
  await page.goto(`${server.url}/${T}/mes-droits`);
  await page.getByLabel('Ce que vous demandez').selectOption(type);
  await page.getByLabel('Adresse électronique').fill(CLAIRE);
  const before = (await mailsTo(smtp, CLAIRE, /Pour confirmer qu’elle vient de vous/, 0)).length;
  await press(page, 'Envoyer ma demande');
  assert.match(await page.locator('[role=status]').innerText(), /Un message a été envoyé/);
  await checks.axe(page, `${label} : envoyée`);
  const [mail] = (await mailsTo(smtp, CLAIRE, /Pour confirmer qu’elle vient de vous/, before + 1)).slice(-1);
  const id = /référence ([0-9a-f-]{36})/.exec(mail!)![1]!;
  await page.goto(`${server.url}${linkIn(mail!, 'confirmation')}`);
  await checks.axe(page, `${label} : confirmation`);
  await press(page, 'Je confirme ma demande');
  assert.match(await page.locator('[role=status]').innerText(), /Nous vous répondrons au plus tard le/);
  await checks.axe(page, `${label} : confirmée`);
  return id;
}

describe('the rights desk (Chromium)', () => {
  it('asks for erasure on the page, keeping what was typed when the form is refused', async () => {
    const page = await (await newContext()).newPage();
    checks.record(page, 'claire');
    await page.goto(`${server.url}/${T}/mes-droits`);
    await checks.axe(page, 'mes droits');
    await page.getByLabel('Ce que vous demandez').selectOption('rectification');
    await page.getByLabel('Adresse électronique').fill('claire.morel@');
    await press(page, 'Envoyer ma demande');
    assert.match(await page.title(), /^Erreur : /);
    assert.equal(await page.getByLabel('Adresse électronique').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel(/Précisions/).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Adresse électronique').inputValue(), 'claire.morel@');
    assert.equal(await page.getByLabel('Ce que vous demandez').inputValue(), 'rectification');
    await checks.axe(page, 'mes droits en erreur');
    await askAndConfirm(page, 'erasure', 'effacement');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('lets the DPO work the queue: erasure with reasons, an extension refused without a reason', async () => {
    dpo = await (await newContext()).newPage();
    checks.record(dpo, 'dpo');
    await dpo.goto(`${server.url}/${T}/back-office`);
    await dpo.getByLabel('Adresse e-mail professionnelle').fill(DPO);
    await dpo.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await Promise.all([dpo.waitForURL((url) => !url.pathname.endsWith('/connexion')), dpo.getByRole('button', { name: 'Se connecter' }).click()]);
    const secret = (await dpo.locator('#cle').innerText()).replace(/\s+/g, '');
    await dpo.getByLabel('Code à 6 chiffres').fill(totpCode(secret, Date.now()));
    await dpo.getByRole('button', { name: 'Activer' }).click();
    await dpo.getByRole('link', { name: 'Continuer vers les demandes' }).click();
    await dpo.getByRole('link', { name: 'Droits des personnes' }).click();
    assert.match(await dpo.locator('h1').innerText(), /Demandes d’exercice des droits/);
    await checks.axe(dpo, 'file des demandes');
    await dpo.getByRole('table', { name: /les plus urgentes/ }).getByRole('link').first().click();
    assert.match(await dpo.locator('main').innerText(), new RegExp(CLAIRE.replace(/\./g, '\\.')));
    await checks.axe(dpo, 'une demande');

    await press(dpo, 'Prolonger');
    assert.match(await dpo.title(), /^Erreur : /);
    assert.equal(await dpo.getByLabel('Motif communiqué à la personne').getAttribute('aria-invalid'), 'true');
    await checks.axe(dpo, 'prolongation refusée');

    await press(dpo, 'Traiter et répondre à la personne');
    assert.match(await dpo.locator('[role=status]').first().innerText(), /Demande traitée/);
    const kept = await dpo.getByRole('table', { name: 'Conservées' }).innerText();
    assert.match(kept, /mission de service public/);
    assert.match(await dpo.locator('main').innerText(), /Effacées : 1\./);
    await checks.axe(dpo, 'demande traitée');
    const [answer] = await mailsTo(smtp, CLAIRE, /1 demande a été effacée/);
    assert.match(answer!, /mission de service public/);
    assert.deepEqual(checks.axeProblems, []);
  });

  it('answers an access request behind the e-mailed link', async () => {
    const page = await (await newContext()).newPage();
    checks.record(page, 'claire-acces');
    const id = await askAndConfirm(page, 'access', 'accès');
    await dpo.goto(`${server.url}/${T}/back-office/droits/${id}`);
    await press(dpo, 'Traiter et répondre à la personne');
    assert.match(await dpo.locator('[role=status]').first().innerText(), /Demande traitée/);
    const [answer] = (await mailsTo(smtp, CLAIRE, /le lien ci-dessous les présente/)).slice(-1);
    await page.goto(`${server.url}${linkIn(answer!, 'reponse')}`);
    assert.match(await page.locator('h1').innerText(), /Vos données/);
    assert.match(await page.locator('main').innerText(), /Le lampadaire de la rue des Lilas clignote/);
    assert.match(await page.locator('main').innerText(), /Qui a consulté cette demande/);
    await checks.axe(page, 'réponse d’accès');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('lets the DPO verify identity for a request made at the counter, then rectify a field', async () => {
    const filed = await fetch(`${server.url}/api/v1/${T}/rights-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'rectification', email: CLAIRE, details: 'Mon nom est Morel, pas Martin.' }),
    });
    assert.equal(filed.status, 201);
    const { id } = (await filed.json()) as { id: string };
    await dpo.goto(`${server.url}/${T}/back-office/droits/${id}`);
    await checks.axe(dpo, 'rectification à vérifier');
    await dpo.getByLabel('Comment l’identité a été vérifiée').fill('Carte d’identité présentée au guichet de la mairie.');
    await press(dpo, 'Identité vérifiée');
    assert.match(await dpo.locator('[role=status]').first().innerText(), /Identité vérifiée/);
    await checks.axe(dpo, 'rectification à traiter');
    await dpo.getByLabel('Identifiant complet de la demande à rectifier').fill(ids.contact);
    await dpo.getByLabel('Nom du champ').fill('nom');
    await dpo.getByLabel('Nouvelle valeur').fill('Morel');
    await dpo.getByLabel('Motif de la rectification').fill('Nom vérifié sur la carte d’identité présentée.');
    await press(dpo, 'Traiter et répondre à la personne');
    assert.match(await dpo.locator('[role=status]').first().innerText(), /Demande traitée/);
    await checks.axe(dpo, 'rectification traitée');
    await mailsTo(smtp, CLAIRE, /ont été rectifiées[\s\S]*« Nom »/);
    assert.deepEqual(checks.axeProblems, []);
  });

  it('lists the recipients to tell of a restriction (art. 19) and records each notification', async () => {
    await submit('inscription-enfance', { ...enrolmentData({ prenom: 'Léa', allergies: 'aucune' }), courriel: CLAIRE });
    const filed = await fetch(`${server.url}/api/v1/${T}/rights-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'restriction', email: CLAIRE }) });
    const { id } = (await filed.json()) as { id: string };
    await dpo.goto(`${server.url}/${T}/back-office/droits/${id}`);
    await dpo.getByLabel('Comment l’identité a été vérifiée').fill('Carte d’identité présentée au guichet de la mairie.');
    await press(dpo, 'Identité vérifiée');
    await press(dpo, 'Traiter et répondre à la personne');
    const table = dpo.getByRole('table', { name: 'Information des destinataires' });
    assert.match(await table.innerText(), /Caisse d'allocations familiales[\s\S]*à faire/);
    await checks.axe(dpo, 'destinataires à informer');
    await press(dpo, 'Enregistrer l’information');
    assert.match(await dpo.locator('.error-message').first().innerText(), /ce qui a été transmis/);
    await checks.axe(dpo, 'information refusée sans texte');
    await dpo.getByLabel('Destinataire informé').selectOption('tresor');
    await dpo.getByLabel('Ce qui lui a été transmis').fill('Courriel du 4 décembre au service de gestion comptable.');
    await press(dpo, 'Enregistrer l’information');
    assert.match(await dpo.locator('[role=status]').first().innerText(), /Information du destinataire enregistrée/);
    assert.match(await table.innerText(), /Trésor public[^\n]*enregistrée le/);
    assert.deepEqual(await dpo.getByLabel('Destinataire informé').locator('option').allInnerTexts(), ["Caisse d'allocations familiales de la Haute-Vallée", 'Commissaires de justice mandatés par le comptable public pour le recouvrement des impayés']);
    await checks.axe(dpo, 'destinataire informé');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('sends pages the W3C Nu Html Checker finds valid', async (t) => {
    const pages = await checks.documents();
    assert.ok(pages >= 10, `${pages} pages checked`);
    assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
  });
});
