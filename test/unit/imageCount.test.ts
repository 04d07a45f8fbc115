/**
 * Group sizes from record bytes (strata.ts, imageCountFromBytes; issue #15): whenever it answers, the
 * answer is the parsed record's (the LLaVA format's image count); it may only be unsure (null). Checked
 * on generated records — key orders, nesting, escapes, whitespace, both keys, odd values — read as
 * records sit in a chunk (other records after them) and cut to their first bytes. A key repeated in a
 * record (JSON.parse keeps the last) is read where it first appears, as before: not generated.
 */
import * as assert from 'node:assert/strict';
import { imageList } from '../../src/core/formats/fields';
import { imageCountFromBytes } from '../../src/core/strata';

let seed = 99;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];

const STRINGS = ['a.png', '', 'with \\"quote\\".jpg', 'back\\\\slash', 'brace } ] , "image": [', '画质.png', 'x'.repeat(300)];
const VALUES: (() => string)[] = [
  () => JSON.stringify(pick(STRINGS).replace(/\\(.)/g, '$1')),
  () => `[${Array.from({ length: Math.floor(rnd() * 5) }, () => JSON.stringify(pick(STRINGS))).join(pick([',', ', ', ' ,\n  ']))}]`,
  () => pick(['null', '3', 'true', '[1, "a"]', '{"image": "x"}', '[]', '[ ]', '"', '-1.5e3']),
];

function record(): string {
  const keys: [string, string][] = [];
  const n = Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const key = pick(['id', 'image', 'images', 'conversations', 'meta', 'imag', 'imagesX', 'im\\u0061ge', 'x']);
    // Each key once (a repeated key, which JSON.parse reads last, is read first here: not generated).
    const alias = (x: string): string => (x === 'im\\u0061ge' ? 'image' : x);
    if (keys.some(([k]) => alias(k) === alias(key))) continue;
    const value =
      key === 'conversations'
        ? JSON.stringify(
            [
              { from: 'human', value: `<image> ${pick(STRINGS)}` },
              { from: 'gpt', value: 'ok "image": ["q"]' },
            ],
            null,
            pick([0, 1]),
          )
        : key === 'meta'
          ? JSON.stringify({ image: ['n.png'], deeper: [{ images: [] }] })
          : pick(VALUES)();
    keys.push([key, value]);
  }
  const ws = (): string => pick(['', ' ', '\n  ', '\t']);
  return `${ws()}{${keys.map(([k, v]) => `${ws()}"${k}"${ws()}:${ws()}${v}`).join(`${ws()},`)}${ws()}}`;
}

describe('group sizes from record bytes, against the parsed record (issue #15)', () => {
  it('4000 generated records: an answer is always the parsed image count; most plain records are answered', () => {
    let answered = 0;
    let plain = 0;
    for (let t = 0; t < 4000; t++) {
      const text = record();
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(text.replace(/"im\\u0061ge"/g, '"image"')) as Record<string, unknown>;
      } catch {
        continue; // generated an invalid record: parse would fail, any answer is moot
      }
      const expected = imageList(value.image ?? value.images).length;
      const after = pick([',\n {"image": ["z", "z"]}', ']', '\n{"images": []}\n', '']);
      const buf = Buffer.from('  ' + text + after);
      const s = 2;
      const e = s + Buffer.byteLength(text);
      for (const cut of [e, Math.min(e, s + 2048), Math.min(e, s + 1 + Math.floor(rnd() * (e - s)))]) {
        const n = imageCountFromBytes(buf, s, cut);
        if (n !== null) {
          assert.equal(n, expected, `${JSON.stringify(text)} cut at ${cut - s}`);
          // An answer for bare "image"/"images" values only: a string or an array of strings.
          const v = value.image ?? value.images;
          assert.ok(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')), JSON.stringify(text));
        }
      }
      const v = value.image ?? value.images;
      const simple = !/\\u0061/.test(text) && (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
      if (simple && !('image' in value && 'images' in value)) {
        plain++;
        if (imageCountFromBytes(buf, s, e) !== null) answered++;
      }
    }
    assert.ok(plain > 500, `${plain} plain records`);
    assert.ok(answered / plain > 0.9, `${answered} of ${plain} plain records answered without parsing`);
  });
});
