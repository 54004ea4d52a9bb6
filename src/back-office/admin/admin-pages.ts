/** The administration screens: the accounts of the tenant, an invitation, one account, the register's versions. */
import { ROLE_NAMES, type ListedAgent } from '../../accounts/agent-directory.ts';
import type { FieldError } from '../../accounts/agent-admin.ts';
import { frenchDateTime } from '../../notice/french-date.ts';
import type { RegisterVersion } from '../../register/register-repository.ts';
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';
import { agentFields, errorOf, type AgentFormValues } from './agent-form.ts';

export const adminBase = (tenantId: string) => `/${tenantId}/back-office/administration`;

const hidden = (req: AgentRequest) => html`<input type="hidden" name="csrf" value="${req.csrf}">`;
const status = (notice: string | undefined) => (notice ? html`<p class="status-message" role="status">${notice}</p>` : '');

function serviceNames(req: AgentRequest, ids: readonly string[]): string {
  const names = new Map(req.loaded.register.services.map((s) => [s.id, s.name]));
  return ids.length === 0 ? 'Aucun' : ids.map((s) => names.get(s) ?? s).join(', ');
}

const state = (a: ListedAgent) => (a.disabled ? 'Désactivé' : a.pending ? 'Invitation envoyée, mot de passe non choisi' : 'Actif');

export function agentsPage(req: AgentRequest, agents: readonly ListedAgent[], notice?: string): string {
  const base = adminBase(req.tenantId);
  return backOfficePage(
    req,
    { title: 'Administration', path: base },
    html`<h1>Administration</h1>
${status(notice)}
<p><a href="${base}/inviter">Inviter un agent</a> · <a href="${base}/registre">Registre en vigueur et versions</a></p>
<div class="table-wrap"><table>
<caption>Comptes de l’espace agents (${agents.length})</caption>
<thead><tr><th scope="col">Adresse e-mail</th><th scope="col">Nom</th><th scope="col">Rôle</th><th scope="col">Services</th><th scope="col">État</th><th scope="col">Double authentification</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${agents.map(
      (a) => html`<tr>
<td>${a.email}</td><td>${a.name ?? '—'}</td><td>${ROLE_NAMES[a.role]}</td><td>${serviceNames(req, a.services)}</td><td>${state(a)}</td><td>${a.totp ? 'Active' : 'Non activée'}</td>
<td><a href="${base}/comptes/${a.id}">Modifier<span class="visually-hidden"> le compte ${a.email}</span></a></td>
</tr>`,
    )}</tbody>
</table></div>`,
  );
}

export function invitePage(req: AgentRequest, values: AgentFormValues, errors: readonly FieldError[]): string {
  const base = adminBase(req.tenantId);
  return backOfficePage(
    req,
    { title: 'Inviter un agent', path: `${base}/inviter`, hasErrors: errors.length > 0 },
    html`<h1>Inviter un agent</h1>
<p>Le compte est créé sans mot de passe ; la personne reçoit par e-mail un lien, valable trois jours et une seule fois, pour choisir le sien. Tous les champs sont obligatoires, sauf les services pour un administrateur ou un délégué.</p>
${errorSummary([...errors])}
<form method="post" action="${base}/inviter" novalidate>
${hidden(req)}
${agentFields(req.loaded, values, errors, true)}
<div class="form-actions"><button type="submit" class="button-primary">Envoyer l’invitation</button> <a href="${base}">Annuler</a></div>
</form>`,
  );
}

export function agentEditPage(req: AgentRequest, agent: ListedAgent, values: AgentFormValues, errors: readonly FieldError[], notice?: string): string {
  const base = adminBase(req.tenantId);
  const path = `${base}/comptes/${agent.id}`;
  const self = agent.id === req.actor.agentId;
  const disableError = errorOf(errors, 'disable');
  return backOfficePage(
    req,
    { title: `Compte ${agent.email}`, hasErrors: errors.length > 0 },
    html`<h1>Compte ${agent.email}</h1>
${status(notice)}
${errorSummary([...errors])}
<dl class="items">
<dt>État</dt><dd>${state(agent)}</dd>
<dt>Double authentification</dt><dd>${agent.totp ? 'Active' : 'Non activée'}</dd>
</dl>
<h2>Nom, rôle et services</h2>
${self ? html`<p>C’est votre propre compte : si vous changez votre rôle, vos sessions se ferment et vous vous reconnectez.</p>` : html`<p>Changer le rôle ferme les sessions ouvertes du compte.</p>`}
<form method="post" action="${path}" novalidate>
${hidden(req)}
${agentFields(req.loaded, values, errors, false)}
<div class="form-actions"><button type="submit" class="button-primary">Enregistrer les modifications</button> <a href="${base}">Retour à la liste des comptes</a></div>
</form>
${agent.pending && !agent.disabled ? html`<h2>Invitation</h2><form method="post" action="${path}/invitation">${hidden(req)}<button type="submit" class="button-secondary">Renvoyer l’invitation</button></form>` : ''}
<h2>${agent.disabled ? 'Réactiver le compte' : 'Désactiver le compte'}</h2>
${
  agent.disabled
    ? html`<p>Le compte pourra de nouveau se connecter ; ses anciens jetons d’accès restent révoqués.</p>
<form method="post" action="${path}/reactivation">${hidden(req)}<button type="submit" class="button-secondary">Réactiver le compte</button></form>`
    : html`<p id="disable-hint">Ses sessions se ferment et ses jetons d’accès sont révoqués immédiatement.</p>
${disableError ? html`<p class="error-message" id="disable-error"><span class="visually-hidden">Erreur : </span>${disableError}</p>` : ''}
<form method="post" action="${path}/desactivation">${hidden(req)}<button type="submit" class="button-secondary" id="disable" aria-describedby="disable-hint${disableError ? ' disable-error' : ''}">Désactiver le compte</button></form>`
}`,
  );
}

function versionRow(tenantId: string, v: RegisterVersion, current: number): Html {
  const notice = v.version === current ? `/${tenantId}/donnees-personnelles` : `/${tenantId}/donnees-personnelles/versions/${v.version}`;
  return html`<tr><th scope="row">${v.version}${v.version === current ? ' (en vigueur)' : ''}</th><td>${frenchDateTime(v.loadedAt)}</td><td>${v.loadedBy}</td><td><code>${v.hash.slice(0, 12)}</code></td><td><a href="${notice}">Politique de la version ${v.version}</a></td></tr>`;
}

export function registerPage(req: AgentRequest, versions: readonly RegisterVersion[]): string {
  const base = adminBase(req.tenantId);
  const current = req.loaded.version;
  return backOfficePage(
    req,
    { title: 'Registre et versions', path: `${base}/registre` },
    html`<h1>Registre des activités de traitement</h1>
<p>Version en vigueur : <strong>${current}</strong>, chargée le ${frenchDateTime(req.loaded.loadedAt)} par ${req.loaded.loadedBy}. Le registre se charge avec la commande <code>bastide register load</code>.</p>
<p><a href="/${req.tenantId}/donnees-personnelles/versions">Toutes les versions publiées de la politique de données personnelles</a></p>
<div class="table-wrap"><table>
<caption>Historique des versions du registre</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Chargée le</th><th scope="col">Par</th><th scope="col">Empreinte</th><th scope="col">Politique publiée</th></tr></thead>
<tbody>${versions.map((v) => versionRow(req.tenantId, v, current))}</tbody>
</table></div>
<p><a href="${base}">Retour à l’administration</a></p>`,
  );
}
