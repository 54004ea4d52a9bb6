/**
 * The ZIP container of the XLSX export (APPNOTE 6.3: local headers, data
 * descriptors, central directory), written as a stream. Small parts are
 * deflated at once; the sheet is deflated as it is written, on libuv's
 * threads, its CRC-32 taken by zlib. Written here rather than with yazl,
 * which took the sheet's CRC in JavaScript and passed every piece through
 * four streams: a tenth of the export's time on the server's one thread.
 *
 * No ZIP64: an export is at most EXPORT_MAX rows, hundreds of megabytes; a
 * file past 4 GiB fails with an error instead of writing a corrupt one.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

const LIMIT = 0xffff_ffff;
/** Bit 3: sizes and CRC follow the data (a data descriptor); bit 11: names are UTF-8. */
const STREAMED_FLAGS = 0x0808;
const WHOLE_FLAGS = 0x0800;
const DEFLATE = 8;
const VERSION = 20;

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

export class ZipStream {
  /** The file's bytes; the caller sends them and destroys this stream to stop early. */
  readonly output = new PassThrough();
  private readonly entries: Entry[] = [];
  private offset = 0;
  private readonly time: number;
  private readonly date: number;
  /** Aborted when the output closes (sent, or the reader went away): nothing waits for a drain that will not come. */
  private readonly closed = new AbortController();

  /** `wallClock`: the time the files inside show, as a local clock reads it (a UTC date holding Paris time). */
  constructor(wallClock: Date) {
    ({ time: this.time, date: this.date } = dosDateTime(wallClock));
    this.output.once('close', () => this.closed.abort());
  }

  /** A part whose bytes are all known. */
  addFile(name: string, data: Buffer): void {
    const compressed = deflateRawSync(data);
    const entry = { name: Buffer.from(name, 'utf8'), flags: WHOLE_FLAGS, crc: crc32(data), compressed: compressed.length, size: data.length, offset: this.offset };
    this.send(this.localHeader(entry));
    this.send(compressed);
    this.entries.push(entry);
  }

  /**
   * A part written piece by piece: `write` it (and await when it answers
   * false), then `end` it. Deflated at `level` as the pieces come.
   */
  addStream(name: string, level: number): { write(piece: Buffer): Promise<void> | undefined; end(): Promise<void> } {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: STREAMED_FLAGS, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.send(this.localHeader(entry));
    const deflate = createDeflateRaw({ level });
    deflate.on('data', (chunk: Buffer) => {
      entry.compressed += chunk.length;
      if (!this.send(chunk)) deflate.pause();
    });
    this.output.on('drain', () => deflate.resume());
    deflate.on('error', (error) => this.output.destroy(error));
    // The reader went away: nothing more is compressed.
    this.closed.signal.addEventListener('abort', () => deflate.destroy());
    const ended = once(deflate, 'end');
    // Heard here: awaited by end(), a failure would otherwise be an unhandled rejection while the sheet is written.
    ended.catch(() => undefined);
    return {
      write: (piece) => {
        entry.crc = crc32(piece, entry.crc);
        entry.size += piece.length;
        if (entry.size > LIMIT) throw new Error('the file would pass 4 GiB, past what a ZIP without ZIP64 holds');
        return deflate.write(piece) ? undefined : once(deflate, 'drain', { signal: this.closed.signal }).then(() => undefined);
      },
      end: async () => {
        deflate.end();
        await ended;
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(entry.crc, 4);
        descriptor.writeUInt32LE(entry.compressed, 8);
        descriptor.writeUInt32LE(entry.size, 12);
        this.send(descriptor);
        this.entries.push(entry);
      },
    };
  }

  /** The central directory and its end record: the file is complete. */
  end(): void {
    const start = this.offset;
    for (const e of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(VERSION, 4);
      header.writeUInt16LE(VERSION, 6);
      header.writeUInt16LE(e.flags, 8);
      header.writeUInt16LE(DEFLATE, 10);
      header.writeUInt16LE(this.time, 12);
      header.writeUInt16LE(this.date, 14);
      header.writeUInt32LE(e.crc, 16);
      header.writeUInt32LE(e.compressed, 20);
      header.writeUInt32LE(e.size, 24);
      header.writeUInt16LE(e.name.length, 28);
      // Extra field, comment, disk number, attributes: none (zeros).
      header.writeUInt32LE(e.offset, 42);
      this.send(header);
      this.send(e.name);
    }
    const record = Buffer.alloc(22);
    record.writeUInt32LE(0x06054b50, 0);
    record.writeUInt16LE(this.entries.length, 8);
    record.writeUInt16LE(this.entries.length, 10);
    record.writeUInt32LE(this.offset - start, 12);
    record.writeUInt32LE(start, 16);
    this.output.end(record);
  }

  private localHeader(e: Entry): Buffer {
    const header = Buffer.alloc(30 + e.name.length);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(e.flags, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(this.time, 10);
    header.writeUInt16LE(this.date, 12);
    // A streamed part's CRC and sizes are zeros here, given by its data descriptor.
    header.writeUInt32LE(e.crc, 14);
    header.writeUInt32LE(e.compressed, 18);
    header.writeUInt32LE(e.size, 22);
    header.writeUInt16LE(e.name.length, 26);
    e.name.copy(header, 30);
    return header;
  }

  private send(bytes: Buffer): boolean {
    this.offset += bytes.length;
    if (this.offset > LIMIT) throw new Error('the file would pass 4 GiB, past what a ZIP without ZIP64 holds');
    return this.output.write(bytes);
  }
}
