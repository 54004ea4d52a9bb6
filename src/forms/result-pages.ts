/**
 * The pages that end a form: the confirmation with the tracking code, the
 * draft saved with its resume link, and a form sent twice. None of them
 * shows what the citizen typed.
 */
import { frenchDate, frenchDateTime } from '../notice/french-date.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Form } from '../register/schema.ts';
import { html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';

export interface Confirmation {
  trackingCode: string;
  trackingUrl: string;
  submittedAt: Date;
  emailSent: boolean;
}

export function confirmationPage(loaded: LoadedRegister, form: Form, c: Confirmation): string {
  const body = html`<h1>Votre demande a bien été envoyée</h1>
<div class="confirmation">
<p>Votre demande « ${form.title} » a été reçue le ${frenchDateTime(c.submittedAt)}.</p>
<p>Votre numéro de suivi :</p>
<p class="tracking-code"><code>${c.trackingCode}</code></p>
<p>Notez-le ou copiez-le : il vous permet de suivre votre demande sans créer de compte.</p>
</div>
<p><a href="${c.trackingUrl}">Suivre ma demande</a></p>
<p>${
    c.emailSent
      ? 'Un accusé de réception contenant ce numéro a été envoyé à l’adresse électronique que vous avez indiquée. Il ne reprend aucune des informations saisies.'
      : 'Aucun accusé de réception ne vous est envoyé par courriel : conservez ce numéro.'
  }</p>
<p><a href="/${loaded.tenantId}/demarches">Retour aux démarches en ligne</a></p>`;
  return page(pageContext(loaded, `form-submitted ${form.id}`), { title: `Demande envoyée : ${form.title}` }, body).toString();
}

export function draftSavedPage(loaded: LoadedRegister, form: Form, resumeUrl: string, expiresAt: Date, hadFiles: boolean): string {
  const body = html`<h1>Votre brouillon est enregistré</h1>
<p>Pour reprendre la démarche « ${form.title} » là où vous l’avez laissée, ouvrez ce lien :</p>
<p class="resume-link"><a href="${resumeUrl}">${resumeUrl}</a></p>
<p>Conservez-le précieusement : toute personne qui dispose de ce lien peut voir ce que vous avez saisi. Il n’est affiché qu’une fois et ne vous est pas envoyé.</p>
<p>Le brouillon est conservé jusqu’au ${frenchDate(expiresAt)}, puis supprimé automatiquement.</p>
${hadFiles ? html`<p><strong>Les fichiers joints ne sont pas conservés dans le brouillon :</strong> vous devrez les joindre à nouveau avant d’envoyer votre demande.</p>` : ''}
<p><a href="/${loaded.tenantId}/demarches">Retour aux démarches en ligne</a></p>`;
  return page(pageContext(loaded), { title: `Brouillon enregistré : ${form.title}` }, body).toString();
}

/** A second click on "Envoyer" (or a resent page): the first submission's tracking code, when it is known. */
export function alreadySentPage(loaded: LoadedRegister, form: Form, formUrl: string, trackingCode?: string): string {
  const follow = trackingCode
    ? html`<p>Votre numéro de suivi : <strong>${trackingCode}</strong>. <a href="/${loaded.tenantId}/suivi?code=${encodeURIComponent(trackingCode)}">Suivre cette demande</a>.</p>`
    : html`<p>Pour la suivre, utilisez le numéro de suivi affiché après le premier envoi (et, si vous aviez indiqué une adresse électronique, rappelé dans l’accusé de réception) sur la page <a href="/${loaded.tenantId}/suivi">Suivre une demande</a>.</p>`;
  const body = html`<h1>Ce formulaire a déjà été envoyé</h1>
<p>Votre demande « ${form.title} » a déjà été reçue : elle n’a pas été enregistrée une seconde fois.</p>
${follow}
<p>Pour faire une nouvelle demande : <a href="${formUrl}">remplir à nouveau le formulaire</a>.</p>`;
  return page(pageContext(loaded), { title: `Déjà envoyé : ${form.title}` }, body).toString();
}
