import { strict as assert } from 'node:assert';
import sharp from 'sharp';
import { measureImageBytes, type ImageCues } from '../../../src/core/cues/measureImage';
import { asJpeg, scene, withBlur, withBrightness, withContrast, withNoise, withSaturation } from './synthImages';

/** Measures each image of a series and returns one cue per level. */
async function series(images: Promise<Buffer>[], cue: keyof ImageCues): Promise<number[]> {
  const out: number[] = [];
  for (const img of images) out.push((await measureImageBytes(await img))[cue]);
  return out;
}

function strictlyIncreasing(xs: number[], what: string): void {
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], `${what}: ${xs.map((x) => x.toFixed(3)).join(' → ')} should increase at step ${i}`);
}

describe('image cues: direction on distortion series made in the test', function () {
  this.timeout(60000);
  let base: Buffer;
  before(async () => {
    base = await scene(3);
  });

  it('sharpness falls as Gaussian blur grows (larger = sharper)', async () => {
    const s = await series(
      [0, 0.6, 1.2, 2, 3.5].map((g) => withBlur(base, g)),
      'sharpness',
    );
    strictlyIncreasing([...s].reverse(), 'sharpness vs blur');
  });

  it('noise rises with added Gaussian noise, in luma units (larger = noisier)', async () => {
    const s = await series(
      [0, 3, 6, 12, 24].map((g) => withNoise(base, g)),
      'noise',
    );
    strictlyIncreasing(s, 'noise vs σ');
    // Immerkær's estimate is in luma units: σ = 24 per channel gives luma noise ≈ 24 · √(0.299² + 0.587² + 0.114²) ≈ 16
    assert.ok(s[4] > 10 && s[4] < 24, `noise at σ 24: ${s[4]}`);
  });

  it('sharpness is compensated for noise: added noise does not make an image "sharper" than its blur would', async () => {
    const blurred = await measureImageBytes(await withBlur(base, 2));
    const noisyBlurred = await measureImageBytes(await withNoise(await withBlur(base, 2), 12));
    const sharpImg = await measureImageBytes(base);
    assert.ok(noisyBlurred.sharpness < sharpImg.sharpness / 2, `noisy blurred ${noisyBlurred.sharpness} vs sharp ${sharpImg.sharpness}`);
    assert.ok(noisyBlurred.noise > blurred.noise * 2);
  });

  it('exposure rises with brightness (larger = brighter) and highlights clip when pushed', async () => {
    const imgs = [0.4, 0.7, 1, 1.3, 1.8].map((f) => withBrightness(base, f));
    strictlyIncreasing(await series(imgs, 'exposure'), 'exposure vs brightness');
    const clipped = await series(imgs, 'clippedHighlights');
    assert.equal(clipped[0], 0);
    assert.ok(clipped[4] > 0.05, `highlights clipped at ×1.8: ${clipped[4]}`);
    const dark = await measureImageBytes(await sharp(base).linear(0.01, 0).png().toBuffer());
    assert.ok(dark.clippedShadows > 0.9, `shadows clipped at ×0.01: ${dark.clippedShadows}`);
  });

  it('contrast rises with a linear contrast stretch; colourfulness with saturation', async () => {
    strictlyIncreasing(
      await series(
        [0.3, 0.6, 1, 1.3].map((f) => withContrast(base, f)),
        'contrast',
      ),
      'contrast',
    );
    strictlyIncreasing(
      await series(
        [0, 0.4, 1, 1.6, 2.4].map((f) => withSaturation(base, f)),
        'colourfulness',
      ),
      'colourfulness',
    );
    const grey = await measureImageBytes(await withSaturation(base, 0));
    assert.ok(grey.colourfulness < 1, `a grey image has colourfulness ${grey.colourfulness}`);
  });

  it('blockiness rises as JPEG quality falls; a lossless image is ≈ 1', async () => {
    strictlyIncreasing(
      await series(
        [90, 50, 25, 10, 3].map((q) => asJpeg(base, q)),
        'blockiness',
      ),
      'blockiness vs 1/quality',
    );
    const lossless = await measureImageBytes(base);
    assert.ok(Math.abs(lossless.blockiness - 1) < 0.15, `lossless blockiness ${lossless.blockiness}`);
  });

  it('megapixels are the stored size; cues are measured at one working resolution (512 px), so a 2× larger copy measures alike', async () => {
    const big = await scene(5, 1024, 682);
    const atWorking = await sharp(big).resize(512, 512, { fit: 'inside', kernel: 'lanczos3' }).png().toBuffer();
    const a = await measureImageBytes(big);
    const b = await measureImageBytes(atWorking);
    assert.equal(a.megapixels, (1024 * 682) / 1e6);
    assert.equal(b.megapixels, (512 * 341) / 1e6);
    for (const k of ['sharpness', 'noise', 'exposure', 'contrast', 'colourfulness'] as const) {
      assert.ok(Math.abs(a[k] - b[k]) <= 0.02 * Math.abs(b[k]) + 1e-6, `${k}: ${a[k]} (1024 px) vs ${b[k]} (512 px)`);
    }
    const blurredBig = await measureImageBytes(await sharp(big).blur(1.5).png().toBuffer());
    assert.ok(blurredBig.sharpness < a.sharpness, 'blur at the stored size still lowers sharpness at the working size');
  });

  it('EXIF orientation is applied: a rotated-by-tag JPEG measures like the upright pixels', async () => {
    const upright = await sharp(base).jpeg({ quality: 95 }).toBuffer();
    // store the pixels turned 90° counter-clockwise with orientation 6 (display: rotate 90° clockwise)
    const stored = await sharp(await sharp(base).rotate(-90).png().toBuffer())
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const a = await measureImageBytes(upright);
    const b = await measureImageBytes(stored);
    assert.ok(Math.abs(a.exposure - b.exposure) < 0.01);
    assert.ok(Math.abs(Math.log(a.sharpness / b.sharpness)) < 0.2, `${a.sharpness} vs ${b.sharpness}`);
  });
});
