/**
 * Administration in real Chromium: an admin signs in with TOTP, invites an
 * agent of one service; the agent opens the link of the e-mail (read from a
 * local SMTP server), chooses a password, signs in and sees only that
 * service's requests; the DPO reads the journal of the request the agent
 * opened and has the journal verified. Every page is checked with axe-core
 * and, as sent, with the W3C Nu Html Checker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { totpCode } from '../src/accounts/totp.ts';
import { linkIn, mailTo } from '../src/back-office/admin/testing.ts';
import { agentWithPassword, PASSWORD } from '../src/back-office/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../src/mail/testing.ts';
import { contactData, reportData } from '../src/records/testing.ts';
import { submitForm } from '../src/records/submit-form.ts';
import { setHold } from '../src/retention/holds.ts';
import { runRetention } from '../src/retention/retention-run.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../src/server/testing.ts';
import { closeBrowser, newContext } from './browser.ts';
import { PageChecks } from './page-checks.ts';
import { withPrincipal } from '../src/db/principal.ts';

const T = 'val-fleuri';
const NINA = 'nina.roux@val-fleuri.example.fr';
const NINA_PASSWORD = 'Coquelicot-Bleuet-Marguerite-2027!';
let server: TestServer;
let smtp: TestSmtpServer;
const checks = new PageChecks();
const ids = { contact: '', report: '' };
let dpoPage: Page;

async function submit(formId: string, data: unknown): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/${T}/forms/${formId}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  assert.equal(r.status, 201);
  return ((await r.json()) as { id: string }).id;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${server.url}/${T}/back-office`);
  await page.getByLabel('Adresse e-mail professionnelle').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/connexion')), page.getByRole('button', { name: 'Se connecter' }).click()]);
}

/** An admin's or DPO's first sign-in: the second factor is required, enrolled from the typed key. */
async function signInEnrolling(page: Page, email: string, label: string): Promise<void> {
  await signIn(page, email, PASSWORD);
  assert.match(page.url(), /\/double-authentification$/);
  await checks.axe(page, `${label} : activation TOTP`);
  const secret = (await page.locator('#cle').innerText()).replace(/\s+/g, '');
  await page.getByLabel('Code à 6 chiffres').fill(totpCode(secret, Date.now()));
  await page.getByRole('button', { name: 'Activer' }).click();
  await page.getByRole('link', { name: 'Continuer vers les demandes' }).click();
}

before(async () => {
  await checks.open();
  smtp = await startTestSmtpServer();
  server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune], smtpUrl: smtp.url });
  const loaded = (await server.registers.current(T))!;
  await agentWithPassword(server.database.db, loaded, 'admin', [], 'admin@val-fleuri.example.fr');
  await agentWithPassword(server.database.db, loaded, 'dpo', [], 'dpo@val-fleuri.example.fr');
  ids.contact = await submit('contact-mairie', contactData({ message: 'Horaires de la mairie ?' }));
  ids.report = await submit('signalement', reportData());
});

after(async () => {
  await closeBrowser();
  await server?.close();
  await smtp?.close();
  await checks.close();
});

