/**
 * Routes: the citizen form pages. GET /{tenant}/demarches/{formId} renders
 * the form, POST to the same address handles its buttons (submit, draft,
 * add or remove a row), and /brouillon/{token} resumes a saved draft.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { AppContext } from '../server/app-context.ts';
import { ensureSession, issueFormToken } from '../web/csrf.ts';
import { sendPage } from '../web/reply.ts';
import { requireTenant } from '../web/tenant.ts';
import { loadDraft } from './draft-repository.ts';
import { findForm, type FoundForm } from './find-form.ts';
import { formPage, type FormPageInput } from './form-page.ts';
import { handleFormPost } from './form-post.ts';
import { formMedia } from '../consent/form-media.ts';

type Params = { tenant: string; formId: string };

export function formRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function resolve(params: Params): Promise<{ loaded: LoadedRegister; found: FoundForm }> {
    const loaded = await requireTenant(ctx.registers, params.tenant);
    const found = findForm(loaded.register, params.formId);
    if (!found) throw new AppError('form-not-found');
    return { loaded, found };
  }

  async function render(request: FastifyRequest, reply: FastifyReply, loaded: LoadedRegister, found: FoundForm, input: Omit<FormPageInput, 'loaded' | 'found' | 'token'>, status: number) {
    const session = ensureSession(request, reply, ctx.config.publicUrl);
    const token = await issueFormToken(ctx.keys, loaded.tenantId, session, found.form.id);
    const media = found.form.media.length > 0 ? await formMedia(ctx, request, reply, loaded, found.form) : undefined;
    return sendPage(reply, formPage({ ...input, loaded, found, token, media }), status);
  }

  app.get<{ Params: Params }>('/:tenant/demarches/:formId', async (request, reply) => {
    const { loaded, found } = await resolve(request.params);
    return render(request, reply, loaded, found, {}, 200);
  });

  app.get<{ Params: Params & { token: string } }>('/:tenant/demarches/:formId/brouillon/:token', async (request, reply) => {
    const { loaded, found } = await resolve(request.params);
    const values = await loadDraft({ db: ctx.database.db, keys: ctx.keys }, loaded.tenantId, found.form.id, request.params.token);
    if (!values) throw new AppError('draft-not-found');
    return render(
      request,
      reply,
      loaded,
      found,
      { values, draftToken: request.params.token, status: 'Votre brouillon a été repris : complétez le formulaire, joignez les fichiers éventuels, puis envoyez-le.' },
      200,
    );
  });

  // Rate-limited in handleFormPost: only a submission or a draft counts, not a click on "Ajouter".
  app.post<{ Params: Params }>(
    '/:tenant/demarches/:formId',
    async (request, reply) => {
      const { loaded, found } = await resolve(request.params);
      return handleFormPost(ctx, request, reply, loaded, found, (input, status) => render(request, reply, loaded, found, input, status));
    },
  );
}
