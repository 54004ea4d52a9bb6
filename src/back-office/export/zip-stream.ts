/**
 * The ZIP container of the XLSX export (APPNOTE 6.3: local headers, data
 * descriptors, central directory), written as a stream. Small parts are
 * deflated at once; the sheet is deflated as it is written, on libuv's
 * threads, its CRC-32 taken by zlib. Written here rather than with yazl,
 * which took the sheet's CRC in JavaScript and passed every piece through
 * four streams: a tenth of the export's time on the server's one thread.
 *
 * ZIP64 only where a size or an offset needs it (a sheet past 4 GiB of
 * XML, about 7 KB a row at the export's 500,000 rows): its data
 * descriptor, central entry and end records then carry 8-byte values, as
 * yazl did; every smaller file is plain ZIP, which any spreadsheet opens.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync, type ZlibOptions } from 'node:zlib';

/** The largest value a 4-byte field holds; 0xFFFFFFFF itself means "in the ZIP64 field". */
const MAX32 = 0xffff_ffff;
/** Bit 3: sizes and CRC follow the data (a data descriptor); bit 11: names are UTF-8. */
const STREAMED_FLAGS = 0x0808;
const WHOLE_FLAGS = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
const VERSION_ZIP64 = 45;
/** Bytes written to the compressor before a writer waits for it. */
const WRITE_AHEAD = 1024 * 1024;
/** External attributes of a regular file readable by all (Unix mode 0100644 in the high half). */
const REGULAR_FILE = (0o100644 << 16) >>> 0;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** MS-DOS time and date, as ZIP stores them (local time, two-second steps). */
function dosDateTime(wallClock: Date): { time: number; date: number } {
  return {
    time: (wallClock.getUTCHours() << 11) | (wallClock.getUTCMinutes() << 5) | (wallClock.getUTCSeconds() >> 1),
    date: ((wallClock.getUTCFullYear() - 1980) << 9) | ((wallClock.getUTCMonth() + 1) << 5) | wallClock.getUTCDate(),
  };
}

/** The ZIP64 extra field holding these 8-byte values, in the order APPNOTE gives (size, compressed size, offset). */
function zip64Extra(values: readonly number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return extra;
}

export interface ZipOptions {
  /** Sizes and offsets from this value on go to ZIP64 fields (MAX32; the tests lower it to see those files). */
  zip64From?: number;
}

export class ZipStream {
  /** The file's bytes; the caller sends them and destroys this stream to stop early. */
  readonly output = new PassThrough();
  /** What went wrong inside (compression), for the caller to report: the output then ends with this error. */
  failure: Error | undefined;
  private readonly entries: Entry[] = [];
  private offset = 0;
  private readonly time: number;
  private readonly date: number;
  private readonly zip64From: number;
  /** Aborted when the output closes (sent, or the reader went away): nothing waits for a drain or an end that will not come. */
  private readonly closed = new AbortController();

  /** `wallClock`: the time the files inside show, as a local clock reads it (a UTC date holding Paris time). */
  constructor(wallClock: Date, options: ZipOptions = {}) {
    ({ time: this.time, date: this.date } = dosDateTime(wallClock));
    this.zip64From = options.zip64From ?? MAX32;
    this.output.once('close', () => this.closed.abort());
  }

