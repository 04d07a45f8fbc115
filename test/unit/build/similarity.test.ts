import * as assert from 'node:assert/strict';
import { cosine, formatRetention, maxPairwiseSimilarity, retentionTable } from '../../../src/core/build/similarity';

const v = (...x: number[]): Float32Array => Float32Array.from(x);

describe('build: top-similarity removal', () => {
  it('computes cosine similarity', () => {
    assert.equal(cosine(v(1, 0), v(1, 0)), 1);
    assert.equal(cosine(v(1, 0), v(0, 1)), 0);
    assert.ok(Math.abs(cosine(v(1, 1), v(2, 2)) - 1) < 1e-9);
    assert.ok(Math.abs(cosine(v(1, 0), v(-1, 0)) + 1) < 1e-9);
    assert.equal(cosine(v(0, 0), v(1, 0)), 0);
    assert.throws(() => cosine(v(1), v(1, 2)));
  });

  it('takes the highest pairwise similarity of a group', () => {
    const s = maxPairwiseSimilarity([v(1, 0, 0), v(0, 1, 0), v(0.6, 0, 0.8)]);
    assert.ok(Math.abs(s - 0.6) < 1e-6);
  });

  it('tabulates retention per group size', () => {
    const rows = retentionTable([
      { size: 2, removed: false },
      { size: 2, removed: false },
      { size: 2, removed: true },
      { size: 3, removed: true },
      { size: 4, removed: false },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.size, r.matched, r.kept, r.removed]),
      [
        [2, 3, 2, 1],
        [3, 1, 0, 1],
        [4, 1, 1, 0],
      ],
    );
    assert.ok(Math.abs(rows[0].retention - 2 / 3) < 1e-12);
    const text = formatRetention(rows, 0.9);
    assert.match(text, /pairs\s+3\s+2\s+1\s+66\.7 %/);
    assert.match(text, /all\s+5\s+3\s+2\s+60\.0 %/);
  });
});
