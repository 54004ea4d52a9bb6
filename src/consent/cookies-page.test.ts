/**
 * The choices without JavaScript: the cookies page and an embed's
 * « Autoriser » button are plain forms; the form page then renders the frame
 * itself, with a Content-Security-Policy that frames the provider's hosts
 * alone. And consent.js as the browser loads it.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../db/testing.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { consentConfig } from './consent-config.ts';

const TENANT = 'val-fleuri';
const FORM = `/${TENANT}/demarches/demande-urbanisme`;

/** The session cookie and the token of the first cookies form on a page. */
async function openCookiesForm(server: TestServer, path: string, cookie = ''): Promise<{ cookie: string; token: string; html: string }> {
  const res = await fetch(server.url + path, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const at = html.indexOf(`action="/${TENANT}/cookies"`);
  const token = /name="_csrf" value="([^"]+)"/.exec(html.slice(at))?.[1];
  if (at < 0 || !token) throw new Error(`no cookies form on ${path}`);
  return { cookie: [cookie, set].filter(Boolean).join('; '), token, html };
}

function postChoices(server: TestServer, opened: { cookie: string; token: string }, fields: Record<string, string>) {
  return fetch(`${server.url}/${TENANT}/cookies`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: opened.cookie },
    body: new URLSearchParams({ _csrf: opened.token, ...fields }).toString(),
    redirect: 'manual',
  });
}

const consentCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('bastide_consent='));

