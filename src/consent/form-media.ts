/**
 * What a form page needs to show its media: the visitor's signed choices,
 * and a Content-Security-Policy that lets this page frame its providers' hosts
 * alone (consent.js may insert the frame after a choice without reloading).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { Form } from '../register/schema.ts';
import type { AppContext } from '../server/app-context.ts';
import type { Html } from '../web/html.ts';
import { consentConfig } from './consent-config.ts';
import { CONSENT_COOKIE, readConsentCookie } from './consent-cookie.ts';
import { mediaFrameSources, mediaSection } from './media-html.ts';


export async function formMedia(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, loaded: LoadedRegister, form: Form): Promise<Html> {
  const choices = await readConsentCookie(ctx.keys, consentConfig(loaded), request.cookies[CONSENT_COOKIE], new Date());
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp === 'string') reply.header('content-security-policy', `${csp};frame-src ${mediaFrameSources(loaded.register, form).join(' ')}`);
  return mediaSection(loaded.tenantId, loaded.register, form, { allowed: choices?.allowed ?? {}, returnTo: `/${loaded.tenantId}/demarches/${form.id}` });
}
