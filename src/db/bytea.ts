/**
 * Large binary values (sealed uploads) cross the driver as hex text.
 * PGlite's own bytea serializer and parser handle one byte at a time in
 * JavaScript (seconds for a 5 MB file, holding the event loop); Buffer's hex
 * codec is native, and `decode`/`encode` run inside PostgreSQL. Same SQL on
 * both databases.
 */
import { sql, type RawBuilder } from 'kysely';

export function byteaParam(bytes: Buffer): RawBuilder<Buffer> {
  return sql<Buffer>`decode(${bytes.toString('hex')}, 'hex')`;
}

/** `encode(column, 'hex')`: select it under an alias, read it back with `fromHex`. */
export function byteaAsHex(column: string): RawBuilder<string> {
  return sql<string>`encode(${sql.ref(column)}, 'hex')`;
}

export function fromHex(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}
