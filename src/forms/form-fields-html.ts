/**
 * The controls of a form, one per declared field, following RGAA theme 11:
 * a visible label tied to each control, "(obligatoire)" or "(facultatif)" in
 * the label before the control, the hint and the error tied with
 * aria-describedby, each row of a repeatable group in its own fieldset, and
 * buttons that add or remove a row by posting the form back (no script).
 */
import type { Field } from '../register/schema.ts';
import { html, type Html } from '../web/html.ts';
import { dateBounds, parseDate } from './field-validation.ts';
import { hintText } from './field-hints.ts';
import type { SubmittedData, SubmittedValue } from './submitted-value.ts';

export interface FieldsState {
  /** What was typed (raw), or undefined for a blank form. */
  values: SubmittedData | undefined;
  /** Error message by field path (`nom`, `enfants[1].nom`, `enfants`). */
  errors: Map<string, string>;
  /** Files chosen before this re-render, by path: not kept, to be chosen again. */
  files: Map<string, string>;
  /** Id of the control that takes focus on load (a row just added). */
  autofocus: string | undefined;
}

/** `enfants[1].nom` → `f-enfants-1-nom`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/\[(\d+)\]\.?/g, '-$1-').replace(/-$/, '')}`;
}

/** `enfants[1].nom` → `enfants[1][nom]`. */
export function inputName(path: string): string {
  return path.replace(/\[(\d+)\]\.(\w+)/g, '[$1][$2]');
}

function mention(field: Field): Html {
  return html` <span class="mention">${field.required ? '(obligatoire)' : '(facultatif)'}</span>`;
}

function text(value: SubmittedValue): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function isChecked(value: SubmittedValue): boolean {
  return value === true || value === 'on' || value === 'true' || value === '1';
}

/** `<input type="date">` only takes a valid ISO date; anything else is shown empty (the error says why). */
function dateValue(value: SubmittedValue): string {
  return parseDate(text(value).trim()) ?? '';
}

function control(field: Field, id: string, name: string, value: SubmittedValue, describedBy: string, invalid: boolean, autofocus: boolean): Html {
  const common = html`id="${id}" name="${name}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${invalid ? html` aria-invalid="true"` : ''}${
    field.required ? html` required` : ''
  }${autofocus ? html` autofocus` : ''}${field.autocomplete ? html` autocomplete="${field.autocomplete}"` : ''}`;
  switch (field.type) {
    case 'textarea':
      return html`<textarea ${common} rows="6">${text(value)}</textarea>`;
    case 'address':
      return html`<textarea ${common} rows="3">${text(value)}</textarea>`;
    case 'email':
      return html`<input type="email" ${common} spellcheck="false" value="${text(value)}">`;
    case 'phone':
      return html`<input type="tel" ${common} value="${text(value)}">`;
    case 'date': {
      // The bounds as the browser's date picker takes them (the form is `novalidate`: the server decides).
      const { notBefore, notAfter } = dateBounds(field);
      return html`<input type="date" ${common}${notBefore ? html` min="${notBefore.iso}"` : ''}${notAfter ? html` max="${notAfter.iso}"` : ''} value="${dateValue(value)}">`;
    }
    case 'number':
      return html`<input type="text" inputmode="decimal" ${common} value="${text(value)}">`;
    case 'select': {
      const current = text(value);
      return html`<select ${common}><option value="">Choisissez</option>${(field.options ?? []).map(
        (o) => html`<option value="${o.value}"${o.value === current ? html` selected` : ''}>${o.label}</option>`,
      )}</select>`;
    }
    case 'checkbox':
      return html`<input type="checkbox" ${common} value="on"${isChecked(value) ? html` checked` : ''}>`;
    case 'file':
      return html`<input type="file" ${common} accept="${(field.accept ?? []).join(',')}">`;
    default:
      // A pattern is checked at register load to compile with the v flag, as the attribute requires.
      return html`<input type="text" ${common}${field.pattern !== undefined ? html` pattern="${field.pattern}"` : ''} value="${text(value)}">`;
  }
}

