/**
 * JSON has no files: in a submission sent to the API, an object that is
 * exactly `{filename, contentBase64}` becomes a file, anything else stays
 * as sent for validation to judge. The JSON body parser already bounds the
 * depth of what arrives (src/web/json-body-parser.ts); this walk bounds it
 * again, so that it can never exhaust the stack whoever calls it.
 */
import type { SubmittedValue } from './submitted-value.ts';

// Scanned, not matched whole: an anchored `^[…]*$` over 6 MB held the event loop for 34 ms.
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
const WHITE_SPACE = /\s/;

/** `=` at most twice, and only at the end. */
function paddedRight(s: string): boolean {
  const pad = s.indexOf('=');
  return pad === -1 || (pad >= s.length - 2 && (pad === s.length - 1 || s[s.length - 1] === '='));
}

/**
 * The bytes of base64 as most encoders send it, maybe wrapped in lines; anything else is an empty file,
 * refused as such. One scan in the common case (no line breaks).
 */
function base64Bytes(sent: string): Buffer {
  let content = sent;
  if (NOT_BASE64.test(sent)) {
    if (!WHITE_SPACE.test(sent)) return Buffer.alloc(0);
    content = sent.replace(/\s/g, '');
    if (NOT_BASE64.test(content)) return Buffer.alloc(0);
  }
  return paddedRight(content) ? Buffer.from(content, 'base64') : Buffer.alloc(0);
}
/** Deeper than any form goes (a group row holds a file: depth 3); below it values are left as sent. */
const MAX_DEPTH = 40;

function isFileShape(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return (
    typeof o['contentBase64'] === 'string' &&
    (o['filename'] === undefined || typeof o['filename'] === 'string') &&
    keys.every((k) => k === 'filename' || k === 'contentBase64')
  );
}

export function decodeJsonFiles(value: unknown, depth = 0): SubmittedValue {
  if (depth > MAX_DEPTH) return value as SubmittedValue;
  if (Array.isArray(value)) return value.map((v) => decodeJsonFiles(v, depth + 1));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (isFileShape(o)) {
      return { kind: 'file', filename: (o['filename'] as string | undefined) ?? 'fichier', bytes: base64Bytes(o['contentBase64'] as string) };
    }
    const out: Record<string, SubmittedValue> = {};
    // Own data properties only, defined (not assigned) so that a key named __proto__ stays a key.
    for (const [k, v] of Object.entries(o)) Object.defineProperty(out, k, { value: decodeJsonFiles(v, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value as SubmittedValue;
}
