/**
 * A response body encoded once: UTF-8 bytes and their gzip, so that a cached
 * page costs no encoding or compression per request.
 */
import { gzipSync } from 'node:zlib';

export interface EncodedBody {
  raw: Buffer;
  gzip: Buffer;
}

export function encodeBody(text: string): EncodedBody {
  const raw = Buffer.from(text, 'utf8');
  return { raw, gzip: gzipSync(raw, { level: 9 }) };
}