  /** A part whose bytes are all known. */
  addFile(name: string, data: Buffer): void {
    const compressed = deflateRawSync(data);
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: WHOLE_FLAGS, crc: crc32(data), compressed: compressed.length, size: data.length, offset: this.offset };
    this.send(this.localHeader(entry));
    this.send(compressed);
    this.entries.push(entry);
  }

  /**
   * A part written piece by piece: `write` it (awaiting what it returns),
   * then `end` it. Deflated at `level` as the pieces come. Both reject with
   * an AbortError once the output is gone.
   */
  addStream(name: string, level: number): { write(piece: Buffer): Promise<void> | undefined; end(): Promise<void> } {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: STREAMED_FLAGS, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.send(this.localHeader(entry));
    // Room for several pieces: with the default 16 KB, every 64 KB piece waited for the compressor to take it (160 MB of XML: 2,505 waits and 890 ms; now 156 and 665 ms).
    // (Node passes stream options on to the Transform; its types for zlib omit them.)
    const deflate = createDeflateRaw({ level, chunkSize: 64 * 1024, writableHighWaterMark: WRITE_AHEAD } as ZlibOptions);
    deflate.on('data', (chunk: Buffer) => {
      entry.compressed += chunk.length;
      if (!this.send(chunk)) deflate.pause();
    });
    this.output.on('drain', () => deflate.resume());
    deflate.on('error', (error) => {
      this.failure = error;
      this.output.destroy(error);
    });
    // The reader went away: nothing more is compressed.
    this.closed.signal.addEventListener('abort', () => deflate.destroy());
    const ended = once(deflate, 'end', { signal: this.closed.signal });
    // Heard here: awaited by end(), a failure would otherwise be an unhandled rejection while the sheet is written.
    ended.catch(() => undefined);
    return {
      write: (piece) => {
        entry.crc = crc32(piece, entry.crc);
        entry.size += piece.length;
        return deflate.write(piece) ? undefined : once(deflate, 'drain', { signal: this.closed.signal }).then(() => undefined);
      },
      end: async () => {
        deflate.end();
        await ended;
        const zip64 = this.big(entry.size) || this.big(entry.compressed);
        const descriptor = Buffer.alloc(zip64 ? 24 : 16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(entry.crc, 4);
        if (zip64) {
          descriptor.writeBigUInt64LE(BigInt(entry.compressed), 8);
          descriptor.writeBigUInt64LE(BigInt(entry.size), 16);
        } else {
          descriptor.writeUInt32LE(entry.compressed, 8);
          descriptor.writeUInt32LE(entry.size, 12);
        }
        this.send(descriptor);
        this.entries.push(entry);
      },
    };
  }

  /** The central directory and its end record(s): the file is complete. */
  end(): void {
    const start = this.offset;
    for (const e of this.entries) {
      const wide = [e.size, e.compressed, e.offset].filter((v) => this.big(v));
      const extra = wide.length > 0 ? zip64Extra(wide) : Buffer.alloc(0);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      // Made by Unix (whose attributes say rw-r--r--): with MS-DOS there, Info-ZIP reads a UTF-8 name in a ZIP64 entry as code page 437.
      header.writeUInt16LE((3 << 8) | (wide.length > 0 ? VERSION_ZIP64 : VERSION), 4);
      this.describe(e, header, 6);
      header.writeUInt16LE(extra.length, 30);
      // No comment, disk 0, no internal attributes.
      header.writeUInt32LE(REGULAR_FILE, 38);
      header.writeUInt32LE(this.field(e.offset), 42);
      this.send(header);
      this.send(e.name);
      this.send(extra);
    }
    const size = this.offset - start;
    if (this.big(start) || this.big(size)) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(VERSION_ZIP64, 12);
      record.writeUInt16LE(VERSION_ZIP64, 14);
      record.writeBigUInt64LE(BigInt(this.entries.length), 24);
      record.writeBigUInt64LE(BigInt(this.entries.length), 32);
      record.writeBigUInt64LE(BigInt(size), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(this.offset), 8);
      locator.writeUInt32LE(1, 16);
      this.send(record);
      this.send(locator);
    }
    const record = Buffer.alloc(22);
    record.writeUInt32LE(0x06054b50, 0);
    record.writeUInt16LE(this.entries.length, 8);
    record.writeUInt16LE(this.entries.length, 10);
    record.writeUInt32LE(this.field(size), 12);
    record.writeUInt32LE(this.field(start), 16);
    this.output.end(record);
  }

  private localHeader(e: Entry): Buffer {
    const wide = e.flags === WHOLE_FLAGS && (this.big(e.size) || this.big(e.compressed));
    const extra = wide ? zip64Extra([e.size, e.compressed]) : Buffer.alloc(0);
    const header = Buffer.alloc(30 + e.name.length + extra.length);
    header.writeUInt32LE(0x04034b50, 0);
    // A streamed part's CRC and sizes are zeros here, given by its data descriptor.
    this.describe(e, header, 4);
    if (wide) header.writeUInt16LE(VERSION_ZIP64, 4);
    header.writeUInt16LE(extra.length, 28);
    e.name.copy(header, 30);
    extra.copy(header, 30 + e.name.length);
    return header;
  }

  /** The fields a local header and a central entry share, in the same order: version needed, flags, method, time, date, CRC, sizes, name length. */
  private describe(e: Entry, header: Buffer, at: number): void {
    const wide = this.big(e.size) || this.big(e.compressed) || this.big(e.offset);
    header.writeUInt16LE(wide ? VERSION_ZIP64 : VERSION, at);
    header.writeUInt16LE(e.flags, at + 2);
    header.writeUInt16LE(DEFLATE, at + 4);
    header.writeUInt16LE(this.time, at + 6);
    header.writeUInt16LE(this.date, at + 8);
    header.writeUInt32LE(e.crc, at + 10);
    header.writeUInt32LE(this.field(e.compressed), at + 14);
    header.writeUInt32LE(this.field(e.size), at + 18);
    header.writeUInt16LE(e.name.length, at + 22);
  }

  private big(value: number): boolean {
    return value >= this.zip64From;
  }

  /** A 4-byte field's value: the value, or 0xFFFFFFFF when a ZIP64 field holds it. */
  private field(value: number): number {
    return this.big(value) ? MAX32 : value;
  }

  private send(bytes: Buffer): boolean {
    this.offset += bytes.length;
    return this.output.write(bytes);
  }
}
