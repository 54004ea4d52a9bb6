import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueToken } from '../../accounts/api-tokens.ts';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../mail/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { contactData, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { agentWithPassword, csrfOf, signInWithPassword, TestBrowser } from '../testing.ts';
import { linkIn, mailTo, signInEnrolling } from './testing.ts';

const NEW_PASSWORD = 'Lilas-Glycine-Mimosa-2027?';

for (const kind of testDatabaseKinds()) {
  describe(`administration pages (${kind})`, () => {
    let server: TestServer;
    let smtp: TestSmtpServer;
    let a: LoadedRegister;
    let admin: TestBrowser;
    let adminId = '';
    let lea: TestBrowser;
    let leaId = '';
    let contactId = '';
    const t = () => a.tenantId;
    const adm = (p = '') => `/${t()}/back-office/administration${p}`;
    const api = (token: string) => fetch(`${server.url}/api/v1/${t()}/records`, { headers: { authorization: `Bearer ${token}` } });

    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer({ kind, smtpUrl: smtp.url });
      const db = server.database.db;
      a = await loadCommune(db, uniqueTenantId('bo-adm'));
      adminId = (await agentWithPassword(db, a, 'admin', [], 'admin@adm.example.fr')).id;
      leaId = (await agentWithPassword(db, a, 'agent', ['accueil'], 'lea@adm.example.fr')).id;
      admin = new TestBrowser(server.url);
      await signInEnrolling(server, admin, t(), adminId, 'admin@adm.example.fr');
      lea = new TestBrowser(server.url);
      await signInWithPassword(lea, t(), 'lea@adm.example.fr');
      const r = await fetch(`${server.url}/api/v1/${t()}/forms/contact-mairie/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: contactData() }) });
      contactId = ((await r.json()) as { id: string }).id;
    });
    after(async () => {
      await server.close();
      await smtp.close();
    });

    it('lists the accounts with role, services, state and second factor, and links to it only for admins', async () => {
      const page = await admin.get(adm());
      assert.equal(page.status, 200);
      assert.match(page.body, /<td>lea@adm\.example\.fr<\/td><td>—<\/td><td>Agent<\/td><td>Accueil/);
      assert.match(page.body, /<td>admin@adm\.example\.fr<\/td>.*<td>Administrateur<\/td><td>Aucun<\/td><td>Actif<\/td><td>Active<\/td>/);
      assert.match(page.body, /href="\/[^"]+\/back-office\/administration" aria-current="page">Administration</);
      assert.doesNotMatch((await lea.get(`/${t()}/back-office`)).body, /Administration/);
    });

    it('refuses every administration page to an account that is not an admin, with the French forbidden page', async () => {
      for (const path of [adm(), adm('/inviter'), adm('/registre'), adm(`/comptes/${leaId}`)]) {
        const r = await lea.get(path);
        assert.equal(r.status, 403, path);
        assert.match(r.body, /Accès réservé/);
      }
      const list = await lea.get(`/${t()}/back-office`);
      const post = await lea.post(adm('/inviter'), { csrf: csrfOf(list.body), email: 'x@adm.example.fr', name: 'X', role: 'admin' });
      assert.equal(post.status, 403);
      const self = await lea.post(adm(`/comptes/${leaId}`), { csrf: csrfOf(list.body), name: 'Léa', role: 'admin', services: 'accueil' });
      assert.equal(self.status, 403);
      assert.match((await admin.get(adm())).body, /<td>lea@adm\.example\.fr<\/td><td>—<\/td><td>Agent<\/td>/);
    });

    it('shows the admin no record of a service they are not an agent of, then the records of one they are made an agent of', async () => {
      assert.equal((await admin.get(`/${t()}/back-office/demandes/${contactId}`)).status, 404);
      assert.doesNotMatch((await admin.get(`/${t()}/back-office`)).body, new RegExp(contactId.slice(0, 8)));
      const made = await admin.submit(adm(`/comptes/${adminId}`), adm(`/comptes/${adminId}`), { name: 'Admin', role: 'admin', services: 'accueil' });
      assert.equal(made.status, 303);
      assert.equal((await admin.get(`/${t()}/back-office/demandes/${contactId}`)).status, 200);
      await admin.submit(adm(`/comptes/${adminId}`), adm(`/comptes/${adminId}`), { name: 'Admin', role: 'admin' });
      assert.equal((await admin.get(`/${t()}/back-office/demandes/${contactId}`)).status, 404);
    });

    it('refuses an invitation with missing or wrong fields, each message tied to its field', async () => {
      const r = await admin.submit(adm('/inviter'), adm('/inviter'), { email: 'lea@adm.example.fr', name: '', role: 'agent' });
      assert.equal(r.status, 400);
      assert.match(r.body, /<title>Erreur : Inviter un agent/);
      assert.match(r.body, /href="#name">Saisissez le nom/);
      assert.match(r.body, /href="#services">Un agent doit être rattaché/);
      assert.match(r.body, /id="name-error"/);
      const dup = await admin.submit(adm('/inviter'), adm('/inviter'), { email: 'Lea@adm.example.fr', name: 'Léa', role: 'agent', services: 'accueil' });
      assert.match(dup.body, /href="#email">Un compte existe déjà/);
      const unknown = await admin.submit(adm('/inviter'), adm('/inviter'), { email: 'z@adm.example.fr', name: 'Z', role: 'agent', services: 'pas-un-service' });
      assert.match(unknown.body, /href="#services">Choisissez des services parmi ceux du registre/);
    });

    it('invites an agent who sets a password from the e-mailed link, once only, then sees only their service', async () => {
      const sent = await admin.submit(adm('/inviter'), adm('/inviter'), { email: 'Nina@adm.example.fr', name: 'Nina <b>Roux</b>', role: 'agent', services: 'accueil' });
      assert.equal(sent.status, 303);
      const list = await admin.get(sent.location!);
      assert.match(list.body, /L’invitation est envoyée/);
      assert.match(list.body, /Nina &lt;b&gt;Roux&lt;\/b&gt;/);
      assert.match(list.body, /Invitation envoyée, mot de passe non choisi/);
      const text = await mailTo(smtp, 'nina@adm.example.fr');
      assert.match(text, /Bonjour Nina <b>Roux<\/b>/);
      const link = linkIn(text, 'invitation');
      // No password yet: the account cannot sign in.
      assert.equal((await signInWithPassword(new TestBrowser(server.url), t(), 'nina@adm.example.fr')).status, 401);

      const nina = new TestBrowser(server.url);
      const form = await nina.get(link);
      assert.equal(form.status, 200);
      assert.match(form.body, /Compte : <strong>nina@adm\.example\.fr<\/strong>/);
      const token = new URL(link, server.url).searchParams.get('jeton')!;
      const action = `/${t()}/back-office/invitation`;
      const weak = await nina.post(action, { csrf: csrfOf(form.body), jeton: token, password: 'soleil', confirmation: 'soleil' });
      assert.equal(weak.status, 400);
      assert.match(weak.body, /href="#password">Le mot de passe est trop faible/);
      assert.match(weak.body, /aria-describedby="password-hint password-error"/);
      const mismatch = await nina.post(action, { csrf: csrfOf(weak.body), jeton: token, password: NEW_PASSWORD, confirmation: `${NEW_PASSWORD}x` });
      assert.match(mismatch.body, /href="#confirmation">Les deux mots de passe/);
      const done = await nina.post(action, { csrf: csrfOf(mismatch.body), jeton: token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
      assert.equal(done.status, 200);
      assert.match(done.body, /Mot de passe enregistré/);

      const again = await nina.post(action, { csrf: csrfOf(form.body), jeton: token, password: 'Autre-Mot-De-Passe-2027!', confirmation: 'Autre-Mot-De-Passe-2027!' });
      assert.equal(again.status, 410);
      assert.match(again.body, /déjà servi/);
      assert.equal((await nina.get(link)).status, 410);
      assert.equal((await signInWithPassword(new TestBrowser(server.url), t(), 'nina@adm.example.fr', 'Autre-Mot-De-Passe-2027!')).status, 401);

      const signedIn = await signInWithPassword(nina, t(), 'nina@adm.example.fr', NEW_PASSWORD);
      assert.equal(signedIn.location, `/${t()}/back-office`);
      const own = await nina.get(`/${t()}/back-office`);
      assert.ok(own.body.includes(contactId.slice(0, 8)));
    });

    it('refuses an invitation link after it expired, and a resent invitation replaces the first link', async () => {
      await admin.submit(adm('/inviter'), adm('/inviter'), { email: 'paul@adm.example.fr', name: 'Paul', role: 'dpo' });
      const first = linkIn(await mailTo(smtp, 'paul@adm.example.fr'), 'invitation');
      const paul = (await server.database.db.selectFrom('agents').select('id').where('tenant_id', '=', t()).where('email', '=', 'paul@adm.example.fr').executeTakeFirstOrThrow()).id;
      await server.database.db.updateTable('account_links').set({ expires_at: new Date(Date.now() - 1000) }).where('tenant_id', '=', t()).where('account_id', '=', paul).execute();
      const expired = await new TestBrowser(server.url).get(first);
      assert.equal(expired.status, 410);
      assert.match(expired.body, /Ce lien a expiré/);
      const resent = await admin.submit(adm(`/comptes/${paul}`), adm(`/comptes/${paul}/invitation`), {});
      assert.equal(resent.status, 303);
      const second = linkIn(await mailTo(smtp, 'paul@adm.example.fr', 2), 'invitation');
      assert.notEqual(second, first);
      assert.equal((await new TestBrowser(server.url).get(second)).status, 200);
    });

    it('disables an account: its open session and its token are refused at once; re-enabled, it signs in again', async () => {
      const { token } = await issueToken(server.database.db, { tenantId: t(), agentId: leaId, ttl: 'P1D' });
      assert.equal((await api(token)).status, 200);
      assert.equal((await lea.get(`/${t()}/back-office`)).status, 200);
      const off = await admin.submit(adm(`/comptes/${leaId}`), adm(`/comptes/${leaId}/desactivation`), {});
      assert.equal(off.status, 303);
      assert.match((await admin.get(off.location!)).body, /Le compte est désactivé/);
      const refused = await lea.get(`/${t()}/back-office`);
      assert.equal(refused.status, 303);
      assert.match(refused.location ?? '', /connexion/);
      assert.equal((await api(token)).status, 401);
      assert.equal((await signInWithPassword(new TestBrowser(server.url), t(), 'lea@adm.example.fr')).status, 401);

      const on = await admin.submit(adm(`/comptes/${leaId}`), adm(`/comptes/${leaId}/reactivation`), {});
      assert.equal(on.status, 303);
      lea = new TestBrowser(server.url);
      assert.equal((await signInWithPassword(lea, t(), 'lea@adm.example.fr')).status, 303);
      assert.equal((await api(token)).status, 401, 'a token revoked with the account stays revoked');
    });

    it('changes an agent’s services and role', async () => {
      const r = await admin.submit(adm(`/comptes/${leaId}`), adm(`/comptes/${leaId}`), { name: 'Léa Martin', role: 'agent', services: ['accueil', 'rh'] });
      assert.equal(r.status, 303);
      assert.match((await admin.get(adm())).body, /<td>lea@adm\.example\.fr<\/td><td>Léa Martin<\/td><td>Agent<\/td><td>Accueil[^<]*, [^<]*<\/td>/);
      const none = await admin.submit(adm(`/comptes/${leaId}`), adm(`/comptes/${leaId}`), { name: 'Léa Martin', role: 'agent' });
      assert.equal(none.status, 400);
      assert.match(none.body, /id="services-error"/);
    });

    it('lists the register version in force and its history, linked to the published notices', async () => {
      const page = await admin.get(adm('/registre'));
      assert.equal(page.status, 200);
      assert.match(page.body, /Version en vigueur : <strong>1<\/strong>/);
      assert.match(page.body, /<th scope="row">1 \(en vigueur\)<\/th>/);
      assert.ok(page.body.includes(`href="/${t()}/donnees-personnelles/versions"`));
    });

    it('refuses every new form posted without the session’s CSRF token, and changes nothing', async () => {
      const posts: Array<[string, Record<string, string>]> = [
        [adm('/inviter'), { email: 'csrf@adm.example.fr', name: 'C', role: 'admin' }],
        [adm(`/comptes/${leaId}`), { name: 'Pirate', role: 'admin' }],
        [adm(`/comptes/${leaId}/desactivation`), {}],
        [adm(`/comptes/${leaId}/reactivation`), {}],
        [adm(`/comptes/${leaId}/invitation`), {}],
        [`/${t()}/back-office/compte/jetons/tok_000000000000/revocation`, {}],
      ];
      for (const [path, form] of posts) {
        const r = await admin.post(path, form);
        assert.equal(r.status, 403, path);
        assert.match(r.body, /Formulaire expiré/);
      }
      assert.match((await admin.get(adm())).body, /<td>lea@adm\.example\.fr<\/td><td>Léa Martin<\/td><td>Agent<\/td>/);
      assert.doesNotMatch((await admin.get(adm())).body, /csrf@adm/);
    });

    it('keeps one enabled admin: the last one can neither disable nor demote themself', async () => {
      const demote = await admin.submit(adm(`/comptes/${adminId}`), adm(`/comptes/${adminId}`), { name: 'Admin', role: 'agent', services: 'accueil' });
      assert.equal(demote.status, 400);
      assert.match(demote.body, /href="#role">La collectivité doit garder au moins un administrateur actif/);
      const disable = await admin.submit(adm(`/comptes/${adminId}`), adm(`/comptes/${adminId}/desactivation`), {});
      assert.equal(disable.status, 400);
      assert.match(disable.body, /href="#disable">La collectivité doit garder/);
      assert.equal((await admin.get(adm())).status, 200, 'still an admin, still signed in');

      // With a second admin, the first may step down (and signs in again).
      await admin.submit(adm(`/comptes/${leaId}`), adm(`/comptes/${leaId}`), { name: 'Léa Martin', role: 'admin' });
      const down = await admin.submit(adm(`/comptes/${adminId}`), adm(`/comptes/${adminId}`), { name: 'Admin', role: 'agent', services: 'accueil' });
      assert.equal(down.status, 303);
      assert.equal((await admin.get(adm())).status, 303, 'a role change ends the sessions');
      const row = await server.database.db.selectFrom('agents').select('role').where('tenant_id', '=', t()).where('id', '=', adminId).executeTakeFirstOrThrow();
      assert.equal(row.role, 'agent');
    });
  });
}
