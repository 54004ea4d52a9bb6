/**
 * The DPO's « Preuves de consentement » page: a consent id looked up (each
 * choice made under it, oldest first: when, where, how, under which register
 * version, each service allowed or refused, and whether the text hash is
 * that of the texts the version shows, which can then be read), and the
 * export of a period as CSV.
 */
import { AUDIENCE, textsForHash } from '../../consent/consent-config.ts';
import type { CheckedProof } from '../../consent/consent-proof-check.ts';
import type { ProofSource } from '../../consent/consent-proofs.ts';
import { html, type Html } from '../../web/html.ts';
import type { AgentRequest } from '../agent-session.ts';
import { backOfficePage, errorSummary } from '../back-office-layout.ts';
import type { ExportForm } from './consent-proofs-export.ts';
import { dayInput } from '../period-fields.ts';

export const consentProofsPath = (tenantId: string) => `/${tenantId}/back-office/consentements`;

/** How a choice was made, in the words of the page and of the export. */
export const SOURCE_LABELS: Record<ProofSource, string> = {
  banner: 'bannière',
  panel: 'panneau',
  page: 'page Gestion des cookies',
  embed: 'bouton d’un contenu',
  api: 'API',
};

const LANG_LABELS = { fr: 'français', en: 'anglais' } as const;

/** The field's id and name, and the query parameter's. */
const ID_FIELD = 'id-consentement';

export interface LookupForm {
  /** What was typed, shown back. */
  id: string;
  error?: string | undefined;
  /** Undefined before a search; empty for an id without proof. */
  proofs?: readonly CheckedProof[] | undefined;
}

export interface ConsentProofsView {
  lookup: LookupForm;
  exportForm: ExportForm;
}

/** Date, hour, minutes and seconds in Paris: a visitor may change their mind within a minute. */
const AT = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Paris' });

/** A 64-character hash that may break every 16 characters, for a narrow screen; copied, it stays whole. */
function hashCode(hash: string): Html {
  const parts = hash.match(/.{1,16}/g) ?? [hash];
  return html`<code>${parts.map((p, i) => (i === 0 ? p : html`<wbr>${p}`))}</code>`;
}

function choiceRows(checked: CheckedProof): Html[] {
  const { proof, config } = checked;
  const known = config?.choiceIds ?? [];
  const ids = [...known.filter((id) => id in proof.choices), ...Object.keys(proof.choices).filter((id) => !known.includes(id))];
  return ids.map((id) => {
    const allowed = proof.choices[id] === true;
    if (id === AUDIENCE) return html`<tr><th scope="row">Mesure d’audience</th><td>${allowed ? 'acceptée' : 'refusée'}</td></tr>`;
    return html`<tr><th scope="row">${config?.services.find((s) => s.id === id)?.name ?? id}</th><td>${allowed ? 'autorisé' : 'refusé'}</td></tr>`;
  });
}

function textCheck(checked: CheckedProof): Html {
  const { proof, config, textMatches } = checked;
  if (proof.textHash === null) return html`aucune : choix envoyé par l’API, sans les textes de la plateforme.`;
  if (!textMatches || !config)
    return html`${hashCode(proof.textHash)}<br>Ne correspond pas aux textes que la version ${proof.registerVersion} présente aujourd’hui (en ${LANG_LABELS[proof.lang]}) : les textes ont changé depuis ce choix ; l’empreinte reste la preuve de ceux qui ont été lus.`;
  const texts = (textsForHash(config, proof.textHash, proof.lang)?.texts ?? []).filter((t) => t !== '');
  return html`${hashCode(proof.textHash)}<br>Correspond aux textes que la version ${proof.registerVersion} présente aujourd’hui (en ${LANG_LABELS[proof.lang]}).
<details><summary>Textes lus par le visiteur</summary>
<p class="hint">Dans l’ordre où ils apparaissent, tels que l’empreinte les couvre ; {name} et {provider} y sont remplacés, à l’affichage, par le service et son fournisseur.</p>
<ol>${texts.map((t) => html`<li>${t}</li>`)}</ol>
</details>`;
}

