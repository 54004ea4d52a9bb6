import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds, uniqueTenantId } from '../../db/testing.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { communeYaml, loadCommune } from '../../records/testing.ts';
import { startTestServer, type TestServer } from '../../server/testing.ts';
import { signInEnrolling } from '../admin/testing.ts';
import { agentWithPassword, signInWithPassword, TestBrowser } from '../testing.ts';
import { frenchDay } from './audience-period.ts';
import { hit, knownDay, parisDayFromToday, parisTime, seedAudience } from './testing.ts';

const cell = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

for (const kind of testDatabaseKinds()) {
  describe(`audience dashboard (${kind})`, () => {
    let server: TestServer;
    let a: LoadedRegister;
    let other: string;
    let communication: TestBrowser;
    let reception: TestBrowser;
    const t = () => a.tenantId;
    const page = (q = '') => `/${t()}/back-office/audience${q}`;
    const csv = (q = '') => `/${t()}/back-office/audience.csv${q}`;
    // Fixed once, so that a run across midnight still agrees with itself.
    let day = '';

    before(async () => {
      server = await startTestServer({ kind });
      const db = server.database.db;
      day = parisDayFromToday(-3);
      a = await loadCommune(db, uniqueTenantId('bo-aud'));
      other = (await loadCommune(db, uniqueTenantId('bo-aud'))).tenantId;
      await seedAudience(db, t(), knownDay(t(), day));
      await seedAudience(db, other, [hit(parisTime(day, 12), `/${other}/secret-autre-collectivite`, { visitor: '9', referrer: 'autre-collectivite.example' })]);
      await agentWithPassword(db, a, 'agent', ['communication'], 'com@aud.example.fr');
      await agentWithPassword(db, a, 'agent', ['accueil'], 'accueil@aud.example.fr');
      communication = new TestBrowser(server.url);
      reception = new TestBrowser(server.url);
      await signInWithPassword(communication, t(), 'com@aud.example.fr');
      await signInWithPassword(reception, t(), 'accueil@aud.example.fr');
    });
    after(() => server.close());

    it('shows the last 30 days to the communication service: totals, chart, the same figures in a table, pages, sites, forms', async () => {
      const res = await communication.get(page());
      assert.equal(res.status, 200);
      const body = res.body;
      assert.match(body, /<title>Mesure d’audience – Espace agents/);
      assert.match(body, new RegExp(`<a href="${page()}" aria-current="page">Mesure d’audience</a>`), 'in the navigation');
      assert.match(body, new RegExp(`<h2>Du ${frenchDay(parisDayFromToday(-30))} au ${frenchDay(parisDayFromToday(-1))}</h2>`));
      assert.match(body, /<dt>Pages vues<\/dt><dd>8<\/dd>/);
      assert.match(body, /<dt>Visites<\/dt><dd>5 /);
      assert.match(body, /<dt>Visiteurs uniques par jour, cumulés<\/dt><dd>4 /);
      assert.match(body, /<dt>Nouveaux visiteurs<\/dt><dd>1 /);
      // Visits, daily unique visitors, page views, new visitors.
      assert.ok(body.includes(`<tr><th scope="row">${frenchDay(day)}</th><td>5</td><td>4</td><td>8</td><td>1</td></tr>`), 'the known day in the table');
      assert.match(body, /<caption>Fréquentation jour par jour \(29 jours sans visite omis\)<\/caption>/);
      assert.match(body, /<svg viewBox="0 0 720 200" width="100%" role="img" aria-labelledby="audience-titre audience-resume">/);
      assert.match(body, /<title id="audience-titre">Visites, visiteurs uniques du jour et pages vues, jour par jour/);
      assert.match(body, new RegExp(`<desc id="audience-resume">[^<]*5 visites, 4 visiteurs uniques par jour, cumulés et 8 pages vues ; au plus 5 visites en un jour, le ${frenchDay(day)}\\.`));
      assert.equal([...body.matchAll(/<polyline /g)].length, 3, 'three lines');
      assert.match(body, /Visites \(trait plein, ronds\)<\/li>.*Visiteurs uniques du jour \(tirets, carrés\)<\/li>.*Pages vues \(pointillés, triangles\)<\/li>/s, 'a legend in words');
      assert.ok(body.includes(`<tr><th scope="row" class="audience-path">/${t()}/demarches</th><td>2</td></tr>`));
      assert.ok(body.includes('<th scope="row" class="audience-path">=HYPERLINK(&quot;http://piege.example&quot;,&quot;clic&quot;)</th>'), 'escaped');
      assert.match(body, /<tr><th scope="row">www\.google\.com<\/th><td>2<\/td><\/tr><tr><th scope="row">www\.qwant\.com<\/th><td>1<\/td><\/tr>/);
      assert.match(body, /<tr><th scope="row">Contacter la mairie<\/th><td>2<\/td><td>1<\/td><td>50 %<\/td><\/tr>/);
      assert.match(body, new RegExp(`<a href="${csv(`\\?du=${parisDayFromToday(-30)}&amp;au=${parisDayFromToday(-1)}`)}" download>Télécharger les chiffres de la période \\(CSV, [\\d,]+ (octets|Ko)\\)</a>`));
      assert.ok(!/<script/.test(body), 'no script');
      assert.ok(!body.includes('secret-autre-collectivite') && !body.includes('autre-collectivite.example'), 'nothing of the other tenant');
    });

    it('exports the period as CSV for French spreadsheets, formulas neutralised', async () => {
      const res = await communication.get(csv(`?du=${day}&au=${parisDayFromToday(-1)}`));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="audience-${t()}-${day}-${parisDayFromToday(-1)}.csv"`);
      const bytes = Buffer.from(await (await fetch(`${server.url}${csv(`?du=${day}&au=${day}`)}`, { headers: { cookie: `bastide_agent=${communication.cookie('bastide_agent')}` } })).arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
      const text = res.body.replace(/^\uFEFF/, '');
      assert.ok(text.includes('Jour;Visites;Visiteurs uniques du jour;Pages vues;Nouveaux visiteurs\r\n'));
      assert.ok(text.includes(`${cell(day)};5;4;8;1\r\n`), 'the known day');
      assert.ok(text.includes(`${cell(parisDayFromToday(-1))};0;0;0;0\r\n`), 'every day of the period');
      assert.ok(text.includes(`\r\n/${t()}/demarches;2\r\n`));
      assert.ok(text.includes(`\r\n"'=HYPERLINK(""http://piege.example"",""clic"")";1\r\n`), 'neutralised and quoted');
      assert.ok(text.includes(`\r\n'@SUM(1+1);1\r\n`), 'neutralised');
      assert.ok(text.includes('\r\nwww.google.com;2\r\n'));
      assert.ok(text.includes('\r\nContacter la mairie;contact-mairie;2;1;50\r\n'));
      assert.ok(!text.includes('secret-autre-collectivite'));
    });

    it('says so plainly when the period has no figures, with no empty chart', async () => {
      const res = await communication.get(page(`?du=${parisDayFromToday(-20)}&au=${parisDayFromToday(-10)}`));
      assert.equal(res.status, 200);
      assert.match(res.body, /Aucune visite n’a été mesurée pendant cette période\./);
      assert.ok(!res.body.includes('<svg viewBox'));
      assert.ok(!res.body.includes('<table'));
    });

    it('reads dates typed as JJ/MM/AAAA and shows them back in the date inputs', async () => {
      const res = await communication.get(page(`?du=${encodeURIComponent(cell(day))}&au=${encodeURIComponent(cell(day))}`));
      assert.equal(res.status, 200);
      assert.ok(res.body.includes(`<input type="date" id="du" name="du" value="${day}" aria-describedby="du-hint">`));
      assert.ok(res.body.includes(`<caption>Fréquentation jour par jour</caption>`), 'one day, none omitted');
    });

    it('refuses bad periods with a French message on the field concerned', async () => {
      const cases: Array<[string, 'du' | 'au', RegExp]> = [
        ['?du=2026-02-31', 'du', /« 2026-02-31 » n’est pas une date valide : saisissez la date de début au format JJ\/MM\/AAAA\./],
        [`?du=${parisDayFromToday(-2)}&au=${parisDayFromToday(-5)}`, 'au', /La date de fin doit être le même jour que la date de début \(.+\) ou après\./],
        [`?du=${parisDayFromToday(-800)}&au=${parisDayFromToday(-1)}`, 'du', /La période dépasse 25 mois, la durée de conservation des statistiques/],
        [`?au=${parisDayFromToday(3)}`, 'au', /La date de fin ne peut pas être dans le futur/],
      ];
      for (const [query, field, message] of cases) {
        const res = await communication.get(page(query));
        assert.equal(res.status, 400, query);
        assert.match(res.body, /<title>Erreur : Mesure d’audience/, query);
        assert.match(res.body, new RegExp(`<li><a href="#${field}">${message.source}`), `${query}: in the summary, linked to its field`);
        assert.match(res.body, new RegExp(`<p class="error-message" id="${field}-error"><span class="visually-hidden">Erreur : </span>${message.source}`), query);
        assert.match(res.body, new RegExp(`id="${field}" name="${field}" value="[^"]*" aria-describedby="${field}-hint ${field}-error" aria-invalid="true">`), `${query}: tied to the field`);
        assert.ok(!res.body.includes('<svg viewBox'), 'no figures for a refused period');
      }
      const back = await communication.get(csv('?du=2026-02-31'));
      assert.equal(back.status, 303, 'the CSV of a refused period sends back to the page');
      assert.equal(back.location, `${page()}?du=2026-02-31&au=`);
    });

    it('is refused to agents of other services and to a DPO who is no agent of communication', async () => {
      for (const path of [page(), csv()]) {
        const res = await reception.get(path);
        assert.equal(res.status, 403, path);
        assert.match(res.body, /Accès réservé/);
        assert.match(res.body, /réservée aux agents du service qui la traite \(Service communication\)/);
      }
      assert.ok(!(await reception.get(`/${t()}/back-office`)).body.includes('Mesure d’audience'), 'not in their navigation');
      const dpoAccount = await agentWithPassword(server.database.db, a, 'dpo', ['accueil'], 'dpo@aud.example.fr');
      const dpo = new TestBrowser(server.url);
      await signInEnrolling(server, dpo, t(), dpoAccount.id, 'dpo@aud.example.fr');
      assert.equal((await dpo.get(page())).status, 403);
      assert.equal((await dpo.get(csv())).status, 403);
      const signedOut = await new TestBrowser(server.url).get(page());
      assert.equal(signedOut.status, 303, 'to the sign-in page');
    });

    it('is a 404 where the register names no audience processing', async () => {
      const { tenantId } = await server.load(communeYaml(uniqueTenantId('bo-aud')).replace(/^audienceProcessing: .*$/m, ''));
      const loaded = await server.registers.current(tenantId);
      assert.ok(loaded);
      await agentWithPassword(server.database.db, loaded, 'agent', ['communication'], 'com@sans-audience.example.fr');
      const browser = new TestBrowser(server.url);
      await signInWithPassword(browser, tenantId, 'com@sans-audience.example.fr');
      const res = await browser.get(`/${tenantId}/back-office/audience`);
      assert.equal(res.status, 404);
      assert.ok(!(await browser.get(`/${tenantId}/back-office`)).body.includes('Mesure d’audience'));
    });
  });
}
