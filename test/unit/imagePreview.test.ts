/**
 * Previews, full-size pictures and fault detection (src/core/imagePreview.ts) on real photos from
 * ../shared/data/examples, with EXIF-rotated copies made here through sharp's orientation metadata.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { ImageFaultError, PreviewCache, readImageInfo } from '../../src/core/imagePreview';

const EXAMPLES = path.resolve(__dirname, '../../../../shared/data/examples');
const FLYER = path.join(EXAMPLES, 'singapore_flyer.jpg'); // 1620×1080
const PHOTO = path.join(EXAMPLES, '2415943373.jpg'); // 1024×768

/** Mean absolute difference per channel of two pictures of the same size. */
async function meanDiff(a: Buffer | string, b: Buffer | string): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((s) => sharp(s).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  assert.deepEqual([x.info.width, x.info.height], [y.info.width, y.info.height], 'same size');
  let d = 0;
  for (let i = 0; i < x.data.length; i++) d += Math.abs(x.data[i] - y.data[i]);
  return d / x.data.length;
}

describe('image previews (sharp, on real photos)', function () {
  this.timeout(60_000);
  let tmp: string;
  let cacheDir: string;
  /** A copy of FLYER stored as is but tagged with an EXIF orientation. */
  const rotated: Record<number, string> = {};

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-preview-'));
    for (const o of [3, 6, 8]) {
      rotated[o] = path.join(tmp, `flyer-orientation-${o}.jpg`);
      await sharp(FLYER).jpeg({ quality: 95 }).withMetadata({ orientation: o }).toFile(rotated[o]);
    }
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(tmp, 'cache-'));
  });

  it('reads dimensions after EXIF rotation', async () => {
    assert.deepEqual(await readImageInfo(FLYER).then((i) => [i.width, i.height, i.orientation, i.format]), [1620, 1080, 1, 'jpeg']);
    assert.deepEqual(await readImageInfo(rotated[6]).then((i) => [i.width, i.height, i.orientation]), [1080, 1620, 6]);
    assert.deepEqual(await readImageInfo(rotated[8]).then((i) => [i.width, i.height, i.orientation]), [1080, 1620, 8]);
    assert.deepEqual(await readImageInfo(rotated[3]).then((i) => [i.width, i.height, i.orientation]), [1620, 1080, 3]);
  });

  it('makes an upright preview no larger than the size asked, keeping the aspect ratio', async () => {
    const cache = new PreviewCache(cacheDir);
    const p = await cache.preview(rotated[6], 400);
    assert.deepEqual([p.width, p.height], [267, 400]);
    assert.deepEqual([p.original.width, p.original.height], [1080, 1620]);
    const meta = await sharp(p.file).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [267, 400, 'jpeg']);
    assert.ok(!meta.orientation || meta.orientation === 1, 'the preview carries no rotation of its own');
    // The same pixels as the photo turned 90° clockwise by hand.
    const byHand = await sharp(FLYER).rotate(90).resize({ width: 400, height: 400, fit: 'inside' }).jpeg({ quality: 85 }).toBuffer();
    const d = await meanDiff(p.file, byHand);
    assert.ok(d < 4, `preview matches the hand-rotated photo (mean diff ${d.toFixed(2)})`);
    // And clearly not the unrotated photo squeezed into the same box.
    const wrong = await sharp(FLYER).resize({ width: 267, height: 400, fit: 'fill' }).jpeg().toBuffer();
    assert.ok((await meanDiff(p.file, wrong)) > 15, 'differs from the unrotated photo');
  });

  it('turns orientation 3 and 8 upright too', async () => {
    const cache = new PreviewCache(cacheDir);
    for (const [o, deg] of [
      [3, 180],
      [8, 270],
    ] as const) {
      const p = await cache.preview(rotated[o], 300);
      const byHand = await sharp(FLYER).rotate(deg).resize({ width: 300, height: 300, fit: 'inside' }).toBuffer();
      const d = await meanDiff(p.file, byHand);
      assert.ok(d < 4, `orientation ${o}: mean diff ${d.toFixed(2)}`);
    }
  });

  it('never enlarges a small photo', async () => {
    const p = await new PreviewCache(cacheDir).preview(PHOTO, 2048);
    assert.deepEqual([p.width, p.height], [1024, 768]);
  });

  it('caches on disk by content hash and size: a second call, a copy under another name and a new cache object hit it; changed bytes miss', async () => {
    const cache = new PreviewCache(cacheDir);
    const first = await cache.preview(PHOTO, 256);
    assert.equal(first.cached, false);
    const mtime = fs.statSync(first.file).mtimeMs;
    const again = await cache.preview(PHOTO, 256);
    assert.equal(again.cached, true);
    assert.equal(again.file, first.file);
    assert.equal(fs.statSync(first.file).mtimeMs, mtime, 'not rewritten');

    const copy = path.join(tmp, 'renamed-copy.jpg');
    fs.copyFileSync(PHOTO, copy);
    const viaCopy = await new PreviewCache(cacheDir).preview(copy, 256);
    assert.equal(viaCopy.cached, true, 'same bytes under another name, new cache object');
    assert.equal(viaCopy.file, first.file);
    assert.deepEqual([viaCopy.original.width, viaCopy.original.height], [1024, 768]);

    const other = await cache.preview(PHOTO, 128);
    assert.equal(other.cached, false, 'another size is another file');
    assert.notEqual(other.file, first.file);

    // Overwrite the copy with other bytes: the cache must not serve the old preview.
    fs.copyFileSync(FLYER, copy);
    const changed = await cache.preview(copy, 256);
    assert.equal(changed.cached, false);
    assert.notEqual(changed.contentHash, first.contentHash);
    assert.deepEqual([changed.original.width, changed.original.height], [1620, 1080]);
  });

  it('shares one sharp run between concurrent requests for the same preview', async () => {
    const cache = new PreviewCache(cacheDir);
    const [a, b] = await Promise.all([cache.preview(FLYER, 500), cache.preview(FLYER, 500)]);
    assert.equal(a.file, b.file);
    assert.equal(a.cached, false);
    assert.equal(b.cached, false, 'the second waited for the first run instead of starting its own');
    assert.deepEqual(
      fs.readdirSync(cacheDir).filter((f) => f.startsWith('.tmp-')),
      [],
      'no temporary files left',
    );
  });

  it('names a truncated photo as truncated, with the file, instead of handing out a half-grey preview', async () => {
    const bytes = fs.readFileSync(FLYER);
    const cut = path.join(tmp, 'flyer-truncated.jpg');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    // The header alone still reads fine: the fault shows only when the data is decoded.
    assert.equal((await readImageInfo(cut)).width, 1620);
    await assert.rejects(new PreviewCache(cacheDir).preview(cut, 400), (e: unknown) => {
      assert.ok(e instanceof ImageFaultError);
      assert.equal(e.fault, 'truncated');
      assert.ok(e.message.startsWith(`${cut}: the image is truncated`), e.message);
      return true;
    });
    assert.deepEqual(
      fs.readdirSync(cacheDir).filter((f) => f.endsWith('.jpg') || f.startsWith('.tmp-')),
      [],
      'nothing left in the cache',
    );
  });

  it('tells corrupt, empty, missing and non-image files apart', async () => {
    const cache = new PreviewCache(cacheDir);
    const bytes = fs.readFileSync(PHOTO);
    const garbage = path.join(tmp, 'garbage.jpg');
    fs.writeFileSync(garbage, Buffer.concat([bytes.subarray(0, 20), Buffer.alloc(4000, 0x5a)]));
    const empty = path.join(tmp, 'empty.jpg');
    fs.writeFileSync(empty, '');
    const text = path.join(tmp, 'notes.png');
    fs.writeFileSync(text, 'these are notes, not a picture\n'.repeat(20));
    const cases: [string, string][] = [
      [garbage, 'corrupt'],
      [empty, 'empty'],
      [path.join(tmp, 'nope.jpg'), 'missing'],
      [text, 'not-an-image'],
    ];
    for (const [file, fault] of cases) {
      await assert.rejects(cache.preview(file, 200), (e: unknown) => {
        assert.ok(e instanceof ImageFaultError, `${file}: ${String(e)}`);
        assert.equal(e.fault, fault, `${path.basename(file)}: ${e.message}`);
        assert.ok(e.message.includes(file), 'the message names the file');
        return true;
      });
    }
  });

  it('hands out the original for 1:1 when a browser shows it upright, else an upright lossless copy', async () => {
    const cache = new PreviewCache(cacheDir);
    const jpeg = await cache.fullSize(rotated[6]);
    assert.deepEqual([jpeg.file, jpeg.width, jpeg.height, jpeg.converted], [rotated[6], 1080, 1620, false], 'a JPEG: the browser applies its orientation');

    const rotatedPng = path.join(tmp, 'flyer-orientation-6.png');
    await sharp(FLYER).png().withMetadata({ orientation: 6 }).toFile(rotatedPng);
    const png = await cache.fullSize(rotatedPng);
    assert.equal(png.converted, true);
    const m = await sharp(png.file).metadata();
    assert.deepEqual([m.width, m.height, m.format], [1080, 1620, 'png']);
    const d = await meanDiff(png.file, await sharp(FLYER).rotate(90).png().toBuffer());
    assert.ok(d < 3, `upright copy holds the original pixels (mean diff ${d.toFixed(2)})`);

    const tiff = path.join(tmp, 'photo.tif');
    await sharp(PHOTO).tiff().toFile(tiff);
    const t = await cache.fullSize(tiff);
    assert.equal(t.converted, true, 'a TIFF is converted (Chromium cannot draw it)');
    assert.deepEqual([t.width, t.height], [1024, 768]);
    assert.equal((await sharp(t.file).metadata()).format, 'png');
  });

  it('prunes the oldest cache files down to the byte budget', async () => {
    const cache = new PreviewCache(cacheDir);
    const old = await cache.preview(FLYER, 600);
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(old.file, past, past);
    const recent = await cache.preview(PHOTO, 600);
    const keep = fs.statSync(recent.file).size + fs.statSync(path.join(cacheDir, `${recent.contentHash}.json`)).size + 100;
    const r = await cache.prune(keep);
    assert.ok(r.removed >= 1);
    assert.equal(fs.existsSync(old.file), false, 'the oldest preview went first');
    assert.equal(fs.existsSync(recent.file), true, 'the newest stays');
    assert.ok(r.bytes <= keep);
  });
});
