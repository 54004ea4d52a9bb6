/**
 * A form's third-party media (a video explaining the procedure), rendered by
 * the server: the frame itself when the visitor's signed choices allow its
 * provider, otherwise a placeholder that says what the content is and who
 * provides it, with a button that allows that provider (a plain form: it
 * works without JavaScript) and a link to the content on the provider's own
 * site. consent.js takes the same markup over when it runs.
 */
import type { Form, Register } from '../register/schema.ts';
import { html, type Html } from '../web/html.ts';
import { embedHosts } from './embed-hosts.ts';
import { TEXTS, fill } from './consent-texts.ts';

export interface MediaChoices {
  /** Providers the visitor allowed, from a cookie the server signed (readConsentCookie). */
  allowed: Record<string, boolean>;
  /** CSRF token of the cookies form (form id `cookies`). */
  token: string;
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
  return html`<div class="bcm-embed" id="media-${i + 1}" data-bastide-embed="${embed.id}" data-src="${m.src}" data-title="${m.title}" data-url="${m.url}" data-on="${on ? '1' : '0'}">
${
  on
    ? html`<iframe src="${m.src}" title="${fill(t.placeholderTitle, o)}" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>`
    : html`<p class="bcm-embed-title">${fill(t.placeholderTitle, o)}</p>
<p>${fill(t.placeholderText, o)}</p>
<form method="post" action="/${tenantId}/cookies">
<input type="hidden" name="_csrf" value="${choices.token}">
<input type="hidden" name="autoriser" value="${embed.id}">
<input type="hidden" name="retour" value="${choices.returnTo}#media-${i + 1}">
<button type="submit" class="bcm-button">${fill(t.placeholderAllow, o)}</button>
</form>`
}
${open}
</div>`;
})}
</section>`;
}
