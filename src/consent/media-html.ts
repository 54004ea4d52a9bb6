/**
 * A form's third-party media (a video explaining the procedure), rendered by
 * the server: the frame itself when the visitor's signed choices allow its
 * provider, otherwise a placeholder that says what the content is and who
 * provides it, with a link that allows that provider (through the cookies
 * page, without JavaScript; no form here, so that the procedure's own form
 * stays the page's first) and a link to the content on the provider's own
 * site. consent.js replaces the placeholder with its own, a button.
 */
import type { Form, Register } from '../register/schema.ts';
import { html, type Html } from '../web/html.ts';
import { embedHosts } from './embed-hosts.ts';
import { TEXTS, fill } from './consent-texts.ts';

export interface MediaChoices {
  /** Providers the visitor allowed, from a cookie the server signed (readConsentCookie). */
  allowed: Record<string, boolean>;
  /** Where the visitor comes back after allowing: this page. */
  returnTo: string;
}

/** Origins a page with these media may frame: its providers' hosts, https only. */
export function mediaFrameSources(register: Register, form: Form): string[] {
  const hosts = new Set<string>();
  for (const m of form.media) {
    const embed = register.embeds.find((e) => e.id === m.embed);
    if (embed) for (const h of embedHosts(embed)) hosts.add(`https://${h}`);
  }
  return [...hosts];
}

export function mediaSection(tenantId: string, register: Register, form: Form, choices: MediaChoices): Html {
  if (form.media.length === 0) return html``;
  const t = TEXTS.fr;
  return html`<section class="media" aria-labelledby="media-titre">
<h2 id="media-titre">Pour vous aider</h2>
${form.media.map((m, i) => {
  const embed = register.embeds.find((e) => e.id === m.embed);
  if (!embed) return '';
  const o = { name: embed.name, provider: embed.provider ?? embed.name, title: m.title };
  const on = choices.allowed[embed.id] === true;
  const open = html`<p><a href="${m.url}">${fill(t.placeholderOpen, o)}<span class="visually-hidden"> : ${m.title}</span></a></p>`;
  // The placeholder carries no data-on: consent.js replaces it with its own (a button); without JavaScript its link leads to the cookies page's one-step confirmation.
  return html`<div class="bcm-embed" id="media-${i + 1}" data-bastide-embed="${embed.id}" data-src="${m.src}" data-title="${m.title}" data-url="${m.url}"${on ? html` data-on="1"` : ''}>
${
  on
    ? html`<iframe src="${m.src}" title="${fill(t.placeholderTitle, o)}" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>`
    : html`<p class="bcm-embed-title">${fill(t.placeholderTitle, o)}</p>
<p>${fill(t.placeholderText, o)}</p>
<p><a class="bcm-allow" href="/${tenantId}/cookies?${new URLSearchParams({ autoriser: embed.id, retour: `${choices.returnTo}#media-${i + 1}` }).toString()}">${fill(t.placeholderAllow, o)}</a></p>`
}
${open}
</div>`;
})}
</section>`;
}
