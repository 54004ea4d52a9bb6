import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import { ZipStream } from './zip-stream.ts';

interface Listed {
  name: string;
  flags: number;
  crc: number;
  size: number;
  data: Buffer;
}

/** Reads a ZIP as an unzipper does: from the end record to the central directory, then each local header and its data. */
function unzip(zip: Buffer): Listed[] {
  const end = zip.length - 22;
  assert.equal(zip.readUInt32LE(end), 0x06054b50, 'the end record closes the file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  assert.equal(at + zip.readUInt32LE(end + 12), end, 'the central directory ends where the end record starts');
  const listed: Listed[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, `central entry ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const [flags, crc, compressed, size, local] = [zip.readUInt16LE(at + 8), zip.readUInt32LE(at + 16), zip.readUInt32LE(at + 20), zip.readUInt32LE(at + 24), zip.readUInt32LE(at + 42)];
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    assert.equal(zip.subarray(local + 30, local + 30 + zip.readUInt16LE(local + 26)).toString('utf8'), name);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = inflateRawSync(zip.subarray(start, start + compressed));
    if (flags & 0x08) {
      const descriptor = start + compressed;
      assert.equal(zip.readUInt32LE(descriptor), 0x08074b50, `data descriptor of ${name}`);
      assert.deepEqual([zip.readUInt32LE(descriptor + 4), zip.readUInt32LE(descriptor + 8), zip.readUInt32LE(descriptor + 12)], [crc, compressed, size]);
    } else assert.deepEqual([zip.readUInt32LE(local + 14), zip.readUInt32LE(local + 18), zip.readUInt32LE(local + 22)], [crc, compressed, size]);
    assert.equal(data.length, size, `size of ${name}`);
    assert.equal(crc32(data), crc, `CRC-32 of ${name}`);
    listed.push({ name, flags, crc, size, data });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return listed;
}

async function collect(zip: ZipStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.output) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the ZIP writer', () => {
  it('writes whole and streamed parts that read back byte for byte, with their CRC, sizes and UTF-8 names', async () => {
    const zip = new ZipStream(new Date('2026-07-14T10:31:58Z'));
    const bytes = collect(zip);
    const small = Buffer.from('<?xml version="1.0"?><a>é</a>');
    zip.addFile('[Content_Types].xml', small);
    const sheet = zip.addStream('xl/feuille é.xml', 1);
    const pieces = Array.from({ length: 300 }, (_, i) => Buffer.from(`<row r="${i}">${'données '.repeat(i % 50)}</row>`));
    for (const p of pieces) await sheet.write(p);
    await sheet.end();
    zip.addFile('après.txt', Buffer.alloc(0));
    zip.end();
    const listed = unzip(await bytes);
    assert.deepEqual(
      listed.map((l) => l.name),
      ['[Content_Types].xml', 'xl/feuille é.xml', 'après.txt'],
    );
    assert.deepEqual(listed[0]!.data, small);
    assert.deepEqual(listed[1]!.data, Buffer.concat(pieces));
    assert.equal(listed[1]!.flags & 0x08, 0x08, 'the streamed part has a data descriptor');
    assert.equal(listed[2]!.size, 0);
  });

  it('stamps the parts with the local time given, as MS-DOS dates', async () => {
    const zip = new ZipStream(new Date('2026-07-14T10:31:58Z'));
    const bytes = collect(zip);
    zip.addFile('a.txt', Buffer.from('a'));
    zip.end();
    const file = await bytes;
    const [time, date] = [file.readUInt16LE(10), file.readUInt16LE(12)];
    assert.deepEqual([date >> 9, (date >> 5) & 15, date & 31], [2026 - 1980, 7, 14]);
    assert.deepEqual([time >> 11, (time >> 5) & 63, (time & 31) * 2], [10, 31, 58]);
  });

  it('does not leave a writer waiting once the reader is gone', async () => {
    const zip = new ZipStream(new Date());
    const sheet = zip.addStream('big.xml', 1);
    // Nobody reads: the output fills, then goes away.
    const random = Buffer.alloc(1 << 20);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 251;
    const waiting = (async () => {
      for (let i = 0; i < 64; i++) await sheet.write(random);
    })();
    setTimeout(() => zip.output.destroy(), 50);
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
