/**
 * One item's claims against its images' cues (core claims/itemClaims.ts, the review's claims panel):
 * real demo images measured by the worker pool, the cue cache reused on the next call, refused and
 * missing images named instead of measured.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { itemClaims } from '../../../src/core/claims/itemClaims';
import { CueStore } from '../../../src/core/cues/cueStore';

const DEMO = path.resolve(__dirname, '..', '..', '..', '..', 'demo');

describe('itemClaims (one item, for the review)', function () {
  this.timeout(60_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'item-claims-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('checks each claim of the label against the measured cues, then answers from the cache', async () => {
    // harvest_11_04 carries strong white noise (KADID type 11); railway_07_03 is desaturated.
    const item = {
      label: 'The second image is noisier than the first image. The first image is more colourful than the second image.',
      images: ['images/harvest-642254_11_04.jpg', 'images/railway-336702_07_03.jpg'],
    };
    const store = CueStore.open(path.join(tmp, 'cues'));
    const r = await itemClaims(item, DEMO, store);
    assert.equal(r.stats.measured, 2);
    const noise = r.claims.find((c) => c.attribute === 'noise');
    const colour = r.claims.find((c) => c.attribute === 'colourfulness');
    assert.equal(noise?.status, 'contradicts', 'the first image is the noisy one');
    assert.deepEqual(noise?.images, [2, 1]);
    assert.ok(noise!.values[1]! > noise!.values[0]!, 'values follow `images`: image 1 measures noisier');
    assert.equal(r.images[0].cues?.noise, noise!.values[1]);
    assert.equal(colour?.status, 'agrees');
    assert.ok(r.suspicion > 0 && r.suspicion < 1);
    const again = await itemClaims(item, DEMO, CueStore.open(path.join(tmp, 'cues')));
    assert.deepEqual([again.stats.measured, again.stats.cached, again.stats.bytesRead], [0, 2, 0]);
    assert.deepEqual(
      again.claims.map((c) => c.status),
      r.claims.map((c) => c.status),
    );
  });

  it('names refused and missing images instead of measuring them; their claims stay unchecked', async () => {
    const r = await itemClaims(
      { label: 'The first image is sharper than the second image.', images: ['../outside.jpg', 'images/no-such.jpg'] },
      DEMO,
      CueStore.open(path.join(tmp, 'cues2')),
    );
    assert.match(r.images[0].error ?? '', /outside|leaves|\.\./);
    assert.match(r.images[1].error ?? '', /no-such\.jpg/);
    assert.deepEqual(
      r.claims.map((c) => c.status),
      ['unchecked'],
    );
    assert.equal(r.suspicion, 0);
  });
});
