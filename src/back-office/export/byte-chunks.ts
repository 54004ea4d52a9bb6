/**
 * Text written straight into fixed-size buffers as UTF-8, handed out as
 * each one fills. An export of 200,000 rows built by concatenating strings
 * made about six times the file's size in short-lived strings (each `+=` a
 * new string, each chunk flattened, then encoded once more by the stream):
 * a quarter of the export's time went to collecting them. Here a cell is
 * copied once, into memory outside the JavaScript heap.
 */

/** Pieces of 64 KB, outside the heap: few enough that the streams they pass through cost little per row. */
export const CHUNK_BYTES = 65_536;
/** Shorter texts are copied by a loop while they are ASCII: for a few bytes, cheaper than a call into the encoder. */
const SHORT = 32;

export class ByteChunks {
  private buffer: Buffer;
  private used = 0;
  private readonly ready: Buffer[] = [];

  constructor(private readonly size = CHUNK_BYTES) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Appends the text as UTF-8. */
  text(text: string): void {
    const n = text.length;
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (this.used + n * 3 > this.size) {
      this.seal();
      if (n * 3 > this.size) return void this.ready.push(Buffer.from(text, 'utf8'));
    }
    const buffer = this.buffer;
    const at = this.used;
    if (n <= SHORT) {
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buffer[at + i] = c;
      }
      if (i === n) return void (this.used = at + n);
    }
    this.used = at + buffer.write(text, at, 'utf8');
  }

  /** Appends one ASCII character, by its code. */
  byte(code: number): void {
    if (this.used === this.size) this.seal();
    this.buffer[this.used++] = code;
  }

  /** The full pieces written so far, which the caller hands out; the piece being filled stays. */
  take(): Buffer[] {
    return this.ready.length === 0 ? NONE : this.ready.splice(0);
  }

  /** Every piece, the last one included: the end of the text. */
  end(): Buffer[] {
    this.seal();
    return this.ready.splice(0);
  }

  private seal(): void {
    if (this.used === 0) return;
    this.ready.push(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
  }
}

const NONE: Buffer[] = [];
