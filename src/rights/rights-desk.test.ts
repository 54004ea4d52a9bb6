import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { accountWithToken, contactData, enrolmentData, loadCommune, reportData, type TestAccount } from '../records/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { setHold } from '../retention/holds.ts';
import { startTestServer } from '../server/testing.ts';
import { MAX_PENDING_PER_ADDRESS } from './intake.ts';
import { api, confirmLink, linkIn, mailsTo, serverWithSmtp } from './testing.ts';

for (const kind of testDatabaseKinds()) {
  describe(`the rights desk (${kind})`, () => {
    const env = serverWithSmtp(kind);

    /** A commune where Claire sent a contact message, a street report and subscribed to the newsletter; Paul sent a report. */
    async function commune() {
      const db = env.server.database.db;
      const loaded = await loadCommune(db, uniqueTenantId('droits'));
      const t = loaded.tenantId;
      const claire = `claire.${t}@example.fr`;
      const paul = `paul.${t}@example.fr`;
      const submit = async (form: string, data: unknown) => {
        const r = await api(env.server.url, 'POST', `/api/v1/${t}/forms/${form}/submissions`, { body: { data } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      const ids = {
        contact: await submit('contact-mairie', contactData({ courriel: claire.toUpperCase() })),
        report: await submit('signalement', reportData({ courriel: claire })),
        newsletter: await submit('abonnement-lettre', { courriel: claire }),
        paul: await submit('signalement', reportData({ courriel: paul })),
      };
      const dpo = await accountWithToken(db, loaded, 'dpo');
      return { loaded, t, claire, paul, ids, dpo };
    }

    async function file(t: string, body: Record<string, unknown>) {
      const r = await api(env.server.url, 'POST', `/api/v1/${t}/rights-requests`, { body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: string; dueAt: string; state: string; message: string };
    }

    async function verified(t: string, email: string, type: string, extra: Record<string, unknown> = {}) {
      const { id } = await file(t, { type, email, ...extra });
      const [mail] = await mailsTo(env.smtp, email, new RegExp(id));
      const done = await confirmLink(env.server.url, linkIn(mail!, 'confirmation'));
      assert.equal(done.status, 200, done.body);
      return id;
    }

    const fulfil = (c: { t: string; dpo: TestAccount }, id: string, body: unknown = {}) => api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/fulfil`, { token: c.dpo.token, body });
    const stored = async (loaded: LoadedRegister, ids: string[]) =>
      (await withPrincipal(env.server.database.db, { kind: 'system', tenantId: loaded.tenantId }, (trx) => trx.selectFrom('records').select(['id', 'frozen']).where('tenant_id', '=', loaded.tenantId).where('id', 'in', ids).execute()));

    it('answers the same to an address with data and to one without, and refuses bad requests field by field', async () => {
      const c = await commune();
      const known = await file(c.t, { type: 'access', email: c.claire });
      const unknown = await file(c.t, { type: 'access', email: `personne.${c.t}@example.fr` });
      assert.deepEqual(Object.keys(known).sort(), Object.keys(unknown).sort());
      assert.equal(known.state, unknown.state);
      assert.equal(known.message, unknown.message);
      assert.equal(known.dueAt.slice(0, 10), unknown.dueAt.slice(0, 10));
      // Both get the same acknowledgement, with nothing about what is held.
      const [a] = await mailsTo(env.smtp, c.claire, new RegExp(known.id));
      const [b] = await mailsTo(env.smtp, `personne.${c.t}@example.fr`, new RegExp(unknown.id));
      const shape = (text: string, id: string) => text.replace(id, 'ID').replace(/jeton=[\w-]+/, 'jeton=X').replace(/\d{2}:\d{2}/g, 'HH:MM').replace(/To:.*|Message-ID:.*|Date:.*/gi, '');
      assert.equal(shape(a!, known.id).replace(c.claire, 'X'), shape(b!, unknown.id).replace(`personne.${c.t}@example.fr`, 'X'));

      const bad = async (body: unknown, field: string, message: RegExp) => {
        const r = await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests`, { body });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        const error = r.body.errors.find((e: { field: string }) => e.field === field);
        assert.ok(error, `an error on ${field}: ${JSON.stringify(r.body)}`);
        assert.match(error.message, message);
      };
      await bad({ type: 'access' }, 'email', /adresse électronique/);
      await bad({ type: 'access', email: 'pas-une-adresse' }, 'email', /adresse électronique valide/);
      await bad({ type: 'access', email: 42 }, 'email', /attend une adresse/);
      await bad({ type: 'tout', email: c.claire }, 'type', /Choisissez le droit/);
      await bad({ type: 'rectification', email: c.claire }, 'details', /données sont inexactes/);
      await bad({ type: 'access', email: c.claire, phone: '12' }, 'phone', /numéro de téléphone valide/);
      await bad({ type: 'access', email: c.claire, scope: 'inconnu' }, 'scope', /numéro de suivi/);
      await bad({ type: 'access', email: `a\u0000b@example.fr` }, 'email', /caractère/);
      await bad([], 'email', /adresse électronique/);
    });

    it('does not answer before identity is verified, and a second request of the same person needs its own confirmation', async () => {
      const c = await commune();
      const first = await file(c.t, { type: 'access', email: c.claire });
      const second = await file(c.t, { type: 'erasure', email: c.claire });
      const early = await fulfil(c, first.id);
      assert.equal(early.status, 409);
      assert.match(early.body.message ?? early.body.detail ?? JSON.stringify(early.body), /pas encore vérifiée/);
      const [mail] = await mailsTo(env.smtp, c.claire, new RegExp(first.id));
      const link = linkIn(mail!, 'confirmation');
      assert.equal((await confirmLink(env.server.url, link)).status, 200);
      // The link works once.
      assert.equal((await confirmLink(env.server.url, link)).status, 410);
      assert.equal((await fulfil(c, second.id)).status, 409, 'the first confirmation does not verify the second request');
      assert.equal((await stored(c.loaded, [c.ids.newsletter])).length, 1);
      const list = await api(env.server.url, 'GET', `/api/v1/${c.t}/rights-requests`, { token: c.dpo.token });
      assert.equal(list.status, 200);
      assert.equal(list.body.counts.open, 1);
      assert.equal(list.body.counts['awaiting-verification'], 1);
      assert.equal(list.body.requests[0].id, first.id, 'open requests first');
      // The second request's link, once its 72 hours are past, verifies nothing, and says so.
      const [secondMail] = await mailsTo(env.smtp, c.claire, new RegExp(second.id));
      await env.server.database.db.updateTable('rights_requests').set({ verify_expires_at: new Date(Date.now() - 1000) }).where('id', '=', second.id).execute();
      const expired = await confirmLink(env.server.url, linkIn(secondMail!, 'confirmation'));
      assert.equal(expired.status, 410);
      assert.equal((await fulfil(c, second.id)).status, 409, 'still not verified');
    });

    it('answers an access request with every record of the person, and only theirs, behind a link sent to the verified address', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'access');
      const r = await fulfil(c, id);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.subject.email, c.claire);
      assert.deepEqual(r.body.records.map((x: { id: string }) => x.id).sort(), [c.ids.contact, c.ids.report, c.ids.newsletter].sort());
      assert.ok(!r.body.records.some((x: { id: string }) => x.id === c.ids.paul));
      assert.ok(r.body.records.every((x: Record<string, unknown>) => !('data' in x)), 'the contents are for the person, behind the link');
      const [answer] = await mailsTo(env.smtp, c.claire, /Voici la réponse/);
      const link = linkIn(answer!, 'reponse');
      const page = await fetch(`${env.server.url}${link}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /12 rue des Lilas/);
      assert.match(html, /Finalités/);
      assert.match(html, /Qui a consulté cette demande/);
      const json = await (await fetch(`${env.server.url}${link}&format=json`)).json();
      assert.equal(json.records.length, 3);
      assert.equal(json.recordCount, 3);
      const report = json.records.find((x: { id: string }) => x.id === c.ids.report);
      assert.equal(report.data.lieu, '12 rue des Lilas');
      assert.ok(report.deletionDate, 'the actual deletion date');
      assert.ok(json.processings.some((p: { id: string; retention: string }) => p.id === 'signalement-voirie' && p.retention.length > 0));
      // The DPO's reading of the records is in the journal, as one entry naming them.
      const journal = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: c.t }, (trx) => trx.selectFrom('journal_records').select('record_id').where('tenant_id', '=', c.t).execute());
      assert.ok([c.ids.contact, c.ids.report, c.ids.newsletter].every((x) => journal.some((j) => j.record_id === x)));
      assert.equal((await fulfil(c, id)).status, 409, 'answered once');
    });

    it('erases what may be erased and says why the rest is kept, a legal hold included', async () => {
      const c = await commune();
      await setHold(env.server.database.db, c.t, c.ids.report, 'litige en cours', { actorId: c.dpo.agent.id, actor: c.dpo.agent.email });
      const id = await verified(c.t, c.claire, 'erasure');
      const r = await fulfil(c, id);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.erased, [c.ids.newsletter]);
      const kept = Object.fromEntries(r.body.kept.map((k: { id: string; reason: string }) => [k.id, k.reason]));
      assert.match(kept[c.ids.report], /conservation pour raison juridique/);
      assert.match(kept[c.ids.contact], /mission de service public/);
      assert.deepEqual((await stored(c.loaded, [c.ids.newsletter, c.ids.report, c.ids.contact, c.ids.paul])).map((x) => x.id).sort(), [c.ids.report, c.ids.contact, c.ids.paul].sort());
      const ledger = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: c.t }, (trx) => trx.selectFrom('erasure_ledger').select('record_id').where('tenant_id', '=', c.t).execute());
      assert.deepEqual(ledger.map((l) => l.record_id), [c.ids.newsletter]);
      const [answer] = await mailsTo(env.smtp, c.claire, /Voici la réponse/);
      assert.match(answer!, /1 demande a été effacée/);
      assert.match(answer!, /raison juridique/);
    });

    it('erases a public-task record the DPO finds no longer needed', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'erasure', { scope: 'contact' });
      const r = await fulfil(c, id, { alsoErase: [c.ids.contact] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.erased, [c.ids.contact], 'the scope leaves the other processings alone');
      assert.equal((await stored(c.loaded, [c.ids.report, c.ids.newsletter])).length, 2);
    });

    it('freezes the records on a restriction until the DPO lifts it, and tells the person', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'restriction');
      const r = await fulfil(c, id);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.frozen.length, 3);
      assert.equal(r.body.notifications, undefined, 'the contact, the report and the newsletter went to no third party');
      assert.ok((await stored(c.loaded, [c.ids.contact, c.ids.report, c.ids.newsletter])).every((x) => x.frozen));
      assert.ok(!(await stored(c.loaded, [c.ids.paul]))[0]!.frozen);
      // Frozen records are not erased by a later erasure request.
      const erase = await verified(c.t, c.claire, 'erasure');
      const e = await fulfil(c, erase);
      assert.deepEqual(e.body.erased, []);
      const lift = await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/lift`, { token: c.dpo.token });
      assert.equal(lift.status, 200, JSON.stringify(lift.body));
      assert.ok((await stored(c.loaded, [c.ids.contact, c.ids.report, c.ids.newsletter])).every((x) => !x.frozen));
      await mailsTo(env.smtp, c.claire, /limitation du traitement que vous aviez demandée .* est levée/s);
      assert.equal((await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/lift`, { token: c.dpo.token })).status, 409);
    });

    it('names the recipients of frozen records (art. 19) and records once each what the DPO told them', async () => {
      const c = await commune();
      const sent = await api(env.server.url, 'POST', `/api/v1/${c.t}/forms/inscription-enfance/submissions`, { body: { data: { ...enrolmentData({ prenom: 'Léa', allergies: 'aucune' }), courriel: c.claire } } });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      const enrolment = sent.body.id as string;
      const id = await verified(c.t, c.claire, 'restriction');
      const r = await fulfil(c, id);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // Only the enrolment had been disclosed to anyone: to the CAF, the Trésor public and the bailiffs.
      assert.deepEqual(r.body.notifications.map((n: { recipientId: string }) => n.recipientId), ['caf', 'tresor', 'recouvrement']);
      assert.ok(r.body.notifications.every((n: { records: string[]; notifiedAt?: string }) => n.records.length === 1 && n.records[0] === enrolment && n.notifiedAt === undefined));
      await mailsTo(env.smtp, c.claire, /communiquées à : Caisse d'allocations familiales de la Haute-Vallée, Trésor public .*Nous les informons de cette limitation du traitement \(article 19 du RGPD\)/s);
      const notify = (body: unknown) => api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/notifications`, { token: c.dpo.token, body });
      const unknown = await notify({ recipient: 'insee', what: 'Courrier du 4 décembre : traitement limité.' });
      assert.equal(unknown.status, 400);
      assert.match(JSON.stringify(unknown.body), /« caf »/);
      assert.equal((await notify({ recipient: 'caf', what: 'vu' })).status, 400);
      const done = await notify({ recipient: 'caf', what: 'Courrier du 4 décembre à la CAF : traitement du dossier de Léa limité.' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.pending, 2);
      assert.equal((await notify({ recipient: 'caf', what: 'Courrier du 4 décembre à la CAF, une seconde fois.' })).status, 409);
      const shown = await api(env.server.url, 'GET', `/api/v1/${c.t}/rights-requests/${id}`, { token: c.dpo.token });
      const caf = shown.body.outcome.notifications.find((n: { recipientId: string }) => n.recipientId === 'caf');
      assert.equal(caf.notifiedAt, done.body.notifiedAt);
      // What was sent names the child: it is sealed with the request, not in its outcome.
      assert.doesNotMatch(JSON.stringify(shown.body), /Léa/);
      // A request that changed nothing disclosed has nobody to tell.
      const access = await verified(c.t, c.claire, 'access');
      await fulfil(c, access);
      assert.equal((await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${access}/notifications`, { token: c.dpo.token, body: { recipient: 'caf', what: 'Courrier du 4 décembre à la CAF.' } })).status, 409);
    });

    it('takes records out of processing on an objection unless the DPO records compelling grounds', async () => {
      const c = await commune();
      const withGrounds = await verified(c.t, c.claire, 'objection', { scope: 'signalement-voirie' });
      const g = await fulfil(c, withGrounds, { grounds: 'Le signalement concerne un danger sur la voie publique encore en cours de traitement.' });
      assert.equal(g.status, 200, JSON.stringify(g.body));
      assert.deepEqual(g.body.erased, []);
      assert.match(g.body.kept[0].reason, /motifs légitimes et impérieux/);
      const without = await verified(c.t, c.claire, 'objection');
      const w = await fulfil(c, without);
      assert.deepEqual(w.body.erased.sort(), [c.ids.contact, c.ids.report].sort());
      // The newsletter rests on consent: objection does not apply, withdrawal does.
      assert.match(w.body.kept.find((k: { id: string }) => k.id === c.ids.newsletter).reason, /consentement/);
    });

    it('exports only what portability applies to, and explains the refusal for public-task processings', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'portability');
      const r = await fulfil(c, id);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.records.map((x: { id: string }) => x.id), [c.ids.newsletter]);
      assert.equal(r.body.refused.length, 2);
      assert.ok(r.body.refused.every((k: { reason: string }) => /mission de service public, le droit à la portabilité ne s.applique pas/.test(k.reason)));
      const [answer] = await mailsTo(env.smtp, c.claire, /Voici la réponse/);
      const csv = await fetch(`${env.server.url}${linkIn(answer!, 'reponse')}&format=csv`);
      assert.equal(csv.status, 200);
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark, for spreadsheets');
      const text = bytes.toString('utf8');
      assert.match(text, new RegExp(`${c.ids.newsletter};.*;courriel;${c.claire.replace(/\./g, '\\.')}`));
    });

    it('rectifies a field with a reason, checked as on submission, keeping the old value nowhere', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'rectification', { details: 'Le lieu de mon signalement est le 14 rue des Lilas.' });
      const refused = async (body: unknown, message: RegExp) => {
        const r = await fulfil(c, id, body);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(JSON.stringify(r.body), message);
      };
      const reason = 'Adresse confirmée par le service technique.';
      await refused({ changes: [{ recordId: c.ids.report, field: 'lieu', value: '14 rue des Lilas' }] }, /reason/);
      await refused({ reason, changes: [{ recordId: c.ids.report, field: 'inconnu', value: 'x' }] }, /Le champ « inconnu » n’existe pas dans la démarche/);
      await refused({ reason, changes: [{ recordId: c.ids.report, field: 'courriel', value: 'pas-une-adresse' }] }, /adresse électronique valide/);
      await refused({ reason, changes: [{ recordId: c.ids.paul, field: 'lieu', value: '14 rue des Lilas' }] }, /n’est pas une demande de la personne concernée/);
      await refused({ reason, changes: [{ recordId: c.ids.report, field: 'lieu', value: '' }] }, /obligatoire/);
      const ok = await fulfil(c, id, { reason, changes: [{ recordId: c.ids.report, field: 'lieu', value: '14 rue des Lilas' }] });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.rectified, [{ id: c.ids.report, fields: ['lieu'] }]);
      const row = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: c.t }, (trx) => trx.selectFrom('records').select(['data']).where('tenant_id', '=', c.t).where('id', '=', c.ids.report).executeTakeFirstOrThrow());
      assert.equal(row.data['lieu'], '14 rue des Lilas');
      const journal = await withPrincipal(env.server.database.db, { kind: 'system', tenantId: c.t }, (trx) => trx.selectFrom('journal').select('purpose').where('tenant_id', '=', c.t).execute());
      assert.ok(journal.some((j) => /champs rectifiés lieu/.test(j.purpose)));
      assert.ok(!journal.some((j) => /12 rue des Lilas|14 rue des Lilas/.test(j.purpose)), 'no value in the journal');
      await mailsTo(env.smtp, c.claire, /ont été rectifiées[\s\S]*« Lieu du problème »/);
    });

    it('extends the deadline once, by two months at most, with a reason e-mailed to the person', async () => {
      const c = await commune();
      const id = await verified(c.t, c.claire, 'access');
      const show = await api(env.server.url, 'GET', `/api/v1/${c.t}/rights-requests/${id}`, { token: c.dpo.token });
      const verifiedAt = new Date(show.body.verifiedAt);
      assert.equal(new Date(show.body.dueAt).getUTCMonth(), (verifiedAt.getUTCMonth() + 1) % 12);
      const extend = (body: unknown) => api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/extend`, { token: c.dpo.token, body });
      assert.equal((await extend({ months: 3, reason: 'Demande portant sur de nombreuses démarches.' })).status, 400);
      assert.equal((await extend({ months: 2 })).status, 400);
      const ok = await extend({ months: 2, reason: 'Demande portant sur de nombreuses démarches.' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(new Date(ok.body.dueAt).getUTCMonth(), (verifiedAt.getUTCMonth() + 3) % 12);
      assert.equal((await extend({ months: 1, reason: 'Une seconde prolongation, refusée.' })).status, 409);
      await mailsTo(env.smtp, c.claire, /prolongé .*Motif : Demande portant sur de nombreuses démarches\./s);
    });

    it('lets the DPO verify identity with a written reason, and keeps the desk to the DPO', async () => {
      const c = await commune();
      const agent = await accountWithToken(env.server.database.db, c.loaded, 'agent', ['accueil']);
      const { id } = await file(c.t, { type: 'access', email: c.claire });
      const verify = (token: string, body: unknown) => api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/${id}/verify`, { token, body });
      assert.equal((await verify(agent.token, { reason: 'Pièce d’identité présentée au guichet.' })).status, 403);
      assert.equal((await api(env.server.url, 'GET', `/api/v1/${c.t}/rights-requests`, { token: agent.token })).status, 403);
      assert.equal((await verify(c.dpo.token, { reason: 'ok' })).status, 400);
      const ok = await verify(c.dpo.token, { reason: 'Pièce d’identité présentée au guichet.' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal((await verify(c.dpo.token, { reason: 'Pièce d’identité présentée au guichet.' })).status, 409);
      assert.equal((await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests/00000000-0000-4000-8000-000000000000/verify`, { token: c.dpo.token, body: { reason: 'Pièce d’identité présentée.' } })).status, 404);
      await mailsTo(env.smtp, c.claire, /a vérifié votre identité/);
    });

    it('refuses a flood of unconfirmed requests for one address', async () => {
      const c = await commune();
      const email = `flot.${c.t}@example.fr`;
      for (let i = 0; i < MAX_PENDING_PER_ADDRESS; i++) await file(c.t, { type: 'access', email });
      const r = await api(env.server.url, 'POST', `/api/v1/${c.t}/rights-requests`, { body: { type: 'access', email } });
      assert.equal(r.status, 429);
      assert.equal(r.body.errors[0].field, 'email');
    });
  });
}

describe('the rights desk rate limit', () => {
  it('slows one client address down, page and API alike', async () => {
    const server = await startTestServer({ rightsRequestsPerHour: 2 });
    try {
      const loaded = await loadCommune(server.database.db, uniqueTenantId('flot'));
      const post = (i: number) => api(server.url, 'POST', `/api/v1/${loaded.tenantId}/rights-requests`, { body: { type: 'access', email: `p${i}@example.fr` } });
      assert.equal((await post(1)).status, 201);
      assert.equal((await post(2)).status, 201);
      const third = await post(3);
      assert.equal(third.status, 429);
      assert.match(third.body.errors[0].message, /Trop de demandes/);
    } finally {
      await server.close();
    }
  });
});
