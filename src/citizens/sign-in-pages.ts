/** The pages before sign-in: create an account, confirm it, sign in, forgotten password, new password. */
import type { LoadedRegister } from '../register/register-repository.ts';
import { html } from '../web/html.ts';
import { accountShell, csrfInput, errorOf, inputField } from './account-layout.ts';
import { accountPath } from './citizen-mail.ts';
import type { FieldProblem } from './sign-up.ts';

const POLICY =
  'Au moins 12 caractères mêlant majuscules, minuscules, chiffres et caractères spéciaux, ou 14 avec majuscules, minuscules et chiffres, ou une phrase d’au moins 7 mots.';

const newPasswordFields = (errors: readonly FieldProblem[] | undefined) => html`
${inputField({ id: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'new-password', hint: POLICY, error: errorOf(errors, 'password') })}
${inputField({ id: 'confirmation', label: 'Confirmation du mot de passe', type: 'password', autocomplete: 'new-password', error: errorOf(errors, 'confirmation') })}`;

export function signInPage(loaded: LoadedRegister, input: { csrf: string; email?: string; error?: string; notice?: string }): string {
  const base = accountPath(loaded.tenantId);
  const errors = input.error ? [{ field: 'email', message: input.error }] : [];
  return accountShell(
    loaded,
    { title: 'Connexion à mon compte', errors },
    html`<h1>Connexion à mon compte</h1>
${input.notice ? html`<p class="status-message" role="status">${input.notice}</p>` : ''}
<p>Votre compte vous permet de suivre vos demandes, de lire les réponses des services et de savoir qui les a consultées.</p>
<form method="post" action="${base}/connexion" novalidate>
${csrfInput(input.csrf)}
${inputField({ id: 'email', label: 'Adresse électronique', type: 'email', value: input.email ?? '', autocomplete: 'username', error: input.error })}
${inputField({ id: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'current-password' })}
<div class="form-actions"><button type="submit" class="button-primary">Se connecter</button></div>
</form>
<p><a href="${base}/mot-de-passe-oublie">Mot de passe oublié ?</a></p>
<p>Pas encore de compte ? <a href="${base}/inscription">Créer un compte</a></p>`,
  );
}

export function signUpPage(loaded: LoadedRegister, input: { csrf: string; email?: string; errors?: FieldProblem[] }): string {
  const base = accountPath(loaded.tenantId);
  return accountShell(
    loaded,
    { title: 'Créer un compte', errors: input.errors ?? [] },
    html`<h1>Créer un compte</h1>
<p>Tous les champs sont obligatoires. Un lien de confirmation est envoyé à votre adresse : le compte ne sert qu’une fois celle-ci confirmée.</p>
<p>Les données du compte et leur durée de conservation sont décrites dans la <a href="/${loaded.tenantId}/donnees-personnelles">politique de données personnelles</a>.</p>
<form method="post" action="${base}/inscription" novalidate>
${csrfInput(input.csrf)}
${inputField({ id: 'email', label: 'Adresse électronique', type: 'email', value: input.email ?? '', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr', error: errorOf(input.errors, 'email') })}
${newPasswordFields(input.errors)}
<div class="form-actions"><button type="submit" class="button-primary">Créer mon compte</button></div>
</form>
<p>Déjà un compte ? <a href="${base}/connexion">Se connecter</a></p>`,
  );
}

/** The same answer whether the address had an account or not. */
export function linkSentPage(loaded: LoadedRegister, input: { title: string; text: string }): string {
  return accountShell(
    loaded,
    { title: input.title },
    html`<h1>${input.title}</h1>
<p class="status-message" role="status">${input.text}</p>
<p>Rien reçu ? Vérifiez le dossier des indésirables, puis recommencez dans quelques minutes.</p>
<p><a href="${accountPath(loaded.tenantId)}/connexion">Retour à la connexion</a></p>`,
  );
}

export function confirmPage(loaded: LoadedRegister, input: { csrf: string; token: string; errors?: FieldProblem[] }): string {
  const base = accountPath(loaded.tenantId);
  return accountShell(
    loaded,
    { title: 'Confirmer mon adresse', errors: input.errors ?? [] },
    html`<h1>Confirmer mon adresse électronique</h1>
<p>Pour confirmer, saisissez le mot de passe de votre compte.</p>
<form method="post" action="${base}/confirmation" novalidate>
${csrfInput(input.csrf)}
<input type="hidden" name="jeton" value="${input.token}">
${inputField({ id: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'current-password', error: errorOf(input.errors, 'password') })}
<div class="form-actions"><button type="submit" class="button-primary">Confirmer mon adresse</button></div>
</form>`,
  );
}

/** A link that no longer works, and what to do next. */
export function linkProblemPage(loaded: LoadedRegister, problem: string, again: { href: string; label: string }): string {
  return accountShell(
    loaded,
    { title: 'Lien inutilisable', errors: [{ field: '', message: problem }] },
    html`<h1>Ce lien ne peut pas être utilisé</h1>
<p><a href="${again.href}">${again.label}</a></p>`,
  );
}

export function forgotPage(loaded: LoadedRegister, input: { csrf: string; email?: string; error?: string }): string {
  const base = accountPath(loaded.tenantId);
  const errors = input.error ? [{ field: 'email', message: input.error }] : [];
  return accountShell(
    loaded,
    { title: 'Mot de passe oublié', errors },
    html`<h1>Mot de passe oublié</h1>
<p>Saisissez l’adresse de votre compte : un lien pour choisir un nouveau mot de passe y sera envoyé, valable une heure.</p>
<form method="post" action="${base}/mot-de-passe-oublie" novalidate>
${csrfInput(input.csrf)}
${inputField({ id: 'email', label: 'Adresse électronique', type: 'email', value: input.email ?? '', autocomplete: 'email', error: input.error })}
<div class="form-actions"><button type="submit" class="button-primary">Recevoir un lien</button></div>
</form>`,
  );
}

export function resetPage(loaded: LoadedRegister, input: { csrf: string; token: string; errors?: FieldProblem[] }): string {
  const base = accountPath(loaded.tenantId);
  return accountShell(
    loaded,
    { title: 'Nouveau mot de passe', errors: input.errors ?? [] },
    html`<h1>Choisir un nouveau mot de passe</h1>
<p>Après le changement, toutes vos sessions sont fermées : connectez-vous avec le nouveau mot de passe.</p>
<form method="post" action="${base}/nouveau-mot-de-passe" novalidate>
${csrfInput(input.csrf)}
<input type="hidden" name="jeton" value="${input.token}">
${newPasswordFields(input.errors)}
<div class="form-actions"><button type="submit" class="button-primary">Enregistrer le mot de passe</button></div>
</form>`,
  );
}

export { newPasswordFields };