for (const kind of testDatabaseKinds()) {
  describe(`choices without JavaScript (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ kind, registers: [EXAMPLE_REGISTERS.commune, EXAMPLE_REGISTERS.departement] });
    });
    after(async () => server.close());
    const proofCount = async () => (await server.database.db.selectFrom('consent_proofs').select('id').where('tenant_id', '=', TENANT).execute()).length;

    it('shows a placeholder, not the frame, before any choice: what it is, who provides it, a button and a link to the provider', async () => {
      const res = await fetch(server.url + FORM);
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.ok(!/<iframe/.test(html), 'no frame before consent');
      assert.match(html, /Ce contenu est hébergé par YouTube \(Google Ireland Limited\)/);
      assert.match(html, /<a class="bcm-allow" href="\/val-fleuri\/cookies\?autoriser=youtube&amp;retour=%2Fval-fleuri%2Fdemarches%2Fdemande-urbanisme%23media-1">Autoriser YouTube et afficher le contenu<\/a>/);
      // No form before the procedure's own: its token is the page's first.
      assert.ok(html.indexOf('name="_csrf"') > html.indexOf('<form class="demarche"'));
      assert.match(html, /<a href="https:\/\/www\.youtube\.com\/watch\?v=Vf1Urbanism">Voir sur le site de YouTube/);
      // The page may frame YouTube's hosts once the visitor allows it, and nothing else.
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-src https:\/\/www\.youtube-nocookie\.com/);
      assert.ok(!/frame-src[^;]*facebook/.test(csp));
      // The form's own page view is the funnel's first step, and every page loads the consent manager.
      assert.match(html, /<meta name="bastide-audience" content="form-viewed demande-urbanisme">/);
      assert.match(html, /<script src="\/val-fleuri\/consent\.js\?v=[\w-]{12}" defer><\/script>/);
      assert.match(html, /<a href="\/val-fleuri\/cookies" data-bastide-consent>Gestion des cookies<\/a>/);
    });

    it('allows YouTube from the placeholder’s link in one confirmed step, back to the page, which then renders the frame', async () => {
      const opened = await openCookiesForm(server, `/${TENANT}/cookies?autoriser=youtube&retour=${encodeURIComponent(`${FORM}#media-1`)}`);
      assert.match(opened.html, /<h2 id="autoriser-titre">Autoriser YouTube \?<\/h2>/);
      assert.match(opened.html, /<input type="hidden" name="autoriser" value="youtube">/);
      assert.match(opened.html, /<a href="\/val-fleuri\/demarches\/demande-urbanisme#media-1">Revenir sans autoriser YouTube<\/a>/);
      const before = await proofCount();
      const res = await postChoices(server, opened, { autoriser: 'youtube', retour: `${FORM}#media-1` });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${FORM}#media-1`);
      const set = consentCookieOf(res)!;
      assert.match(set, /Path=\/val-fleuri/);
      assert.match(set, /Max-Age=15811200/);
      assert.ok(!/HttpOnly/i.test(set), 'consent.js reads it');
      assert.equal(await proofCount(), before + 1);
      const row = await server.database.db.selectFrom('consent_proofs').selectAll().where('tenant_id', '=', TENANT).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(row.source, 'embed');
      const page = await (await fetch(server.url + FORM, { headers: { cookie: set.split(';')[0]! } })).text();
      assert.match(page, /<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/Vf1Urbanism" title="Contenu de YouTube : Préparer son projet/);
      assert.match(page, /data-on="1"/);
    });

    it('shows the placeholder again when the cookie was tampered with', async () => {
      const opened = await openCookiesForm(server, `/${TENANT}/cookies`);
      const set = consentCookieOf(await postChoices(server, opened, { action: 'refuser' }))!.split(';')[0]!;
      const forged = set.replace(/\.([^.]*)\.([^.]*)$/, '.youtube.$2');
      assert.notEqual(forged, set);
      const page = await (await fetch(server.url + FORM, { headers: { cookie: forged } })).text();
      assert.ok(!/<iframe/.test(page));
      assert.match(page, /Autoriser YouTube/);
    });

    it('saves each choice of the cookies page, says so, and shows them back with the consent id', async () => {
      const opened = await openCookiesForm(server, `/${TENANT}/cookies`);
      assert.match(opened.html, /<h1>Gestion des cookies<\/h1>/);
      assert.match(opened.html, /<legend>YouTube <span class="meta">\(Google Ireland Limited\)<\/span><\/legend>/);
      assert.match(opened.html, /<input type="radio" id="choix-audience-oui" name="audience" value="oui" checked>/, 'the exempt measurement runs until opposed');
      const res = await postChoices(server, opened, { youtube: 'non', facebook: 'oui', audience: 'non', action: 'enregistrer' });
      assert.equal(res.status, 303);
      // The objection removes the measurement's identifier at once.
      assert.ok(res.headers.getSetCookie().some((c) => /^bastide_vid=;/.test(c) && /Path=\/val-fleuri/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c)), res.headers.getSetCookie().join(' | '));
      const proof = await server.database.db.selectFrom('consent_proofs').selectAll().where('tenant_id', '=', TENANT).orderBy('id', 'desc').executeTakeFirstOrThrow();
      const c = consentConfig((await server.registers.current(TENANT))!);
      assert.equal(proof.text_hash, c.pageTextHash, 'the proof names the texts of the cookies page, not the banner’s');
      assert.notEqual(c.pageTextHash, c.textHash.fr);
      assert.equal(res.headers.get('location'), `/${TENANT}/cookies?enregistre=1`);
      const cookie = consentCookieOf(res)!.split(';')[0]!;
      const page = await (await fetch(`${server.url}/${TENANT}/cookies?enregistre=1`, { headers: { cookie } })).text();
      assert.match(page, /Vos choix sont enregistrés\./);
      assert.match(page, /id="choix-facebook-oui" name="facebook" value="oui" checked/);
      assert.match(page, /id="choix-youtube-non" name="youtube" value="non" checked/);
      assert.match(page, /id="choix-audience-non" name="audience" value="non" checked/);
      assert.match(page, /Identifiant de vos choix : <code>[0-9a-f-]{36}<\/code>/);
    });

    it('refuses a post without its token, an unknown content, and never goes back to another site', async () => {
      const before = await proofCount();
      const opened = await openCookiesForm(server, `/${TENANT}/cookies`);
      const noToken = await postChoices(server, { cookie: opened.cookie, token: '' }, { action: 'accepter' });
      assert.equal(noToken.status, 403);
      assert.match(await noToken.text(), /Formulaire expiré/);
      const unknown = await postChoices(server, opened, { autoriser: 'tiktok', retour: FORM });
      assert.equal(unknown.status, 400);
      assert.match(await unknown.text(), /« tiktok » n’est pas proposé/);
      assert.equal(await proofCount(), before);
      for (const retour of ['//evil.example/x', 'https://evil.example/', '/haute-vallee/demarches', `/${TENANT}/\\evil`, 'javascript:alert(1)']) {
        const res = await postChoices(server, opened, { action: 'refuser', retour });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), `/${TENANT}/cookies?enregistre=1`, retour);
      }
    });

    it('serves consent.js: JavaScript, French or English, under 5 KB gzipped, loadable by the authority’s other sites', async () => {
      const page = await (await fetch(server.url + FORM)).text();
      const pinned = /src="(\/val-fleuri\/consent\.js\?v=[\w-]{12})"/.exec(page)![1]!;
      const res = await fetch(server.url + pinned);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
      const fr = await res.text();
      assert.match(fr, /Tout accepter/);
      assert.ok(gzipSync(fr, { level: 9 }).length <= 5 * 1024, `${gzipSync(fr, { level: 9 }).length} bytes gzipped`);
      const unpinned = await fetch(`${server.url}/${TENANT}/consent.js`);
      assert.equal(unpinned.headers.get('cache-control'), 'public, max-age=300');
      const en = await (await fetch(`${server.url}/${TENANT}/consent.js?lang=en`)).text();
      assert.match(en, /Accept all/);
      assert.ok(!/Tout accepter/.test(en));
      const etag = unpinned.headers.get('etag')!;
      assert.equal((await fetch(`${server.url}/${TENANT}/consent.js`, { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal((await fetch(`${server.url}/nulle-part/consent.js`)).status, 404);
    });
  });
}