describe('administration (Chromium)', () => {
  it('an admin invites an agent, who chooses a password from the e-mail and sees only their service', async () => {
    const admin = await (await newContext()).newPage();
    checks.record(admin, 'admin');
    await signInEnrolling(admin, 'admin@val-fleuri.example.fr', 'admin');
    await admin.getByRole('link', { name: 'Administration' }).click();
    assert.match(await admin.locator('h1').innerText(), /Administration/);
    await checks.axe(admin, 'administration');

    await admin.getByRole('link', { name: 'Inviter un agent' }).click();
    await checks.axe(admin, 'invitation');
    await admin.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    assert.match(await admin.title(), /^Erreur : Inviter un agent/);
    await checks.axe(admin, 'invitation en erreur');
    await admin.getByLabel('Adresse e-mail professionnelle').fill(NINA);
    await admin.getByLabel('Nom et prénom').fill('Nina Roux');
    await admin.getByLabel('Rôle').selectOption('agent');
    await admin.getByLabel('Accueil de la mairie').check();
    await admin.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    assert.match(await admin.locator('[role=status]').innerText(), /L’invitation est envoyée/);
    assert.match(await admin.locator('tbody').innerText(), /nina\.roux@val-fleuri\.example\.fr\s+Nina Roux\s+Agent\s+Accueil de la mairie\s+Invitation envoyée/);
    await admin.getByRole('link', { name: `Modifier le compte ${NINA}` }).click();
    await checks.axe(admin, 'compte invité');
    await admin.getByRole('link', { name: 'Retour à la liste des comptes' }).click();
    await admin.getByRole('link', { name: 'Registre en vigueur et versions' }).click();
    assert.match(await admin.locator('tbody').innerText(), /1 \(en vigueur\)/);
    await checks.axe(admin, 'registre');

    const nina = await (await newContext()).newPage();
    checks.record(nina, 'nina');
    await nina.goto(`${server.url}${linkIn(await mailTo(smtp, NINA), 'invitation')}`);
    assert.match(await nina.locator('h1').innerText(), /Choisir votre mot de passe/);
    await checks.axe(nina, 'choix du mot de passe');
    await nina.getByLabel('Mot de passe', { exact: true }).fill('trop court');
    await nina.getByLabel('Confirmez le mot de passe').fill('trop court');
    await nina.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    assert.match(await nina.title(), /^Erreur : /);
    await checks.axe(nina, 'mot de passe refusé');
    await nina.getByLabel('Mot de passe', { exact: true }).fill(NINA_PASSWORD);
    await nina.getByLabel('Confirmez le mot de passe').fill(NINA_PASSWORD);
    await nina.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    assert.match(await nina.locator('h1').innerText(), /Mot de passe enregistré/);
    await checks.axe(nina, 'mot de passe enregistré');
    await nina.getByRole('link', { name: 'Se connecter' }).click();
    await checks.axe(nina, 'connexion');
    await signIn(nina, NINA, NINA_PASSWORD);
    assert.match(await nina.locator('h1').innerText(), /Demandes de mes services/);
    const rows = await nina.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 1, 'only the service’s request');
    assert.ok(rows[0]!.includes(ids.contact.slice(0, 8)));
    await checks.axe(nina, 'liste de l’agent invité');
    await nina.locator('tbody tr').first().getByRole('link').click();
    assert.match(await nina.locator('h1').innerText(), /./);

    // The way back for a forgotten password, from the sign-in page.
    const other = await (await newContext()).newPage();
    checks.record(other, 'oubli');
    await other.goto(`${server.url}/${T}/back-office/connexion`);
    await other.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await checks.axe(other, 'mot de passe oublié');
    await other.getByLabel('Adresse e-mail professionnelle').fill(NINA);
    await other.getByRole('button', { name: 'Recevoir un lien' }).click();
    assert.match(await other.locator('[role=status]').innerText(), /Si un compte actif existe/);
    await checks.axe(other, 'lien demandé');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('the DPO reads who opened the request, then has the journal verified', async () => {
    const dpo = await (await newContext()).newPage();
    dpoPage = dpo;
    checks.record(dpo, 'dpo');
    await signInEnrolling(dpo, 'dpo@val-fleuri.example.fr', 'dpo');
    await dpo.getByRole('link', { name: 'Journal des accès' }).click();
    await checks.axe(dpo, 'journal');
    await dpo.getByLabel('Identifiant de la demande').fill(ids.contact);
    await dpo.getByRole('button', { name: 'Voir les accès à cette demande' }).click();
    assert.match(await dpo.locator('tbody').innerText(), /nina\.roux@val-fleuri\.example\.fr\s+Consultation/);
    await checks.axe(dpo, 'journal d’une demande');
    await dpo.getByRole('link', { name: 'Vérifier l’intégrité du journal' }).click();
    assert.match(await dpo.locator('[role=status]').innerText(), /Journal intact/);
    await checks.axe(dpo, 'vérification du journal');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('the DPO sees what is past due, what comes, the holds and the purge certificates', async () => {
    const db = server.database.db;
    const loaded = (await server.registers.current(T))!;
    const monthsAgo = (n: number) => ({ baseUrl: server.url, now: new Date(Date.now() - n * 30.44 * 24 * 3600 * 1000) });
    const made: string[] = [];
    for (const n of [30, 30, 20, 14]) {
      const r = await submitForm({ db, keys: server.ctx.keys }, loaded, 'contact-mairie', contactData(), monthsAgo(n));
      assert.ok(r.ok);
      made.push(r.stored.recordId);
    }
    assert.ok((await setHold(db, T, made[0]!, 'Recours contentieux en cours', { actorId: null, actor: 'dpo@val-fleuri.example.fr' })).ok);
    await runRetention(db, T, { asOf: new Date(), keys: () => server.ctx.keys });
    // The DPO signed in (with TOTP) in the test before.
    const dpo = dpoPage;
    await dpo.getByRole('link', { name: 'Conservation' }).click();
    assert.equal(await dpo.getByRole('img', { name: 'Suppressions prévues par semaine sur douze mois' }).count(), 1);
    assert.match(await dpo.getByRole('table', { name: /Demandes conservées pour raison juridique/ }).innerText(), /Recours contentieux en cours/);
    assert.match(await dpo.getByRole('table', { name: /Dernières purges/ }).innerText(), /Télécharger le n° 1/);
    assert.match(await dpo.locator('[role=status]').innerText(), /Certificats intacts/);
    await checks.axe(dpo, 'conservation');
    // The demo register archives nothing: one request is put in the archive by hand, for its pages to be checked.
    await withPrincipal(db, { kind: 'system', tenantId: T }, (trx) => trx.updateTable('records').set({ archived_at: new Date(), expiry_action: 'delete' }).where('tenant_id', '=', T).where('id', '=', made[2]!).execute());
    await dpo.goto(`${server.url}/${T}/back-office/archives`);
    await checks.axe(dpo, 'archives');
    await dpo.getByRole('link', { name: made[2]!.slice(0, 8) }).click();
    assert.match(await dpo.getByRole('heading', { level: 1 }).innerText(), /archive/);
    await checks.axe(dpo, 'une archive');
    assert.deepEqual(checks.axeProblems, []);
  });

  it('sends pages the W3C Nu Html Checker finds valid', async (t) => {
    const pages = await checks.documents();
    assert.ok(pages >= 15, `${pages} pages`);
    assert.deepEqual(await checks.vnuErrors((m) => t.diagnostic(m)), []);
  });
});
