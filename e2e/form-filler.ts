/**
 * Fills any form of a register in a real browser from its declaration, as a
 * person would: with role and label locators, pressing « Ajouter » to get a
 * second row of each group that allows it, and attaching real files.
 */
import type { Locator, Page } from 'playwright-core';
import { rowLegend } from '../src/forms/form-fields-html.ts';
import { rowsToFill, sampleFor } from '../src/forms/testing.ts';
import type { Field, Form } from '../src/register/schema.ts';

/** The visible label of a control: the register's label and its mention. */
export function labelOf(field: Field): string {
  return `${field.label} ${field.required ? '(obligatoire)' : '(facultatif)'}`;
}

/** Submits the form with one of its buttons and waits for the page the server answers. */
export async function press(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

export async function fillField(scope: Locator, field: Field): Promise<void> {
  const control = scope.getByLabel(labelOf(field), { exact: true });
  const sample = sampleFor(field);
  if (sample.kind === 'check') await control.check();
  else if (sample.kind === 'select') await control.selectOption(sample.value);
  else if (sample.kind === 'file') await control.setInputFiles({ name: sample.name, mimeType: sample.mimeType, buffer: sample.buffer });
  else await control.fill(sample.value);
}

/** Adds the rows each group needs with its « Ajouter » button (rows first: a re-render keeps text, not files). */
export async function addRows(page: Page, form: Form): Promise<void> {
  for (const group of form.fields.filter((f) => f.type === 'group')) {
    const rows = () => page.locator(`#f-${group.name} fieldset.group-row`).count();
    for (let n = await rows(); n < rowsToFill(group); n = await rows()) await press(page, `Ajouter « ${rowLegend(group, n)} »`);
  }
}

export async function fillForm(page: Page, form: Form): Promise<void> {
  await addRows(page, form);
  const top = page.locator('form.demarche > .field');
  for (const field of form.fields) {
    if (field.type !== 'group') {
      await fillField(top, field);
      continue;
    }
    for (let i = 0; i < rowsToFill(field); i++) {
      const row = page.getByRole('group', { name: rowLegend(field, i), exact: true });
      for (const sub of field.fields ?? []) await fillField(row, sub);
    }
  }
}
