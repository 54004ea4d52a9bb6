/** What a submission carries, whichever way it came (HTML form or JSON API). */

export interface SubmittedFile {
  kind: 'file';
  filename: string;
  bytes: Buffer;
  /** Set by validation from the content (magic bytes), never from what the client declared. */
  mediaType?: string;
}

export type SubmittedValue = string | number | boolean | null | undefined | SubmittedFile | SubmittedValue[] | { [key: string]: SubmittedValue };

export type SubmittedData = Record<string, SubmittedValue>;

export function isSubmittedFile(v: unknown): v is SubmittedFile {
  return typeof v === 'object' && v !== null && (v as SubmittedFile).kind === 'file' && Buffer.isBuffer((v as SubmittedFile).bytes);
}

/** A stored file, as the record's data refers to it (its name is sealed with the upload). */
export interface StoredFileRef {
  upload: string;
  type: string;
  size: number;
}

export interface FieldError {
  /** Path of the field, `nom` or `enfants[1].dateNaissance`. */
  field: string;
  message: string;
}
