/**
 * What a posted form asks for: add or remove a row of a group, save a
 * draft, or submit. Every path answers with a page; whatever the citizen
 * typed is rendered again when the request cannot be honoured (expired
 * token, invalid field), so nothing typed is ever lost.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { trackingUrl } from '../records/receipt-mail.ts';
import { currentCitizen } from '../citizens/citizen-session.ts';
import { submitForm } from '../records/submit-form.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { checkFormToken, readSessionId, type TokenCheck } from '../web/csrf.ts';
import { html } from '../web/html.ts';
import { requestBaseUrl } from '../web/public-url.ts';
import { tooManySubmissions } from '../web/rate-limits.ts';
import { sendPage } from '../web/reply.ts';
import { deleteDraft, saveDraft } from './draft-repository.ts';
import type { FoundForm } from './find-form.ts';
import { readPostedForm, type PostedForm } from './form-body.ts';
import { fieldId } from './form-fields-html.ts';
import { formPath, type FormPageInput } from './form-page.ts';
import { validateSubmission } from './form-validation.ts';
import { alreadySentPage, confirmationPage, draftSavedPage } from './result-pages.ts';
import type { FieldError, SubmittedData, SubmittedValue } from './submitted-value.ts';

/** Renders the form page again (with a fresh CSRF token) with what was posted. */
export type Rerender = (input: Omit<FormPageInput, 'loaded' | 'found' | 'token'>, status: number) => Promise<unknown>;

function tokenProblem(check: Exclude<TokenCheck, { ok: true }>, url: string) {
  const title = check.reason === 'expired' ? 'Ce formulaire a expiré' : 'Ce formulaire n’a pas pu être vérifié';
  const why =
    check.reason === 'expired'
      ? 'Pour votre sécurité, un formulaire ouvert depuis plus de deux heures doit être envoyé à nouveau.'
      : 'Pour votre sécurité, votre demande n’a pas été enregistrée : le formulaire ne provient pas de cette page ou votre session a changé (cookies effacés, autre navigateur).';
  return {
    title,
    body: html`<p>${why} Les informations saisies ont été conservées ci-dessous : vérifiez-les, joignez à nouveau les fichiers éventuels, puis envoyez le formulaire. Vous pouvez aussi <a href="${url}">recharger le formulaire vide</a>.</p>`,
  };
}

const NOT_STORED = {
  title: 'Votre demande n’a pas pu être enregistrée',
  body: html`<p>Un incident technique a empêché l’enregistrement : rien n’a été transmis au service. Les informations saisies ont été conservées ci-dessous ; joignez à nouveau les fichiers éventuels, puis envoyez le formulaire dans quelques instants.</p>`,
};

function rows(data: SubmittedData, group: string): SubmittedValue[] {
  const value = data[group];
  return Array.isArray(value) ? value : [];
}

/** Adds or removes a group row as the button asked; returns the id of the control to focus. */
function applyRowAction(found: FoundForm, data: SubmittedData, action: string): string | undefined {
  const [verb, name, index] = action.split(':');
  const group = found.form.fields.find((f) => f.type === 'group' && f.name === name);
  if (!group) return undefined;
  const list = rows(data, group.name);
  if (verb === 'add' && list.length < (group.repeat?.max ?? 1)) {
    data[group.name] = [...list, {}];
    const first = group.fields?.[0];
    return first ? fieldId(`${group.name}[${list.length}].${first.name}`) : undefined;
  }
  if (verb === 'remove' && index !== undefined && /^\d+$/.test(index) && Number(index) < list.length) {
    data[group.name] = list.filter((_, i) => i !== Number(index));
    return fieldId(`${group.name}-add`);
  }
  return undefined;
}

/** Errors of the whole submission, with read-time errors (a file over its limit) replacing validation's for the same field. */
async function allErrors(found: FoundForm, posted: PostedForm): Promise<FieldError[]> {
  const validation = await validateSubmission(found.form, posted.data);
  const read = new Set(posted.errors.map((e) => e.field));
  const others = validation.ok ? [] : validation.errors.filter((e) => !read.has(e.field));
  return [...others, ...posted.errors];
}

