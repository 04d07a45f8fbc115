import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClaims } from '../../../src/core/claims/parseClaims';

/** "attribute:relation:images" of every claim, in order. */
const claims = (text: string, n = 2) => parseClaims(text, n).map((c) => `${c.attribute}:${c.relation}:${c.images.join(',')}`);

describe('claim parser: each claim form', () => {
  it('comparatives of every attribute, in the cue direction', () => {
    assert.deepEqual(claims('The second image is sharper than the first image.'), ['sharpness:greater:2,1']);
    assert.deepEqual(claims('The second image is blurrier than the first image.'), ['sharpness:less:2,1']);
    assert.deepEqual(claims('The first image is clearer than the second.'), ['sharpness:greater:1,2']);
    assert.deepEqual(claims('The first image is noisier than the second image.'), ['noise:greater:1,2']);
    assert.deepEqual(claims('The second image is brighter than the first.'), ['exposure:greater:2,1']);
    assert.deepEqual(claims('The second image is darker than the first.'), ['exposure:less:2,1']);
    assert.deepEqual(claims('The first image is more colourful than the second.'), ['colourfulness:greater:1,2']);
    assert.deepEqual(claims('The first image is more saturated than the second.'), ['colourfulness:greater:1,2']);
    assert.deepEqual(claims('The first image is more vivid than the second.'), ['colourfulness:greater:1,2']);
    assert.deepEqual(claims('The first image is duller than the second.'), ['colourfulness:less:1,2']);
    assert.deepEqual(claims('The first image has better quality than the second image.'), ['quality:greater:1,2']);
    assert.deepEqual(claims('The first image has worse quality than the second image.'), ['quality:less:1,2']);
    assert.deepEqual(claims('The second image has lower contrast than the first image.'), ['contrast:less:2,1']);
    assert.deepEqual(claims('The first image has more compression artifacts than the second image.'), ['blockiness:greater:1,2']);
  });

  it('"better" takes the aspect it is about, in that aspect\'s direction; aspects no cue measures are no claim', () => {
    assert.deepEqual(claims('The second image has better clarity than the first.'), ['sharpness:greater:2,1']);
    assert.deepEqual(claims('The first image is better than the second image in terms of noise.'), ['noise:less:1,2']);
    assert.deepEqual(claims('In terms of clarity, Image 1 is better than Image 2.'), ['sharpness:greater:1,2']);
    assert.deepEqual(claims('The first image has better lighting than the second.'), []);
  });

  it('superlatives', () => {
    assert.deepEqual(claims('The second image is the sharpest.', 3), ['sharpness:most:2']);
    assert.deepEqual(claims('The third image has the best quality.', 3), ['quality:most:3']);
    assert.deepEqual(claims('The third image has the most noise.', 3), ['noise:most:3']);
    assert.deepEqual(claims('The first image is the darkest, and the second image is the blurriest.', 3), ['exposure:least:1', 'sharpness:least:2']);
    assert.deepEqual(claims('The third image has the best quality and the second image the worst.', 3), ['quality:most:3', 'quality:least:2']);
  });

  it('absolute terms, softened ones marked hedged', () => {
    assert.deepEqual(claims('The image is overexposed.', 1), ['exposure:high:1']);
    assert.deepEqual(claims('The image is underexposed.', 1), ['exposure:low:1']);
    assert.deepEqual(claims('The image is noisy.', 1), ['noise:high:1']);
    assert.deepEqual(claims('The second image is out of focus.'), ['sharpness:low:2']);
    assert.deepEqual(claims('The first image has no obvious noise, while the second image is grainy.'), ['noise:low:1', 'noise:high:2']);
    const slight = parseClaims('The image shows slight motion blur.', 1);
    assert.equal(slight[0].hedged, true);
    assert.equal(parseClaims('The image is blurry.', 1)[0].hedged, undefined);
  });

  it('rankings: chains, "followed by", listed orders; their best / worst not counted twice', () => {
    assert.deepEqual(claims('Rank: second > first > third.', 3), ['quality:ranking:2,1,3']);
    assert.deepEqual(claims('The second image is the best, followed by the first.', 3), ['quality:ranking:2,1,3']);
    assert.deepEqual(claims('The second image is the best, followed by the first, and the third is the worst.', 3), ['quality:ranking:2,1,3']);
    assert.deepEqual(claims('Ranking from best to worst: the third image, the first image, the second image.', 3), ['quality:ranking:3,1,2']);
    assert.deepEqual(claims('From worst to best: Image B, Image A, Image C.', 3), ['quality:ranking:3,1,2']);
    assert.deepEqual(claims('The third image is the clearest, followed by the second image and then the first image.', 3), ['sharpness:ranking:3,2,1']);
    assert.deepEqual(claims('Ranking by overall quality: Image 2 > Image 3 > Image 1.', 3), ['quality:ranking:2,3,1']);
  });

  it('negation', () => {
    assert.deepEqual(claims('The first image is not as sharp as the second image.'), ['sharpness:less:1,2']);
    assert.deepEqual(claims('Image 1 does not look as noisy as Image 2.'), ['noise:less:1,2']);
    assert.deepEqual(claims('The first image is not blurry.'), ['sharpness:high:1']);
    assert.deepEqual(claims('The first image is as sharp as the second image.'), [], 'an equality is no order claim');
  });

  it('image references by ordinal, letter and number; pronouns and "which" follow their image', () => {
    assert.deepEqual(claims('The first image is sharper than the second image.'), ['sharpness:greater:1,2']);
    assert.deepEqual(claims('Image A is noisier, while Image B is clearer.'), ['noise:greater:1,2', 'sharpness:greater:2,1']);
    assert.deepEqual(claims('Compared with image 1, image 2 is brighter.'), ['exposure:greater:2,1']);
    assert.deepEqual(claims('The image on the right is more vivid.'), ['colourfulness:greater:2,1']);
    assert.deepEqual(claims('The first image is out of focus. It also suffers from noticeable noise.'), ['sharpness:low:1', 'noise:high:1']);
    assert.deepEqual(claims('The first image is sharper than the second, which is noisy.'), ['sharpness:greater:1,2', 'noise:high:2']);
    assert.deepEqual(claims('The first image is sharper than the second and third images.', 3), ['sharpness:greater:1,2', 'sharpness:greater:1,3']);
    assert.deepEqual(claims('Both images are blurry.'), ['sharpness:low:1', 'sharpness:low:2']);
    assert.deepEqual(claims('The fourth image is noisy.', 3), [], 'an image the item does not have');
  });

  it('the labelled sentence fixture: precision and recall stay at or above 0.95 on the dev set', () => {
    const file = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'claims', 'label-sentences.jsonl');
    const rows = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { set: string; images: number; text: string; claims: { attribute: string; relation: string; images: number[] }[] });
    assert.ok(rows.length >= 200);
    let tp = 0,
      fp = 0,
      fn = 0;
    const key = (c: { attribute: string; relation: string; images: number[] }) => `${c.attribute}:${c.relation}:${c.images.join(',')}`;
    for (const r of rows.filter((x) => x.set === 'dev')) {
      const got = new Set(parseClaims(r.text, r.images).map(key));
      const want = new Set(r.claims.map(key));
      for (const k of got)
        if (want.has(k)) tp++;
        else fp++;
      for (const k of want) if (!got.has(k)) fn++;
    }
    assert.ok(tp / (tp + fp) >= 0.95, `precision ${tp / (tp + fp)}`);
    assert.ok(tp / (tp + fn) >= 0.95, `recall ${tp / (tp + fn)}`);
  });
});
