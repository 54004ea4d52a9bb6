import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteChunks } from './byte-chunks.ts';

describe('ByteChunks', () => {
  it('gives back exactly the UTF-8 of what was written, across chunk ends, whatever the text', () => {
    const pieces = ['Identifiant', ';', 'Éloïse Lefèvre', 'trousse PAI à l’école', '😀 emoji', '\uD800 seule', 'x'.repeat(70), 'é'.repeat(40), '', 'Z'];
    for (const size of [16, 64, 100, 4096]) {
      const out = new ByteChunks(size);
      const taken: Buffer[] = [];
      let expected = '';
      for (let i = 0; i < 500; i++) {
        const text = pieces[(i * 7) % pieces.length]!;
        out.text(text);
        expected += text;
        if (i % 3 === 0) {
          out.byte(0x0a);
          expected += '\n';
        }
        taken.push(...out.take());
      }
      taken.push(...out.end());
      assert.deepEqual(Buffer.concat(taken), Buffer.from(expected, 'utf8'), `chunks of ${size} bytes`);
      assert.ok(taken.every((b) => b.length > 0), 'no empty piece');
      const longest = Math.max(...pieces.map((p) => Buffer.byteLength(p)));
      assert.ok(taken.every((b) => b.length <= Math.max(size, longest)), 'no piece is over the size, except one long text alone');
    }
  });

  it('hands out nothing before a chunk is full, a text too long for one alone, and the rest at the end', () => {
    const out = new ByteChunks(16);
    out.text('abc');
    out.byte(0x3b);
    assert.deepEqual(out.take(), []);
    out.text('defghij');
    assert.deepEqual(
      out.take().map((b) => b.toString()),
      ['abc;', 'defghij'],
    );
    out.text('k');
    assert.deepEqual(
      out.end().map((b) => b.toString()),
      ['k'],
    );
    assert.deepEqual(out.end(), [], 'nothing twice');
  });
});
