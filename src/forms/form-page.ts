/**
 * The page of one form: its title, the error summary first when there are
 * errors (RGAA 11.10: title starting with "Erreur", a list of links to the
 * fields, focus moved to it on load), how mandatory fields are marked, the
 * fields, and beside them the art. 13 information of its processing.
 */
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Field, Form } from '../register/schema.ts';
import { html, type Html } from '../web/html.ts';
import { page } from '../web/layout.ts';
import { pageContext } from '../web/tenant.ts';
import type { FoundForm } from './find-form.ts';
import { fieldId, renderFields, rowCount } from './form-fields-html.ts';
import { processingInfo } from './processing-info-html.ts';
import type { FieldError, SubmittedData } from './submitted-value.ts';

export interface FormPageInput {
  loaded: LoadedRegister;
  found: FoundForm;
  /** CSRF token of this rendering. */
  token: string;
  /** Set when the form was resumed from a draft, so that saving again updates it. */
  draftToken?: string | undefined;
  values?: SubmittedData | undefined;
  errors?: FieldError[];
  files?: Map<string, string>;
  autofocus?: string | undefined;
  /** A problem with the submission as a whole (expired form, unreadable request), shown first. */
  problem?: { title: string; body: Html } | undefined;
  /** A short confirmation shown above the form (draft resumed). */
  status?: string | undefined;
  /** The form's third-party media, rendered with the visitor's choices (consent/media-html.ts). */
  media?: Html | undefined;
}

/** Forms long enough to be worth a draft: those that say how long drafts are kept, or that have groups or many fields. */
export function offersDraft(form: Form): boolean {
  return form.draftRetentionDays !== undefined || form.fields.length > 8 || form.fields.some((f) => f.type === 'group');
}

export function formPath(tenantId: string, formId: string): string {
  return `/${tenantId}/demarches/${formId}`;
}

/** Whether an error's path is a control or group shown on the page, so the summary can link to it. */
function isShown(fields: readonly Field[], values: SubmittedData | undefined, path: string): boolean {
  const m = /^(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(path);
  if (!m) return false;
  const field = fields.find((f) => f.name === m[1]);
  if (!field) return false;
  if (m[2] === undefined) return true;
  return field.type === 'group' && Number(m[2]) < rowCount(field, values) && (field.fields ?? []).some((f) => f.name === m[3]);
}

function errorSummary(input: FormPageInput, errors: FieldError[]): Html {
  const fields = input.found.form.fields;
  const title = input.problem?.title ?? (errors.length === 1 ? 'Le formulaire contient une erreur' : `Le formulaire contient ${errors.length} erreurs`);
  return html`<section class="error-summary" id="erreurs" tabindex="-1" autofocus aria-labelledby="erreurs-titre">
<h2 id="erreurs-titre">${title}</h2>
${input.problem?.body ?? ''}
${
  errors.length > 0
    ? html`<ul>${errors.map((e) =>
        isShown(fields, input.values, e.field) ? html`<li><a href="#${fieldId(e.field)}">${e.message}</a></li>` : html`<li>${e.message}</li>`,
      )}</ul>`
    : ''
}
</section>`;
}

export function formPage(input: FormPageInput): string {
  const { loaded, found } = input;
  const { form, processing } = found;
  const errors = input.errors ?? [];
  const hasErrors = errors.length > 0 || input.problem !== undefined;
  const action = formPath(loaded.tenantId, form.id);
  const state = {
    values: input.values,
    errors: new Map(errors.map((e) => [e.field, e.message])),
    files: input.files ?? new Map<string, string>(),
    autofocus: hasErrors ? undefined : input.autofocus,
  };
  const body = html`<h1>${form.title}</h1>
${hasErrors ? errorSummary(input, errors) : ''}
${input.status ? html`<p class="status-message">${input.status}</p>` : ''}
${form.description ? html`<p class="lead">${form.description}</p>` : ''}
${input.media ?? ''}
<p>Les champs marqués « (obligatoire) » doivent être remplis ; les autres sont marqués « (facultatif) ». <a href="#donnees">Ce que deviennent vos données</a> est expliqué à côté du formulaire.</p>
<div class="form-layout">
<form class="demarche" method="post" action="${action}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${input.token}">
${input.draftToken ? html`<input type="hidden" name="_draft" value="${input.draftToken}">` : ''}
<button type="submit" class="default-action" name="_action" value="submit" tabindex="-1" aria-hidden="true">Envoyer ma demande</button>
${renderFields(form.fields, state)}
<div class="form-actions">
<button type="submit" class="button-primary" name="_action" value="submit">Envoyer ma demande</button>
${offersDraft(form) ? html`<button type="submit" class="button-secondary" name="_action" value="draft">Enregistrer et reprendre plus tard</button>` : ''}
</div>
</form>
${processingInfo(loaded, processing.id)}
</div>`;
  // A first view of the form is the funnel's first step; a page coming back with errors is the same view.
  const event = hasErrors || input.values ? undefined : `form-viewed ${form.id}`;
  return page(pageContext(loaded, event), { title: form.title, hasErrors }, body).toString();
}
