/** The sign-in screens: password, second factor, enrolment in it, recovery codes shown once. */
import { html } from '../web/html.ts';
import { errorSummary, inputField, signInShell } from './back-office-layout.ts';

type Tenant = { id: string; name: string };

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export function signInPage(t: Tenant, input: { csrf: string; email?: string; returnTo?: string; error?: string; notice?: string }): string {
  const errors = input.error ? [{ field: 'email', message: input.error }] : [];
  return signInShell(
    t,
    { title: 'Connexion', hasErrors: errors.length > 0 },
    html`<h1>Connexion à l’espace agents</h1>
${input.notice ? html`<p class="status-message" role="status">${input.notice}</p>` : ''}
${errorSummary(errors)}
<form method="post" action="/${t.id}/back-office/connexion" novalidate>
${hidden(input.csrf)}
${input.returnTo ? html`<input type="hidden" name="retour" value="${input.returnTo}">` : ''}
${inputField({ id: 'email', label: 'Adresse e-mail professionnelle', type: 'email', value: input.email ?? '', autocomplete: 'username', error: input.error })}
${inputField({ id: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'current-password' })}
<div class="form-actions"><button type="submit" class="button-primary">Se connecter</button></div>
</form>
<p><a href="/${t.id}/back-office/mot-de-passe-oublie">Mot de passe oublié ?</a></p>`,
  );
}

export function secondFactorPage(t: Tenant, input: { csrf: string; error?: string }): string {
  const errors = input.error ? [{ field: 'code', message: input.error }] : [];
  return signInShell(
    t,
    { title: 'Double authentification', hasErrors: errors.length > 0 },
    html`<h1>Double authentification</h1>
${errorSummary(errors)}
<form method="post" action="/${t.id}/back-office/verification" novalidate>
${hidden(input.csrf)}
${inputField({ id: 'code', label: 'Code à 6 chiffres de votre application d’authentification', type: 'text', autocomplete: 'one-time-code', hint: 'Sans application, saisissez l’un de vos codes de secours (format XXXXX-XXXXX).', error: input.error })}
<div class="form-actions"><button type="submit" class="button-primary">Valider</button></div>
</form>`,
  );
}

export function enrolmentPage(t: Tenant, input: { csrf: string; svg: string; typed: string; required: boolean; error?: string }): string {
  const errors = input.error ? [{ field: 'code', message: input.error }] : [];
  const picture = `data:image/svg+xml;base64,${Buffer.from(input.svg).toString('base64')}`;
  return signInShell(
    t,
    { title: 'Activer la double authentification', hasErrors: errors.length > 0 },
    html`<h1>Activer la double authentification</h1>
${input.required ? html`<p>Votre rôle donne accès à des données de toute la collectivité : un second facteur est obligatoire.</p>` : ''}
${errorSummary(errors)}
<ol>
<li>Dans votre application d’authentification (FreeOTP, Aegis, Google Authenticator…), ajoutez un compte en scannant ce code QR :
<p><img src="${picture}" alt="Code QR d’activation : si vous ne pouvez pas le scanner, saisissez la clé indiquée juste après." width="200" height="200"></p>
<p>ou en saisissant cette clé : <code id="cle">${input.typed}</code></p></li>
<li>Saisissez le code à 6 chiffres que l’application affiche.</li>
</ol>
<form method="post" action="/${t.id}/back-office/double-authentification" novalidate>
${hidden(input.csrf)}
${inputField({ id: 'code', label: 'Code à 6 chiffres', type: 'text', autocomplete: 'one-time-code', error: input.error })}
<div class="form-actions"><button type="submit" class="button-primary">Activer</button></div>
</form>`,
  );
}

export function recoveryCodesPage(t: Tenant, codes: readonly string[]): string {
  return signInShell(
    t,
    { title: 'Codes de secours' },
    html`<h1>Vos codes de secours</h1>
<p>La double authentification est active. Notez ou imprimez ces dix codes et gardez-les en lieu sûr : chacun permet une connexion si vous perdez votre téléphone, une seule fois. Ils ne seront plus affichés.</p>
<ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="/${t.id}/back-office">Continuer vers les demandes</a></p>`,
  );
}

