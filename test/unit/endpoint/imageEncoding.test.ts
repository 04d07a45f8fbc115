import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { CLIP_MEAN_RGB, contentHash, encodeImageBytes } from '../../../src/core/endpoint/imageEncoding';

const DEMO = path.resolve(__dirname, '../../../../demo/images');

function decode(uri: string): Buffer {
  return Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
}

describe('image encoding', () => {
  it('pads to a square with the CLIP mean colour and resizes to 448', async () => {
    // A 200×100 red picture: the padded square has mean-colour bands above and below.
    const red = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const e = await encodeImageBytes(red, { mode: 'square' });
    assert.equal(e.mime, 'image/jpeg');
    assert.deepEqual([e.width, e.height], [448, 448]);
    const { data, info } = await sharp(decode(e.dataUri)).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 6);
    assert.ok(near(px(224, 10), [CLIP_MEAN_RGB.r, CLIP_MEAN_RGB.g, CLIP_MEAN_RGB.b]), `top band is the mean colour, got ${px(224, 10)}`);
    assert.ok(near(px(224, 437), [CLIP_MEAN_RGB.r, CLIP_MEAN_RGB.g, CLIP_MEAN_RGB.b]), 'bottom band too');
    assert.ok(near(px(224, 224), [255, 0, 0]), `centre is the picture, got ${px(224, 224)}`);
    assert.equal(e.contentHash, contentHash(red), 'the hash is of the file bytes');
  });

  it('applies EXIF orientation before padding', async () => {
    // Stored 200 wide × 100 tall with orientation 6 (rotate 90°): displayed 100 wide × 200 tall,
    // so the padding goes left and right.
    const jpg = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const e = await encodeImageBytes(jpg, { mode: 'square' });
    const { data, info } = await sharp(decode(e.dataUri)).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    assert.ok(Math.abs(px(10, 224)[0] - CLIP_MEAN_RGB.r) <= 6, `left band is padding, got ${px(10, 224)}`);
    assert.ok(px(224, 10)[2] > 200, `top edge is picture (blue), got ${px(224, 10)}`);
  });

  it('"original" sends the file bytes untouched', async () => {
    const file = path.join(DEMO, 'animal-18193_03_01.jpg');
    const bytes = fs.readFileSync(file);
    const e = await encodeImageBytes(bytes, { mode: 'original' }, file);
    assert.equal(e.mime, 'image/jpeg');
    assert.ok(decode(e.dataUri).equals(bytes));
    assert.ok(e.width > 0 && e.height > 0);
  });

  it('rejects bytes that are not an image in square mode', async () => {
    await assert.rejects(encodeImageBytes(Buffer.from('not an image'), { mode: 'square' }));
  });
});
