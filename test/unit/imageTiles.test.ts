/**
 * Full-resolution tiles (src/core/imageTiles.ts) on real photos from ../shared/data/examples, with
 * EXIF-rotated copies made here through sharp's orientation metadata: every tile holds exactly the
 * upright original's pixels (every EXIF orientation, from a region decode or the whole one), edge tiles are
 * cut short, warm cuts the next group's first tiles and decodes a shown image once zoomed into, positions outside the grid are refused, a
 * truncated file is named as such, and a renamed copy hits the tiles already cut.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { ImageFaultError, PreviewCache } from '../../src/core/imagePreview';
import { TileCache } from '../../src/core/imageTiles';

const EXAMPLES = path.resolve(__dirname, '../../../../shared/data/examples');
const FLYER = path.join(EXAMPLES, 'singapore_flyer.jpg'); // 1620×1080

async function raw(input: sharp.Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await input.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('image tiles (sharp, on real photos)', function () {
  this.timeout(60_000);
  let tmp: string;
  let rot6: string;
  let tiles: TileCache;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-tiles-'));
    rot6 = path.join(tmp, 'flyer-orientation-6.jpg');
    await sharp(FLYER).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(rot6);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    const dir = fs.mkdtempSync(path.join(tmp, 'cache-'));
    tiles = new TileCache(new PreviewCache(dir), { tileSize: 256 });
  });

  it('cuts tiles with exactly the upright original pixels, edge tiles short', async () => {
    // Stored 1620×1080, orientation 6: upright it is 1080 wide and 1620 tall (5 × 7 tiles of 256).
    const upright = await raw(sharp(rot6).rotate());
    assert.deepEqual([upright.width, upright.height], [1080, 1620]);
    const got = await tiles.tiles(rot6, [
      [0, 0],
      [2, 3],
      [4, 6],
    ]);
    assert.deepEqual(
      got.map((t) => [t.col, t.row, t.left, t.top, t.width, t.height]),
      [
        [0, 0, 0, 0, 256, 256],
        [2, 3, 512, 768, 256, 256],
        [4, 6, 1024, 1536, 56, 84],
      ],
    );
    for (const t of got) {
      const tile = await raw(sharp(t.file));
      assert.deepEqual([tile.width, tile.height], [t.width, t.height], `tile ${t.col},${t.row} size`);
      const want = await raw(sharp(upright.data, { raw: { width: upright.width, height: upright.height, channels: 3 } }).extract(t));
      assert.ok(tile.data.equals(want.data), `tile ${t.col},${t.row} holds the upright original's pixels, losslessly`);
    }
  });

  it('cuts every EXIF orientation (1–8) upright from a decode of the region alone, and from the whole decode alike', async () => {
    for (let o = 1; o <= 8; o++) {
      const file = path.join(tmp, `flyer-orientation-${o}.jpg`);
      await sharp(FLYER).jpeg({ quality: 95 }).withMetadata({ orientation: o }).toFile(file);
      const upright = await raw(sharp(file).rotate());
      assert.deepEqual([upright.width, upright.height], o >= 5 ? [1080, 1620] : [1620, 1080], `orientation ${o}: upright size`);
      const cols = Math.ceil(upright.width / 256);
      const rows = Math.ceil(upright.height / 256);
      const wanted: [number, number][] = [
        [0, 0],
        [1, 2],
        [cols - 1, rows - 1],
        [cols - 1, 0],
      ];
      for (const via of ['region', 'whole'] as const) {
        const cache = new TileCache(new PreviewCache(fs.mkdtempSync(path.join(tmp, `o${o}-${via}-`))), { tileSize: 256 });
        if (via === 'whole') {
          // On screen and zoomed into (a tile cut): decoded whole in the background.
          cache.warm([file]);
          await cache.tiles(file, [[1, 1]]);
          for (let i = 0; i < 400 && !(await cache.isDecoded(file)); i++) await new Promise((r) => setTimeout(r, 10));
          assert.equal(await cache.isDecoded(file), true, `orientation ${o}: decoded whole`);
        } else assert.equal(await cache.isDecoded(file), false);
        const got = await cache.tiles(file, wanted);
        assert.equal(await cache.isDecoded(file), via === 'whole', `orientation ${o}: the ${via} path was taken`);
        for (const t of got) {
          const tile = await raw(sharp(t.file));
          const want = await raw(sharp(upright.data, { raw: { width: upright.width, height: upright.height, channels: 3 } }).extract(t));
          assert.deepEqual([tile.width, tile.height], [t.width, t.height], `orientation ${o} (${via}): tile ${t.col},${t.row} size`);
          assert.ok(tile.data.equals(want.data), `orientation ${o} (${via}): tile ${t.col},${t.row} holds the upright original's pixels`);
        }
      }
    }
  });

  it('warm cuts the next group tiles (region decodes, nothing kept in memory); an image on screen is decoded whole only once zoomed into', async () => {
    const next = path.join(tmp, 'next.jpg');
    fs.copyFileSync(rot6, next);
    tiles.warm([FLYER], [{ file: next, tiles: [[1, 2]] }]);
    for (let i = 0; i < 400 && tiles.warmingAhead; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(tiles.warmingAhead, false, 'warm finished');
    assert.equal(await tiles.isDecoded(next), false, 'the next image is not held in memory');
    assert.equal(await tiles.isDecoded(FLYER), false, 'an image on screen nobody zoomed into is not decoded');
    const file = fs.readdirSync(tiles.dir).filter((f) => /-t256-1-2\.png$/.test(f));
    assert.equal(file.length, 1, `the next image's tile is on disk (${fs.readdirSync(tiles.dir).join(' ')})`);
    const [t] = await tiles.tiles(next, [[1, 2]]);
    assert.equal(path.basename(t.file), file[0]);
    assert.equal(await tiles.isDecoded(next), false, 'a tile cut ahead needs no decode (and the next image is not on screen)');
    await tiles.tiles(FLYER, [[2, 2]]);
    for (let i = 0; i < 400 && !(await tiles.isDecoded(FLYER)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await tiles.isDecoded(FLYER), true, 'zoomed into: decoded whole for pans');
  });

  it('refuses positions outside the grid, naming the grid', async () => {
    await assert.rejects(tiles.tiles(FLYER, [[7, 0]]), /tile \(7, 0\) is outside the 7×5 tiles of .*singapore_flyer\.jpg/);
    await assert.rejects(tiles.tiles(FLYER, [[-1, 0]]), /tile \(-1, 0\) is not a tile position/);
  });

  it('names a truncated file the way previews do (where a tile reaches the missing data)', async () => {
    const bytes = fs.readFileSync(FLYER);
    const truncated = path.join(tmp, 'flyer-truncated.jpg');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Its bottom rows are missing: a tile there (cut from a region decode) is refused as truncated…
    await assert.rejects(tiles.tiles(truncated, [[6, 4]]), (e: unknown) => e instanceof ImageFaultError && e.fault === 'truncated' && e.file === truncated);
    // …and so is every tile, even one whose rows are there, once a whole decode (after a zoom on screen) read it to the end.
    tiles.warm([truncated]);
    await tiles.tiles(truncated, [[1, 0]]);
    for (let i = 0; i < 400 && tiles.warmingAhead; i++) await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(tiles.tiles(truncated, [[0, 0]]), (e: unknown) => e instanceof ImageFaultError && e.fault === 'truncated');
  });

  it('a renamed copy reuses the tiles already on disk', async () => {
    assert.equal(await tiles.isDecoded(FLYER), false);
    const [first] = await tiles.tiles(FLYER, [[1, 1]]);
    const copy = path.join(tmp, 'renamed.jpg');
    fs.copyFileSync(FLYER, copy);
    tiles.clear();
    const mtime = fs.statSync(first.file).mtimeMs;
    const [again] = await tiles.tiles(copy, [[1, 1]]);
    assert.equal(again.file, first.file, 'same content, same tile file');
    assert.equal(fs.statSync(again.file).mtimeMs, mtime, 'not cut again');
    assert.equal(await tiles.isDecoded(copy), false, 'a tile on disk needs no decode');
  });
});