function proofSection(req: AgentRequest, checked: CheckedProof, n: number): Html {
  const { proof } = checked;
  const heading = `proof-${n}`;
  return html`<section aria-labelledby="${heading}">
<h3 id="${heading}">Choix n° ${n} : <time datetime="${proof.at.toISOString()}">${AT.format(proof.at)}</time></h3>
<dl class="items">
<dt>Site</dt><dd>${proof.site}</dd>
<dt>Fait depuis</dt><dd>${SOURCE_LABELS[proof.source]}</dd>
<dt>Version du registre</dt><dd><a href="/${req.tenantId}/donnees-personnelles/versions/${proof.registerVersion}">version ${proof.registerVersion}</a> (empreinte de la configuration : <code>${proof.configHash}</code>)</dd>
<dt>Langue</dt><dd>${LANG_LABELS[proof.lang]}</dd>
<dt>Empreinte du texte</dt><dd>${textCheck(checked)}</dd>
</dl>
<div class="table-wrap"><table>
<caption>Choix enregistrés le ${AT.format(proof.at)}</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Choix</th></tr></thead>
<tbody>${choiceRows(checked)}</tbody>
</table></div>
</section>`;
}

function lookupResults(req: AgentRequest, lookup: LookupForm): Html {
  if (!lookup.proofs) return html``;
  if (lookup.proofs.length === 0) return html`<p class="status-message" role="status">Aucune preuve pour cet identifiant.</p>`;
  const count = lookup.proofs.length;
  return html`<p class="status-message" role="status">${count === 1 ? 'Un choix enregistré' : `${count} choix enregistrés`} sous l’identifiant <code>${lookup.id.toLowerCase()}</code>, du plus ancien au plus récent.</p>
${lookup.proofs.map((p, i) => proofSection(req, p, i + 1))}`;
}

export function consentProofsPage(req: AgentRequest, view: ConsentProofsView): string {
  const base = consentProofsPath(req.tenantId);
  const { lookup, exportForm } = view;
  const errors = [...(lookup.error ? [{ field: ID_FIELD, message: lookup.error }] : []), ...exportForm.errors];
  return backOfficePage(
    req,
    { title: 'Preuves de consentement', path: base, hasErrors: errors.length > 0 },
    html`<h1>Preuves de consentement</h1>
<p>Chaque choix d’un visiteur sur les cookies et les contenus tiers laisse une preuve : quand, sur quel site, comment, sous quelle version du registre, l’empreinte des textes présentés et chaque service autorisé ou refusé. Une preuve ne contient rien sur la personne (ni adresse IP, ni navigateur) : la consulter n’est pas inscrit au journal des accès.</p>
${errorSummary(errors)}
<h2>Retrouver les choix d’un visiteur</h2>
<form method="get" action="${base}" class="filters">
<div class="field${lookup.error ? ' field-invalid' : ''}"><label for="${ID_FIELD}">Identifiant de consentement</label>
<p class="hint" id="${ID_FIELD}-hint">Le visiteur le lit sur la page « Gestion des cookies » (« Identifiant de vos choix ») : 36 caractères, par exemple 1b4e28ba-2fa1-41d2-883f-0016d3cca427.</p>
${lookup.error ? html`<p class="error-message" id="${ID_FIELD}-error"><span class="visually-hidden">Erreur : </span>${lookup.error}</p>` : ''}
<input type="text" id="${ID_FIELD}" name="id" value="${lookup.id}" spellcheck="false" autocomplete="off" aria-describedby="${ID_FIELD}-hint${lookup.error ? ` ${ID_FIELD}-error` : ''}"${lookup.error ? html` aria-invalid="true"` : ''}></div>
<div class="form-actions"><button type="submit" class="button-primary">Rechercher les preuves</button></div>
</form>
${lookupResults(req, lookup)}
<h2>Exporter les preuves d’une période</h2>
<p>Un fichier CSV pour tableur (séparateur point-virgule) : une ligne par choix, avec une colonne par service du registre en vigueur et la mesure d’audience (oui, non, ou vide pour un choix antérieur au service). Deux ans au plus par export.</p>
<form method="get" action="${base}.csv" class="filters">
<fieldset><legend>Période (jours inclus, heure de Paris)</legend>
${dayInput(exportForm, 'du', 'Du', true)}
${dayInput(exportForm, 'au', 'Au', true)}
<div class="form-actions"><button type="submit" class="button-primary">Télécharger les preuves de la période (CSV)</button></div>
</fieldset>
</form>`,
  );
}