function renderField(field: Field, path: string, value: SubmittedValue, state: FieldsState): Html {
  const id = fieldId(path);
  const hint = hintText(field);
  const error = state.errors.get(path);
  const fileChosen = field.type === 'file' ? state.files.get(path) : undefined;
  const describedBy = [hint ? `${id}-hint` : '', fileChosen !== undefined ? `${id}-file` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const input = control(field, id, inputName(path), value, describedBy, Boolean(error), state.autofocus === id);
  const parts = html`${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${
    fileChosen !== undefined
      ? html`<p class="file-note" id="${id}-file">Le fichier « ${fileChosen} » choisi précédemment n’a pas été conservé : choisissez-le à nouveau.</p>`
      : ''
  }${error ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>${error}</p>` : ''}`;
  if (field.type === 'checkbox')
    return html`<div class="field field-checkbox${error ? ' field-invalid' : ''}">${input}<label for="${id}">${field.label}${mention(field)}</label>${parts}</div>`;
  return html`<div class="field${error ? ' field-invalid' : ''}"><label for="${id}">${field.label}${mention(field)}</label>${parts}${input}</div>`;
}

/** Rows a group shows: what was posted, else its minimum (at least one when required). */
export function rowCount(field: Field, values: SubmittedData | undefined): number {
  const posted = values?.[field.name];
  if (values !== undefined) return Array.isArray(posted) ? posted.length : 0;
  return Math.max(field.repeat?.min ?? 0, field.required ? 1 : 0);
}

export function rowLegend(field: Field, index: number): string {
  const label = field.itemLabel ?? field.label;
  return (field.repeat?.max ?? 1) === 1 ? label : `${label} ${index + 1}`;
}

function groupLimits(field: Field): string {
  const min = Math.max(field.repeat?.min ?? 0, field.required ? 1 : 0);
  const max = field.repeat?.max ?? 1;
  if (min === 0) return max === 1 ? 'Facultatif.' : `Facultatif, ${max} au plus.`;
  return min === max ? `${min} obligatoire${min > 1 ? 's' : ''}.` : `Au moins ${min} (obligatoire${min > 1 ? 's' : ''}), ${max} au plus.`;
}

function renderGroup(field: Field, state: FieldsState): Html {
  const id = fieldId(field.name);
  const count = rowCount(field, state.values);
  const rows = (Array.isArray(state.values?.[field.name]) ? state.values![field.name] : []) as SubmittedValue[];
  const least = Math.max(field.repeat?.min ?? 0, field.required ? 1 : 0);
  const max = field.repeat?.max ?? 1;
  const error = state.errors.get(field.name);
  const hint = [field.help, groupLimits(field)].filter(Boolean).join(' ');
  return html`<div class="group${error ? ' field-invalid' : ''}" id="${id}">
<h2 id="${id}-title">${field.label}</h2>
<p class="hint">${hint}</p>
${error ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Erreur : </span>${error}</p>` : ''}
${Array.from({ length: count }, (_, i) => {
  const row = (rows[i] && typeof rows[i] === 'object' ? rows[i] : {}) as Record<string, SubmittedValue>;
  const legend = rowLegend(field, i);
  return html`<fieldset class="group-row" id="${id}-${i}">
<legend>${legend}</legend>
${(field.fields ?? []).map((sub) => renderField(sub, `${field.name}[${i}].${sub.name}`, row[sub.name], state))}
${count > least ? html`<button type="submit" class="button-secondary" name="_action" value="remove:${field.name}:${i}">Retirer « ${legend} »</button>` : ''}
</fieldset>`;
})}
<input type="hidden" name="_rows[${field.name}]" value="${count}">
${
  count < max
    ? html`<button type="submit" class="button-secondary" id="${id}-add" name="_action" value="add:${field.name}"${state.autofocus === `${id}-add` ? html` autofocus` : ''}>Ajouter « ${rowLegend(field, count)} »</button>`
    : ''
}
</div>`;
}

export function renderFields(fields: readonly Field[], state: FieldsState): Html {
  return html`${fields.map((f) => (f.type === 'group' ? renderGroup(f, state) : renderField(f, f.name, state.values?.[f.name], state)))}`;
}
