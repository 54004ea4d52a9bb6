import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRegister } from '../register/parse.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { buildNotice, type Notice } from './notice.ts';
import { renderNoticePage } from './render-html.ts';
import { renderNoticeMarkdown } from './render-markdown.ts';

export function loadedFrom(yaml: string, version = 1): LoadedRegister {
  const parsed = parseRegister(new TextEncoder().encode(yaml));
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return { tenantId: parsed.register.tenant.id, version, hash: parsed.hash, loadedAt: new Date('2026-11-22T10:00:00Z'), loadedBy: 'test', register: parsed.register };
}

const EXAMPLES = {
  'Commune de Val-Fleuri': readFileSync(new URL('../../examples/val-fleuri.yaml', import.meta.url), 'utf8'),
  'Département de la Haute-Vallée': readFileSync(new URL('../../examples/haute-vallee.yaml', import.meta.url), 'utf8'),
};

const nonEmpty = (value: unknown, what: string) => {
  if (Array.isArray(value)) assert.ok(value.length > 0 && value.every((v) => String(v).trim() !== ''), `${what} is empty`);
  else assert.ok(typeof value === 'string' && value.trim() !== '', `${what} is empty`);
};

/** The transparency list of seed 004, item by item, for one processing. */
function assertEveryTransparencyItem(notice: Notice, id: string): void {
  const p = notice.processings.find((x) => x.id === id)!;
  const at = (item: string) => `${id}: ${item}`;
  nonEmpty(p.controller, at('controller'));
  nonEmpty(p.purposes, at('purposes'));
  nonEmpty(p.legalBasis.label, at('legal basis'));
  assert.match(p.legalBasis.article, /^article 6\.1\.[a-f] du RGPD$/, at('legal basis article'));
  nonEmpty(p.data.mandatoryExplanation, at('mandatory or optional'));
  for (const f of p.data.fields) nonEmpty(f.why, at(`why ${f.name}`));
  nonEmpty(p.data.categories.map((c) => c.label), at('data categories'));
  nonEmpty(p.source, at('source'));
  nonEmpty(p.subjects, at('subjects'));
  nonEmpty(p.recipients.summary, at('recipients'));
  nonEmpty(p.retention.summary, at('retention'));
  assert.match(p.retention.summary, /\d+ (an|ans|mois|semaine|semaines|jour|jours)\b/, at('retention in plain French'));
  nonEmpty(p.security, at('security'));
  nonEmpty(p.transfersOutsideEU.text, at('transfers'));
  nonEmpty(p.automatedDecision.text, at('automated decision'));
  assert.ok(p.rights.some((r) => r.right === 'access' && r.applies === 'yes'), at('rights'));
}