export async function handleFormPost(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, loaded: LoadedRegister, found: FoundForm, rerender: Rerender) {
  const { form } = found;
  const url = formPath(loaded.tenantId, form.id);
  const posted = await readPostedForm(request, form);
  const kept = { values: posted.data, files: posted.files, draftToken: posted.draftToken };
  if (posted.unreadable) return rerender({ ...kept, problem: { title: 'Le formulaire n’a pas pu être lu', body: html`<p>${posted.unreadable}</p>` } }, 400);

  const check = await checkFormToken(ctx.keys, loaded.tenantId, readSessionId(request), form.id, posted.token);
  if (!check.ok) return rerender({ ...kept, problem: tokenProblem(check, url) }, 403);

  if (posted.action.startsWith('add:') || posted.action.startsWith('remove:'))
    return rerender({ ...kept, autofocus: applyRowAction(found, posted.data, posted.action) }, 200);

  // Only a submission or a draft counts against the limit, never a click on "Ajouter".
  const verdict = ctx.limits.hit(posted.action === 'draft' ? 'draft' : 'submission', request.ip);
  if (!verdict.ok) {
    reply.header('retry-after', String(verdict.retryAfterSeconds));
    return rerender({ ...kept, problem: { title: 'Trop de demandes envoyées', body: html`<p>${tooManySubmissions(verdict.retryAfterSeconds)} Les informations saisies ont été conservées ci-dessous.</p>` } }, 429);
  }

  if (posted.action === 'draft') {
    const saved = await saveDraft({ db: ctx.database.db, keys: ctx.keys }, loaded.tenantId, form, posted.data, posted.draftToken);
    const resumeUrl = `${requestBaseUrl(ctx, request)}${url}/brouillon/${saved.token}`;
    return sendPage(reply, draftSavedPage(loaded, form, resumeUrl, saved.expiresAt, posted.files.size > 0));
  }

  if (posted.errors.length > 0) return rerender({ ...kept, errors: await allErrors(found, posted) }, 400);
  const base = requestBaseUrl(ctx, request);
  let result: Awaited<ReturnType<typeof submitForm>>;
  try {
    // Signed in to a citizen account: the request is linked to it; else the anonymous path, unchanged.
    const citizen = await currentCitizen(ctx, request, loaded.tenantId);
    result = await submitForm({ db: ctx.database.db, keys: ctx.keys }, loaded, form.id, posted.data, { ip: request.ip, submissionKey: `form:${check.nonce}`, baseUrl: base, citizenId: citizen?.account.id });
  } catch (err) {
    // Whatever failed, the citizen gets the form back with what was typed.
    request.log.error({ err }, 'submission not stored');
    return rerender({ ...kept, problem: NOT_STORED }, 503);
  }
  if (!result.ok) {
    if (result.reason === 'duplicate') return sendPage(reply, alreadySentPage(loaded, form, url, result.original?.trackingCode), 409);
    if (result.reason === 'invalid') return rerender({ ...kept, errors: result.errors }, 400);
    return rerender({ ...kept, problem: { title: 'Démarche introuvable', body: html`<p>Cette démarche n’existe plus.</p>` } }, 404);
  }
  ctx.mail.nudge();
  if (posted.draftToken) await deleteDraft(ctx.database.db, loaded.tenantId, posted.draftToken).catch((err: unknown) => request.log.error({ err }, 'draft not deleted'));
  return sendPage(
    reply,
    confirmationPage(loaded, form, {
      trackingCode: result.stored.trackingCode,
      trackingUrl: trackingUrl(base, loaded.tenantId, result.stored.trackingCode),
      submittedAt: result.stored.createdAt,
      emailSent: result.stored.receiptQueued,
    }),
  );
}
