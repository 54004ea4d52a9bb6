/** The fields an administrator fills for an account: e-mail (invitation only), name, role, services of the register. */
import { AGENT_ROLES } from '../../accounts/agents-repository.ts';
import { ROLE_NAMES } from '../../accounts/agent-directory.ts';
import type { FieldError } from '../../accounts/agent-admin.ts';
import type { LoadedRegister } from '../../register/register-repository.ts';
import { html, type Html } from '../../web/html.ts';
import { inputField } from '../back-office-layout.ts';

export interface AgentFormValues {
  email: string;
  name: string;
  role: string;
  services: readonly string[];
}

export const errorOf = (errors: readonly FieldError[], field: string) => errors.find((e) => e.field === field)?.message;

const errorLine = (id: string, message: string | undefined) => (message ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>${message}</p>` : '');

export function agentFields(loaded: LoadedRegister, values: AgentFormValues, errors: readonly FieldError[], withEmail: boolean): Html {
  const roleError = errorOf(errors, 'role');
  const servicesError = errorOf(errors, 'services');
  return html`${withEmail ? inputField({ id: 'email', label: 'Adresse e-mail professionnelle', type: 'email', value: values.email, error: errorOf(errors, 'email'), hint: 'Le lien pour choisir le mot de passe y sera envoyé.' }) : ''}
${inputField({ id: 'name', label: 'Nom et prénom', type: 'text', value: values.name, error: errorOf(errors, 'name'), hint: 'Ce que les collègues voient, par exemple sur une demande prise en charge.' })}
<div class="field${roleError ? ' field-invalid' : ''}">
<label for="role">Rôle</label>
${errorLine('role', roleError)}
<select id="role" name="role"${roleError ? html` aria-invalid="true" aria-describedby="role-error"` : ''}>${AGENT_ROLES.map((r) => html`<option value="${r}"${values.role === r ? html` selected` : ''}>${ROLE_NAMES[r]}</option>`)}</select>
</div>
<fieldset class="field${servicesError ? ' field-invalid' : ''}"${servicesError ? html` aria-describedby="services-error"` : ''}>
<legend>Services dont le compte lit les demandes</legend>
<p class="hint">Obligatoire pour un agent. Un administrateur ou un délégué ne voit aucune demande d’un service dont il n’est pas agent.</p>
${errorLine('services', servicesError)}
${loaded.register.services.map(
  (s, i) => html`<div class="field-checkbox"><input type="checkbox" name="services" value="${s.id}" id="${i === 0 ? 'services' : `service-${s.id}`}"${values.services.includes(s.id) ? html` checked` : ''}><label for="${i === 0 ? 'services' : `service-${s.id}`}">${s.name}</label></div>`,
)}
</fieldset>`;
}