for (const [name, yaml] of Object.entries(EXAMPLES)) {
  describe(`the notice of the demo ${name}`, () => {
    const notice = buildNotice(loadedFrom(yaml));
    const page = renderNoticePage(notice);
    const markdown = renderNoticeMarkdown(notice);

    it('states every transparency item for every processing', () => {
      assert.ok(notice.processings.length > 0);
      for (const p of notice.processings) assertEveryTransparencyItem(notice, p.id);
    });

    it('names the controller and the DPO with their contacts, the CNIL and the rights page', () => {
      nonEmpty(notice.controller.email, 'controller email');
      nonEmpty(notice.dpo.email, 'dpo email');
      assert.equal(notice.howToExercise.rightsPage, `/${notice.tenant.id}/mes-droits`);
      assert.match(page, /cnil\.fr/);
      assert.ok(page.includes(notice.dpo.email));
      assert.ok(page.includes(`href="/${notice.tenant.id}/mes-droits"`));
    });

    it('shows each processing, its retention and its rights on the page and in Markdown', () => {
      for (const p of notice.processings) {
        assert.ok(page.includes(`id="traitement-${p.id}"`), `${p.id} missing from the page`);
        assert.ok(markdown.includes(`### ${p.title.replace(/([\\`*_[\]|<>])/g, '\\$1')}`), `${p.id} missing from Markdown`);
      }
      for (const label of ['Finalités', 'Base légale', 'Données obligatoires ou facultatives', 'Catégories de données', 'Source des données', 'Personnes concernées', 'Destinataires', 'Durée de conservation', 'Mesures de sécurité', 'Transferts hors de l’Union européenne', 'Décision automatisée et profilage', 'Vos droits'])
        assert.equal(page.split(`<dt>${label}</dt>`).length - 1, notice.processings.length, `« ${label} » should appear once per processing`);
    });

    it('lists the platform’s own cookies, with lifetimes in French, and every embed as blocked until consent', () => {
      const names = notice.cookies.map((c) => c.name);
      assert.ok(names.includes('bastide_session') && names.includes('bastide_consent'));
      assert.equal(new Set(names).size, names.length, 'no cookie listed twice');
      for (const c of notice.cookies) assert.ok(!/^P\d/.test(c.lifetimeText), `${c.name} lifetime not in plain French`);
      assert.ok(notice.embeds.every((e) => e.blockedUntilConsent));
    });

    it('states the version and its publication date', () => {
      assert.equal(notice.version, 1);
      assert.match(page, /Version 1, publiée le 22 novembre 2026/);
      assert.match(page, /donnees-personnelles\/versions/);
    });
  });
}

describe('the notice of the demo commune, against the seeds', () => {
  const notice = buildNotice(loadedFrom(EXAMPLES['Commune de Val-Fleuri']));

  it('has the collection types of seed 001 in its table of collections', () => {
    const forms = notice.collections.map((c) => c.form.toLowerCase()).join(' | ');
    for (const word of ['lettre', 'sms', 'contact', 'inscri', 'signal', 'urbanisme', 'postuler']) assert.ok(forms.includes(word), `no form for « ${word} » in ${forms}`);
  });

  it('keeps family-portal data 5 years, or 10 when billing uses the quotient familial (seed 003)', () => {
    const p = notice.processings.find((x) => x.retention.rules.some((r) => /quotient/i.test(r)))!;
    assert.ok(p, 'a processing with a quotient familial rule');
    assert.match(p.retention.rules[0]!, /^10 ans .*quotient familial/i);
    assert.match(p.retention.summary, /^5 ans/);
    const recipients = p.recipients.thirdParties.map((t) => t.name).join(', ');
    assert.match(recipients, /Trésor public/);
    assert.match(recipients, /allocations familiales/i);
    assert.match(recipients, /recouvrement/i);
  });

  it('marks health fields as encrypted and states the art. 9 condition', () => {
    const health = notice.processings.flatMap((p) => p.data.fields.filter((f) => f.category === 'health').map((f) => ({ p, f })));
    assert.ok(health.length > 0);
    for (const { p, f } of health) {
      assert.equal(f.encrypted, true);
      nonEmpty(p.specialCategoryCondition, `${p.id} art. 9 condition`);
    }
  });

  it('keeps CCTV one week and site logs one year (seed 004)', () => {
    const texts = notice.processings.map((p) => `${p.title} :: ${p.retention.summary}`);
    assert.ok(texts.some((t) => /vidéo/i.test(t) && /^.* :: (7 jours|1 semaine)/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /journaux/i.test(t) && / :: 1 an /.test(t)), texts.join('\n'));
  });

  it('refuses portability for public-task processings and objection for legal-obligation ones', () => {
    for (const p of notice.processings) {
      const right = (r: string) => p.rights.find((x) => x.right === r)!.applies;
      if (p.legalBasis.code === 'public-task' || p.legalBasis.code === 'legal-obligation') assert.equal(right('portability'), 'no', p.id);
      if (p.legalBasis.code === 'legal-obligation') assert.equal(right('objection'), 'no', p.id);
      if (p.legalBasis.code === 'consent') assert.equal(right('withdraw-consent'), 'yes', p.id);
    }
  });
});

describe('a notice built from hostile register text', () => {
  it('escapes markup written in the register instead of running it', () => {
    const yaml = readFileSync(new URL('../register/fixtures/valid-minimal.yaml', import.meta.url), 'utf8').replace(
      'Traiter le signalement,',
      '"<script>alert(1)</script> Traiter le signalement",',
    );
    const page = renderNoticePage(buildNotice(loadedFrom(yaml)));
    assert.ok(!page.includes('<script>alert(1)</script>'));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt; Traiter le signalement'));
  });
});
