/** Screens before sign-in about a password: asking for a reset link, choosing a password from a link, a link that no longer works. */
import { MIN_LENGTH } from '../../accounts/password-policy.ts';
import type { PasswordLinkPurpose } from '../../accounts/set-password.ts';
import { html } from '../../web/html.ts';
import { errorSummary, inputField, signInShell } from '../back-office-layout.ts';

type Tenant = { id: string; name: string };

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;
export const forgotPath = (tenantId: string) => `/${tenantId}/back-office/mot-de-passe-oublie`;
const signIn = (t: Tenant) => html`<p><a href="/${t.id}/back-office/connexion">Retour à la connexion</a></p>`;

export function forgotPage(t: Tenant, input: { csrf: string; email?: string; error?: string; sent?: boolean }): string {
  const errors = input.error ? [{ field: 'email', message: input.error }] : [];
  return signInShell(
    t,
    { title: 'Mot de passe oublié', hasErrors: errors.length > 0 },
    html`<h1>Mot de passe oublié</h1>
${
  input.sent
    ? html`<p class="status-message" role="status">Si un compte actif existe pour cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien vaut une heure et ne sert qu’une fois. Pensez à regarder dans les courriers indésirables.</p>`
    : html`<p>Saisissez l’adresse e-mail de votre compte : vous recevrez un lien, valable une heure, pour choisir un nouveau mot de passe. La double authentification reste demandée ensuite.</p>`
}
${errorSummary(errors)}
<form method="post" action="${forgotPath(t.id)}" novalidate>
${hidden(input.csrf)}
${inputField({ id: 'email', label: 'Adresse e-mail professionnelle', type: 'email', value: input.email ?? '', autocomplete: 'username', error: input.error })}
<div class="form-actions"><button type="submit" class="button-primary">${input.sent ? 'Envoyer un autre lien' : 'Recevoir un lien'}</button></div>
</form>
${signIn(t)}`,
  );
}

const TITLES: Record<PasswordLinkPurpose, string> = { invitation: 'Choisir votre mot de passe', reset: 'Choisir un nouveau mot de passe' };

export function choosePasswordPage(t: Tenant, input: { purpose: PasswordLinkPurpose; action: string; csrf: string; token: string; email: string; errors?: Array<{ field: string; message: string }> }): string {
  const errors = input.errors ?? [];
  const error = (f: string) => errors.find((e) => e.field === f)?.message;
  return signInShell(
    t,
    { title: TITLES[input.purpose], hasErrors: errors.length > 0 },
    html`<h1>${TITLES[input.purpose]}</h1>
<p>Compte : <strong>${input.email}</strong>.${input.purpose === 'reset' ? ' Une fois le mot de passe changé, toutes vos sessions sont fermées.' : ''}</p>
${errorSummary(errors)}
<form method="post" action="${input.action}" novalidate>
${hidden(input.csrf)}
<input type="hidden" name="jeton" value="${input.token}">
${inputField({ id: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'new-password', error: error('password'), hint: `Au moins ${MIN_LENGTH} caractères mêlant majuscules, minuscules, chiffres et caractères spéciaux, ou 14 avec majuscules, minuscules et chiffres, ou une phrase d’au moins 7 mots.` })}
${inputField({ id: 'confirmation', label: 'Confirmez le mot de passe', type: 'password', autocomplete: 'new-password', error: error('confirmation') })}
<div class="form-actions"><button type="submit" class="button-primary">Enregistrer le mot de passe</button></div>
</form>`,
  );
}

export function linkProblemPage(t: Tenant, purpose: PasswordLinkPurpose, problem: string): string {
  return signInShell(
    t,
    { title: 'Lien inutilisable' },
    html`<h1>Ce lien ne fonctionne plus</h1>
<p>${problem}</p>
${purpose === 'reset' ? html`<p><a href="${forgotPath(t.id)}">Demander un nouveau lien</a></p>` : html`<p>Demandez à un administrateur de votre collectivité de vous renvoyer une invitation.</p>`}
${signIn(t)}`,
  );
}

export function passwordSetPage(t: Tenant, purpose: PasswordLinkPurpose): string {
  return signInShell(
    t,
    { title: 'Mot de passe enregistré' },
    html`<h1>Mot de passe enregistré</h1>
<p class="status-message" role="status">${purpose === 'reset' ? 'Votre nouveau mot de passe est enregistré et toutes vos sessions sont fermées.' : 'Votre mot de passe est enregistré : votre compte est prêt.'} Connectez-vous avec votre adresse e-mail et ce mot de passe ; le code de double authentification vous sera demandé s’il est actif ou requis pour votre rôle.</p>
<p><a href="/${t.id}/back-office/connexion">Se connecter</a></p>`,
  );
}
