import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import { ZipStream } from './zip-stream.ts';

interface Listed {
  name: string;
  flags: number;
  crc: number;
  size: number;
  /** Unix mode, from the external attributes of an entry made by Unix. */
  mode: number;
  data: Buffer;
}

/** Reads a ZIP as an unzipper does: from the end record (or its ZIP64 twin) to the central directory, then each local header and its data. */
function unzip(zip: Buffer): Listed[] {
  const end = zip.length - 22;
  assert.equal(zip.readUInt32LE(end), 0x06054b50, 'the end record closes the file');
  let count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let size = zip.readUInt32LE(end + 12);
  if (at === 0xffffffff || size === 0xffffffff) {
    const locator = end - 20;
    assert.equal(zip.readUInt32LE(locator), 0x07064b50, 'a ZIP64 locator before the end record');
    const record = Number(zip.readBigUInt64LE(locator + 8));
    assert.equal(zip.readUInt32LE(record), 0x06064b50, 'the ZIP64 end record where the locator says');
    assert.equal(record + 56, locator);
    count = Number(zip.readBigUInt64LE(record + 32));
    size = Number(zip.readBigUInt64LE(record + 40));
    at = Number(zip.readBigUInt64LE(record + 48));
    assert.equal(at + size, record, 'the central directory ends where the ZIP64 end record starts');
  } else assert.equal(at + size, end, 'the central directory ends where the end record starts');
  const listed: Listed[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, `central entry ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const flags = zip.readUInt16LE(at + 8);
    const crc = zip.readUInt32LE(at + 16);
    // Values of 0xFFFFFFFF are in the ZIP64 extra field, 8 bytes each, in this order.
    const wide = [zip.readUInt32LE(at + 24), zip.readUInt32LE(at + 20), zip.readUInt32LE(at + 42)];
    let next = at + 46 + nameLength + 4;
    if (wide.includes(0xffffffff)) assert.equal(zip.readUInt16LE(at + 46 + nameLength), 0x0001, `the ZIP64 field of ${name}`);
    const [size, compressed, local] = wide.map((v) => {
      if (v !== 0xffffffff) return v;
      const value = Number(zip.readBigUInt64LE(next));
      next += 8;
      return value;
    }) as [number, number, number];
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    assert.equal(zip.subarray(local + 30, local + 30 + zip.readUInt16LE(local + 26)).toString('utf8'), name);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = inflateRawSync(zip.subarray(start, start + compressed));
    if (flags & 0x08) {
      const descriptor = start + compressed;
      assert.equal(zip.readUInt32LE(descriptor), 0x08074b50, `data descriptor of ${name}`);
      const wideDescriptor = wide[0] === 0xffffffff || wide[1] === 0xffffffff;
      const described = wideDescriptor
        ? [zip.readUInt32LE(descriptor + 4), Number(zip.readBigUInt64LE(descriptor + 8)), Number(zip.readBigUInt64LE(descriptor + 16))]
        : [zip.readUInt32LE(descriptor + 4), zip.readUInt32LE(descriptor + 8), zip.readUInt32LE(descriptor + 12)];
      assert.deepEqual(described, [crc, compressed, size]);
    } else if (zip.readUInt16LE(local + 28) === 0) assert.deepEqual([zip.readUInt32LE(local + 14), zip.readUInt32LE(local + 18), zip.readUInt32LE(local + 22)], [crc, compressed, size]);
    assert.equal(data.length, size, `size of ${name}`);
    assert.equal(crc32(data), crc, `CRC-32 of ${name}`);
    assert.equal(zip.readUInt16LE(at + 4) >> 8, 3, `${name} made by Unix`);
    listed.push({ name, flags, crc, size, mode: zip.readUInt32LE(at + 38) >>> 16, data });
    at += 46 + nameLength + extraLength + zip.readUInt16LE(at + 32);
  }
  return listed;
}

async function collect(zip: ZipStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.output) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the ZIP writer', () => {
  for (const [what, options] of [
    ['plain ZIP', {}],
    ['ZIP64 fields where sizes and offsets pass the limit (lowered here to 300 bytes)', { zip64From: 300 }],
  ] as const)
    it(`writes whole and streamed parts that read back byte for byte, with their CRC, sizes and UTF-8 names: ${what}`, async () => {
      const zip = new ZipStream(new Date('2026-07-14T10:31:58Z'), options);
      const bytes = collect(zip);
      const small = Buffer.from('<?xml version="1.0"?><a>é</a>');
      zip.addFile('[Content_Types].xml', small);
      const sheet = zip.addStream('xl/feuille é.xml', 1);
      const pieces = Array.from({ length: 300 }, (_, i) => Buffer.from(`<row r="${i}">${'données '.repeat(i % 50)}</row>`));
      for (const p of pieces) await sheet.write(p);
      await sheet.end();
      zip.addFile('après.txt', Buffer.alloc(0));
      zip.addFile('grand.txt', Buffer.from('x'.repeat(1000)));
      zip.end();
      const file = await bytes;
      const listed = unzip(file);
      assert.deepEqual(
        listed.map((l) => l.name),
        ['[Content_Types].xml', 'xl/feuille é.xml', 'après.txt', 'grand.txt'],
      );
      assert.deepEqual(listed[0]!.data, small);
      assert.deepEqual(listed[1]!.data, Buffer.concat(pieces));
      assert.equal(listed[1]!.flags & 0x08, 0x08, 'the streamed part has a data descriptor');
      assert.equal(listed[2]!.size, 0);
      assert.equal(listed[3]!.data.toString(), 'x'.repeat(1000));
      assert.ok(listed.every((l) => l.mode === 0o100644), 'regular files, readable once unzipped');
      assert.equal(file.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'zip64From' in options, 'a ZIP64 end record only where needed');
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

  it('does not leave the end of a part waiting once the reader is gone', async () => {
    const zip = new ZipStream(new Date());
    const sheet = zip.addStream('petit.xml', 1);
    await sheet.write(Buffer.from('<a/>'));
    const ending = sheet.end();
    zip.output.destroy();
    await assert.rejects(ending, { name: 'AbortError' });
  });
});
