/** The account's settings: its address, its password, its deletion (saying which requests are kept, and why). */
import { frenchDate } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html } from '../web/html.ts';
import { accountPage, accountShell, csrfInput, errorOf, inputField } from './account-layout.ts';
import type { DeletionItem } from './account-deletion.ts';
import { accountPath } from './citizen-mail.ts';
import type { CitizenRequest } from './citizen-session.ts';
import { formTitle, retentionEnd } from './request-facts.ts';
import { newPasswordFields } from './sign-in-pages.ts';
import type { FieldProblem } from './sign-up.ts';

export function profilePage(req: CitizenRequest, input: { email?: string; errors?: FieldProblem[]; notice?: string }): string {
  const base = accountPath(req.tenantId);
  return accountPage(
    req,
    { title: 'Mon adresse électronique', path: `${base}/profil`, errors: input.errors ?? [] },
    html`<h1>Mon adresse électronique</h1>
${input.notice ? html`<p class="status-message" role="status">${input.notice}</p>` : ''}
<p>Adresse du compte : <strong>${req.account.email}</strong>.</p>
${req.account.pendingEmail ? html`<p>En attente de confirmation : ${req.account.pendingEmail}. L’adresse actuelle reste en vigueur jusque-là.</p>` : ''}
<p>La nouvelle adresse doit être confirmée par le lien qui lui sera envoyé. Tous les champs sont obligatoires.</p>
<form method="post" action="${base}/profil" novalidate>
${csrfInput(req.csrf)}
${inputField({ id: 'email', label: 'Nouvelle adresse électronique', type: 'email', value: input.email ?? '', autocomplete: 'email', hint: 'Format attendu : nom@domaine.fr', error: errorOf(input.errors, 'email') })}
${inputField({ id: 'current', label: 'Mot de passe actuel', type: 'password', autocomplete: 'current-password', error: errorOf(input.errors, 'current') })}
<div class="form-actions"><button type="submit" class="button-primary">Changer d’adresse</button></div>
</form>`,
  );
}

export function passwordPage(req: CitizenRequest, input: { errors?: FieldProblem[]; notice?: string }): string {
  const base = accountPath(req.tenantId);
  return accountPage(
    req,
    { title: 'Mon mot de passe', path: `${base}/mot-de-passe`, errors: input.errors ?? [] },
    html`<h1>Changer mon mot de passe</h1>
${input.notice ? html`<p class="status-message" role="status">${input.notice}</p>` : ''}
<p>Tous les champs sont obligatoires. Vos autres sessions seront fermées.</p>
<form method="post" action="${base}/mot-de-passe" novalidate>
${csrfInput(req.csrf)}
${inputField({ id: 'current', label: 'Mot de passe actuel', type: 'password', autocomplete: 'current-password', error: errorOf(input.errors, 'current') })}
${newPasswordFields(input.errors)}
<div class="form-actions"><button type="submit" class="button-primary">Changer le mot de passe</button></div>
</form>`,
  );
}

export function deletionPage(req: CitizenRequest, plan: readonly DeletionItem[], errors: FieldProblem[] = []): string {
  const reg = req.loaded.register;
  const base = accountPath(req.tenantId);
  const kept = plan.filter((i) => i.keep);
  const erased = plan.filter((i) => !i.keep);
  return accountPage(
    req,
    { title: 'Supprimer mon compte', path: `${base}/suppression`, errors },
    html`<h1>Supprimer mon compte</h1>
<p>Votre compte, son adresse, son mot de passe et ses sessions seront supprimés aussitôt.</p>
<h2>Demandes supprimées avec le compte</h2>
${erased.length === 0 ? html`<p>Aucune.</p>` : html`<ul>${erased.map((i) => html`<li>${formTitle(reg, i.request)}, envoyée le ${frenchDate(i.request.createdAt)}</li>`)}</ul>`}
<h2>Demandes que la collectivité doit conserver</h2>
${
  kept.length === 0
    ? html`<p>Aucune.</p>`
    : html`<p>Elles ne seront plus rattachées à votre compte, et restent conservées jusqu’au terme indiqué :</p><ul>${kept.map(
        (i) => html`<li><strong>${formTitle(reg, i.request)}</strong>, envoyée le ${frenchDate(i.request.createdAt)} : ${retentionEnd(reg, i.request)}. ${i.reason}</li>`,
      )}</ul>`
}
<form method="post" action="${base}/suppression" novalidate>
${csrfInput(req.csrf)}
${inputField({ id: 'current', label: 'Mot de passe, pour confirmer la suppression', type: 'password', autocomplete: 'current-password', error: errors.find((e) => e.field === 'current')?.message })}
<div class="form-actions"><button type="submit" class="button-primary">Supprimer définitivement mon compte</button></div>
</form>`,
  );
}

export function deletedPage(loaded: LoadedRegister, counts: { erased: number; kept: number }): string {
  return accountShell(
    loaded,
    { title: 'Compte supprimé' },
    html`<h1>Votre compte est supprimé</h1>
<p class="status-message" role="status">Votre compte et ses sessions n’existent plus. ${counts.erased} demande${counts.erased > 1 ? 's ont' : ' a'} été supprimée${counts.erased > 1 ? 's' : ''} ; ${counts.kept} ${counts.kept > 1 ? 'sont conservées' : 'est conservée'} jusqu’au terme de leur durée de conservation.</p>
<p><a href="/${loaded.tenantId}/demarches">Retour aux démarches en ligne</a></p>`,
  );
}
