/**
 * The pages of "mon compte": the site's public layout; once signed in, the
 * account's own navigation and when the session ends without activity, with
 * a button to extend it (RGAA 13.1), and sign-out.
 */
import { errorSummary, inputField } from '../back-office/back-office-layout.ts';
import { frenchDateTime } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { html, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import { accountPath } from './citizen-mail.ts';
import type { CitizenRequest } from './citizen-session.ts';
import type { FieldProblem } from './sign-up.ts';

export { errorSummary, inputField };

export interface AccountPageOptions {
  title: string;
  errors?: readonly FieldProblem[];
  path?: string;
}

export const csrfInput = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export const errorOf = (errors: readonly FieldProblem[] | undefined, field: string) => errors?.find((e) => e.field === field)?.message;

const time = (d: Date) => frenchDateTime(d).replace(/^.* à /, '');

/** A page before sign-in. */
export function accountShell(loaded: LoadedRegister, options: AccountPageOptions, content: Html): string {
  return page(pageContext(loaded), { title: options.title, hasErrors: (options.errors?.length ?? 0) > 0 }, html`${errorSummary([...(options.errors ?? [])])}${content}`).value;
}

export function accountPage(req: CitizenRequest, options: AccountPageOptions, content: Html): string {
  const base = accountPath(req.tenantId);
  const links: Array<[string, string]> = [
    [base, 'Mes demandes'],
    [`${base}/profil`, 'Mon adresse électronique'],
    [`${base}/mot-de-passe`, 'Mon mot de passe'],
    [`${base}/suppression`, 'Supprimer mon compte'],
  ];
  const bar = html`<nav class="site-nav" aria-label="Mon compte"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${options.path === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>
<div class="session-bar">
<p>Connecté avec ${req.account.email}. Sans activité, la session se ferme à ${time(req.session.idleExpiresAt)} (au plus tard à ${time(req.session.absoluteExpiresAt)}).</p>
<form method="post" action="${base}/prolonger">${csrfInput(req.csrf)}<button type="submit" class="button-secondary">Prolonger la session</button></form>
<form method="post" action="${base}/deconnexion">${csrfInput(req.csrf)}<button type="submit" class="button-secondary">Se déconnecter</button></form>
</div>`;
  return page(pageContext(req.loaded), { title: options.title, hasErrors: (options.errors?.length ?? 0) > 0 }, html`${bar}${errorSummary([...(options.errors ?? [])])}${content}`).value;
}
