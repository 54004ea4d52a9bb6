/** A form of the register in force, with the processing it belongs to. */
import type { Form, Processing, Register } from '../register/schema.ts';

export interface FoundForm {
  form: Form;
  processing: Processing;
}

export function findForm(register: Register, formId: string): FoundForm | undefined {
  for (const processing of register.processings) {
    const form = processing.forms.find((f) => f.id === formId);
    if (form) return { form, processing };
  }
  return undefined;
}

/** Whether a field's values are sealed at rest: health always, others when the register says so. */
export function isSealed(field: { category?: string | undefined; encrypted?: boolean | undefined }): boolean {
  return field.category === 'health' || field.encrypted === true;
}
