/**
 * The compare view (webview/compare/compareView.ts) in headless Chromium on real photos from
 * ../shared/data/examples, with previews, EXIF-rotated copies and broken files made by core's
 * PreviewCache and sharp: ordinal captions, placeholders before paint, 1:1 read from the view hooks,
 * synchronised pan (relative and by pixels) across images of different sizes, wheel zoom about the
 * cursor, A/B flicker and swipe, and fault placeholders.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { faultTitle, ImageFaultError, PreviewCache, readImageInfo } from '../../src/core/imagePreview';
import { TileCache } from '../../src/core/imageTiles';
import type { CompareImage } from '../../webview/compare/types';
import { launchChromium } from '../support/browser';
import { frames, openCompare, startComparePage, viewHooks, type ComparePageServer } from './comparePage';

const EXAMPLES = path.resolve(__dirname, '../../../../shared/data/examples');
const FLYER = path.join(EXAMPLES, 'singapore_flyer.jpg'); // 1620×1080
const PHOTO = path.join(EXAMPLES, '2415943373.jpg'); // 1024×768
const ORDINALS = ['first', 'second', 'third', 'fourth'];

describe('compare view (headless Chromium, real photos)', function () {
  this.timeout(90_000);
  let browser: Browser;
  let server: ComparePageServer;
  let page: Page | undefined;
  let tmp: string;
  let cache: PreviewCache;
  const files: Record<string, string> = {};

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-compare-'));
    cache = new PreviewCache(path.join(tmp, 'cache'));
    files.flyer = FLYER;
    files.blur = path.join(tmp, 'flyer-blur.jpg');
    await sharp(FLYER).blur(3).jpeg({ quality: 92 }).toFile(files.blur);
    files.half = path.join(tmp, 'flyer-half.jpg');
    await sharp(FLYER).resize(810, 540).jpeg({ quality: 92 }).toFile(files.half);
    files.rot6 = path.join(tmp, 'photo-orientation-6.jpg');
    await sharp(PHOTO).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toFile(files.rot6);
    const bytes = fs.readFileSync(FLYER);
    files.truncated = path.join(tmp, 'flyer-truncated.jpg');
    fs.writeFileSync(files.truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    files.garbage = path.join(tmp, 'garbage.jpg');
    fs.writeFileSync(files.garbage, Buffer.concat([bytes.subarray(0, 16), Buffer.alloc(3000, 0x33)]));
    server = await startComparePage({ tiles: new TileCache(new PreviewCache(path.join(tmp, 'tiles')), { tileSize: 256 }) });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  /** The group as the host would describe it: upright sizes and previews from core, or the fault core found. */
  async function group(names: string[], opts: { preview?: boolean; sizes?: boolean } = {}): Promise<CompareImage[]> {
    return Promise.all(
      names.map(async (name, i) => {
        const abs = files[name];
        const base = { ordinal: i + 1, caption: names.length === 1 ? 'The image' : `The ${ORDINALS[i]} image`, path: `images/${path.basename(abs)}` };
        try {
          const info = await readImageInfo(abs);
          const full = { src: server.file(`${name}-full.jpg`, abs) };
          if (opts.preview === false) return { ...base, full, ...(opts.sizes === false ? {} : { width: info.width, height: info.height }) };
          const p = await cache.preview(abs, 640);
          return {
            ...base,
            full,
            width: info.width,
            height: info.height,
            preview: { src: server.file(`${name}-preview.jpg`, p.file), width: p.width, height: p.height },
          };
        } catch (e) {
          if (!(e instanceof ImageFaultError)) throw e;
          return { ...base, fault: { title: faultTitle(e.fault), reason: e.message } };
        }
      }),
    );
  }

  function js<T = unknown>(p: Page, expr: string): Promise<T> {
    return p.evaluate(expr) as Promise<T>;
  }

  async function show(p: Page, images: CompareImage[]): Promise<void> {
    await p.evaluate(`window.__compare.show(${JSON.stringify(images)}); window.__compare.el.focus();`);
  }

  async function painted(p: Page, n: number, source?: 'preview' | 'full'): Promise<void> {
    type Paint = { source: string };
    await p.waitForFunction(
      ([count, src]) => (globalThis as unknown as { __paints: Paint[] }).__paints.filter((x) => !src || x.source === src).length >= count,
      [n, source] as const,
      { timeout: 20_000 },
    );
    await frames(p);
  }

  async function dragOn(p: Page, viewport: number, dx: number, dy: number): Promise<void> {
    const box = (await p.locator('.cmp-viewport').nth(viewport).boundingBox())!;
    const x = box.x + box.width / 2,
      y = box.y + box.height / 2;
    await p.mouse.move(x, y);
    await p.mouse.down();
    await p.mouse.move(x + dx / 2, y + dy / 2, { steps: 3 });
    await p.mouse.move(x + dx, y + dy, { steps: 3 });
    await p.mouse.up();
    await frames(p);
  }

  it('shows every image side by side with ordinal captions, a placeholder of the right aspect ratio until painted, then the picture', async () => {
    page = await openCompare(browser, server.url);
    const images = await group(['flyer', 'rot6', 'half']);
    server.hold('rot6-preview.jpg');
    await show(page, images);
    await painted(page, 2);
    assert.deepEqual(await page.locator('.cmp-caption .ordinal').allTextContents(), ['The first image', 'The second image', 'The third image']);
    assert.deepEqual(
      await page.locator('.cmp-caption .path').allTextContents(),
      images.map((i) => i.path),
    );
    assert.deepEqual(
      await page.locator('img.cmp-img').evaluateAll((els) => els.map((e) => e.getAttribute('data-ordinal'))),
      ['1', '3'],
      'the held image is not in yet',
    );
    // The second (EXIF-rotated, 768×1024 upright) waits as a visible placeholder with its aspect ratio.
    const ph = page.locator('.cmp-viewport').nth(1).locator('.cmp-placeholder');
    assert.equal(
      await js<string>(page, 'getComputedStyle(document.querySelectorAll(".cmp-viewport")[1].querySelector(".cmp-placeholder")).visibility'),
      'visible',
    );
    const r = (await ph.boundingBox())!;
    assert.ok(Math.abs(r.width / r.height - 768 / 1024) < 0.01, `placeholder aspect ${r.width}×${r.height}`);
    server.release('rot6-preview.jpg');
    await painted(page, 3);
    assert.deepEqual(await page.locator('img.cmp-img').evaluateAll((els) => els.map((e) => e.getAttribute('data-ordinal'))), ['1', '2', '3']);
    assert.equal(
      await js<string>(page, 'getComputedStyle(document.querySelectorAll(".cmp-viewport")[1].querySelector(".cmp-placeholder")).visibility'),
      'hidden',
    );
    // At fit every viewport's centre is its image's centre, in upright pixels.
    const hooks = await viewHooks(page);
    assert.deepEqual(
      hooks.map((v) => [v.x, v.y, v.ordinal]),
      [
        [810, 540, 1],
        [384, 512, 2],
        [405, 270, 3],
      ],
    );
    const port = (await page.locator('.cmp-viewport').first().boundingBox())!;
    assert.ok(Math.abs(hooks[0].scale - Math.min((port.width - 2) / 1620, (port.height - 2) / 1080)) < 0.002, `fit scale ${hooks[0].scale}`);
    // The picture fills the placeholder's box: its drawn rectangle matches the fit size.
    const drawn = (await page.locator('img.cmp-img[data-ordinal="2"]').boundingBox())!;
    assert.ok(Math.abs(drawn.width - 768 * hooks[1].scale) < 1 && Math.abs(drawn.height - 1024 * hooks[1].scale) < 1, `drawn ${drawn.width}×${drawn.height}`);
  });

  it('with host tiles, 1:1 fetches only the visible full-resolution tiles (upright, one CSS px per pixel), never the whole picture; a pan fetches more', async () => {
    page = await openCompare(browser, server.url, { width: 1200, height: 700 }, { tiles: true });
    const images = (await group(['flyer', 'rot6'])).map((im, i) => ({ ...im, tiles: { id: `t${i}`, size: 256 } }));
    server.tileSource('t0', files.flyer);
    server.tileSource('t1', files.rot6);
    server.tileRequests.length = 0;
    await show(page, images);
    await painted(page, 2);
    await page.keyboard.press('p'); // by pixels: both at 1:1
    await page.keyboard.press('1');
    await painted(page, 2, 'full');
    const hooks = await viewHooks(page);
    assert.deepEqual(
      hooks.map((v) => v.scale),
      [1, 1],
    );
    assert.equal(await page.locator('img.cmp-img[data-source="full"]').count(), 0, 'no whole full-size picture loaded');
    const asked = (id: string) => new Set(server.tileRequests.filter((r) => r.id === id).flatMap((r) => r.tiles.map((t) => t.join(','))));
    for (const [i, [w, h]] of [
      [0, [1620, 1080]],
      [1, [768, 1024]],
    ] as const) {
      const port = (await page.locator('.cmp-viewport').nth(i).boundingBox())!;
      const v = hooks[i];
      // The picture shows inside the viewport's 1 px border.
      const [pw, ph] = [port.width - 2, port.height - 2];
      const want: string[] = [];
      for (let r = Math.floor((v.y - ph / 2) / 256); r * 256 < Math.min(h, v.y + ph / 2); r++)
        for (let c = Math.floor((v.x - pw / 2) / 256); c * 256 < Math.min(w, v.x + pw / 2); c++) if (r >= 0 && c >= 0) want.push(`${c},${r}`);
      const got = asked(`t${i}`);
      for (const k of want) assert.ok(got.has(k), `image ${i + 1}: visible tile ${k} fetched (${[...got].join(' ')})`);
      assert.ok(got.size < Math.ceil(w / 256) * Math.ceil(h / 256), `image ${i + 1}: not every tile fetched (${got.size})`);
      const shown = await js<[number, number, string][]>(
        page,
        `[...document.querySelectorAll('.cmp-tiles[data-ordinal="${i + 1}"] img.cmp-tile')].map((e) => [e.naturalWidth, e.naturalHeight, e.style.left + ' ' + e.style.top])`,
      );
      assert.ok(shown.length >= want.length, `image ${i + 1}: ${shown.length} tiles in the layer, ${want.length} visible`);
      assert.ok(
        shown.every(([nw, nh]) => nw <= 256 && nh <= 256),
        'tiles, not whole pictures',
      );
    }
    // One CSS px per image pixel: a full tile is drawn 256 px wide, at its place in the upright image.
    const tile = page.locator('.cmp-tiles[data-ordinal="2"] img.cmp-tile[style*="left: 256px; top: 512px"]');
    const tb = (await tile.boundingBox())!;
    const pb = (await page.locator('.cmp-viewport').nth(1).boundingBox())!;
    assert.ok(Math.abs(tb.width - 256) < 0.5 && Math.abs(tb.height - 256) < 0.5, `tile drawn ${tb.width}×${tb.height}`);
    assert.ok(Math.abs(tb.x - (pb.x + pb.width / 2 - (hooks[1].x - 256))) < 1.5, 'tile x where its pixels belong');
    // Drag far: tiles that were off screen are fetched and painted.
    const before = asked('t0').size;
    await page.evaluate('window.__paints = []');
    await dragOn(page, 0, 500, 300);
    await painted(page, 2, 'full');
    assert.ok(asked('t0').size > before, 'a pan fetches the tiles it uncovers');
  });

  it('during a pan, decoded tiles go in only from idle callbacks (never in a frame, never one by one); after it every visible tile is in place', async () => {
    page = await openCompare(browser, server.url, { width: 1200, height: 700 }, { tiles: true });
    server.tileSource('t0', files.flyer);
    server.tileSource('t1', files.rot6);
    // Spies: where each tile insertion into a tile layer happens (inside an idle callback, inside an animation frame).
    await js(
      page,
      `(() => {
      window.__inserts = []; window.__inIdle = false; window.__inFrame = false;
      const ric = window.requestIdleCallback.bind(window);
      window.requestIdleCallback = (cb, o) => ric((d) => { window.__inIdle = true; try { cb(d); } finally { window.__inIdle = false; } }, o);
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb) => raf((t) => { window.__inFrame = true; try { cb(t); } finally { window.__inFrame = false; } });
      const tilesIn = (n) => n.nodeType === 11 ? n.querySelectorAll('img.cmp-tile').length : n.matches?.('img.cmp-tile') ? 1 : 0;
      const spy = (proto, name) => { const f = proto[name]; proto[name] = function (...nodes) {
        if (this.classList?.contains('cmp-tiles')) { const n = nodes.reduce((k, x) => k + (x instanceof Node ? tilesIn(x) : 0), 0);
          if (n) window.__inserts.push({ t: performance.now(), n, idle: window.__inIdle, frame: window.__inFrame }); }
        return f.apply(this, nodes); }; };
      spy(Element.prototype, 'append'); spy(Node.prototype, 'appendChild'); spy(Node.prototype, 'insertBefore'); spy(Element.prototype, 'prepend');
    })()`,
    );
    const images = (await group(['flyer', 'rot6'])).map((im, i) => ({ ...im, tiles: { id: `t${i}`, size: 256 } }));
    await show(page, images);
    await painted(page, 2);
    await page.keyboard.press('p');
    await page.keyboard.press('1');
    await painted(page, 2, 'full');
    await page.waitForTimeout(500); // the ring around the first view
    const before = await js<number>(page, 'window.__inserts.length');
    assert.ok(before > 0, 'tiles went in for the zoom');
    // A 1.5 s scripted pan, one step per frame, far enough to uncover tiles beyond the ring.
    const pan = await js<{ start: number; end: number }>(
      page,
      `new Promise((resolve) => {
        const start = performance.now();
        const step = () => {
          if (performance.now() - start > 1500) { resolve({ start, end: performance.now() }); return; }
          window.__compare.panBy(-12, -6);
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      })`,
    );
    const inserts = await js<{ t: number; n: number; idle: boolean; frame: boolean }[]>(page, 'window.__inserts');
    const during = inserts.slice(before).filter((i) => i.t >= pan.start && i.t <= pan.end);
    assert.ok(inserts.length > before, 'the pan brought new tiles');
    for (const i of during) assert.ok(i.idle && !i.frame, `a tile insertion during the pan at ${(i.t - pan.start).toFixed(0)} ms was outside an idle callback`);
    // Every visible tile in place: the previews beneath are no longer drawn.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('img.cmp-img.cmp-covered')
          .length === 2,
      undefined,
      {
        timeout: 20_000,
      },
    );
    await frames(page);
    // After the pan, every tile the viewports show is in its layer.
    const hooks = await viewHooks(page);
    for (const [i, [w, h]] of [
      [0, [1620, 1080]],
      [1, [768, 1024]],
    ] as const) {
      const port = (await page.locator('.cmp-viewport').nth(i).boundingBox())!;
      const v = hooks[i];
      const inLayer = new Set(
        await js<string[]>(
          page,
          `[...document.querySelectorAll('.cmp-tiles[data-ordinal="${i + 1}"] img.cmp-tile')].map((e) => e.style.left + ' ' + e.style.top)`,
        ),
      );
      for (let r = Math.max(0, Math.floor((v.y - port.height / 2) / 256)); r * 256 < Math.min(h, v.y + port.height / 2); r++)
        for (let c = Math.max(0, Math.floor((v.x - port.width / 2) / 256)); c * 256 < Math.min(w, v.x + port.width / 2); c++)
          assert.ok(inLayer.has(`${c * 256}px ${r * 256}px`), `image ${i + 1}: visible tile ${c},${r} in place after the pan`);
    }
  });

  it('1 shows original pixels: scale 1 in every viewport hook, the full-size picture loaded, one CSS px per image pixel', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['flyer', 'blur']));
    await painted(page, 2);
    assert.deepEqual(await js(page, '[...document.querySelectorAll("img.cmp-img")].map((e) => e.naturalWidth)'), [640, 640], 'fit uses the previews');
    await page.keyboard.press('1');
    await painted(page, 2, 'full');
    const hooks = await viewHooks(page);
    assert.deepEqual(
      hooks.map((v) => v.scale),
      [1, 1],
    );
    assert.deepEqual(
      hooks.map((v) => [v.x, v.y]),
      [
        [810, 540],
        [810, 540],
      ],
    );
    const imgs = page.locator('img.cmp-img');
    assert.deepEqual(await js(page, '[...document.querySelectorAll("img.cmp-img")].map((e) => [e.naturalWidth, e.dataset.source])'), [
      [1620, 'full'],
      [1620, 'full'],
    ]);
    const box = (await imgs.first().boundingBox())!;
    assert.ok(Math.abs(box.width - 1620) < 0.5 && Math.abs(box.height - 1080) < 0.5, `drawn at ${box.width}×${box.height}`);
    assert.equal(await page.locator('.cmp-zoom').textContent(), '1:1');
    assert.equal(await page.locator('[data-action="zoom1"]').getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('0');
    await frames(page);
    assert.ok(
      (await viewHooks(page)).every((v) => v.scale < 0.5 && v.x === 810),
      'back to fit',
    );
  });

  it('a drag on one image pans every image equally; relative sync keeps images of different sizes on the same part of the scene; p syncs by pixels', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['flyer', 'blur', 'half']));
    await painted(page, 3);
    await page.keyboard.press('2');
    await frames(page);
    const before = await viewHooks(page);
    assert.deepEqual(
      before.map((v) => v.scale),
      [2, 2, 4],
      'relative: the half-size image is enlarged to show the same part of the scene',
    );
    await dragOn(page, 2, -120, -60);
    const after = await viewHooks(page);
    for (let i = 0; i < 3; i++) {
      assert.ok(
        Math.abs((after[i].x - before[i].x) * after[i].scale - 120) < 0.6,
        `image ${i + 1} moved ${(after[i].x - before[i].x) * after[i].scale} CSS px across`,
      );
      assert.ok(
        Math.abs((after[i].y - before[i].y) * after[i].scale - 60) < 0.6,
        `image ${i + 1} moved ${(after[i].y - before[i].y) * after[i].scale} CSS px down`,
      );
    }
    const widths = [1620, 1620, 810];
    const u = after.map((v, i) => v.x / widths[i]);
    assert.ok(
      u.every((x) => Math.abs(x - u[0]) < 1e-4),
      `same relative position: ${u.join(', ')}`,
    );

    await page.keyboard.press('p');
    await frames(page);
    const px = await viewHooks(page);
    assert.deepEqual(
      px.map((v) => v.scale),
      [2, 2, 2],
      'pixels: one scale',
    );
    assert.ok(
      px.every((v) => v.x === px[0].x && v.y === px[0].y),
      `pixels: one position ${JSON.stringify(px)}`,
    );
    await dragOn(page, 0, 80, 40);
    const moved = await viewHooks(page);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(moved[i].x - (px[i].x - 40)) < 0.3, `image ${i + 1}: x ${px[i].x} → ${moved[i].x}`);
      assert.ok(Math.abs(moved[i].y - (px[i].y - 20)) < 0.3, `image ${i + 1}: y ${px[i].y} → ${moved[i].y}`);
    }
    assert.equal(await page.locator('.compare').getAttribute('data-sync'), 'pixels');
  });

  it('wheel zoom keeps the point under the cursor and zooms every image with it; Shift+arrows pan; - back to fit', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['flyer', 'half']));
    await painted(page, 2);
    const box = (await page.locator('.cmp-viewport').nth(1).boundingBox())!;
    const ox = 90,
      oy = -40;
    const at = async () => (await viewHooks(page!)).map((v) => ({ ...v, x: v.x + ox / v.scale, y: v.y + oy / v.scale }));
    const b = await at();
    await page.mouse.move(box.x + box.width / 2 + ox, box.y + box.height / 2 + oy);
    await page.mouse.wheel(0, -400);
    await frames(page);
    const a = await at();
    assert.ok(a[1].scale > b[1].scale * 1.5, `zoomed in: ${b[1].scale} → ${a[1].scale}`);
    assert.ok(
      Math.abs(a[1].x - b[1].x) < 0.5 && Math.abs(a[1].y - b[1].y) < 0.5,
      `point under the cursor stays: (${b[1].x}, ${b[1].y}) → (${a[1].x}, ${a[1].y})`,
    );
    assert.ok(Math.abs(a[0].x / 1620 - a[1].x / 810) < 1e-3, 'the other image zoomed about the same scene point');
    assert.ok(Math.abs(a[0].scale * 1620 - a[1].scale * 810) < 0.01, 'and to the same extent');
    const h0 = await viewHooks(page);
    await page.keyboard.press('Shift+ArrowRight');
    await frames(page);
    const h1 = await viewHooks(page);
    assert.ok(
      h1.every((v, i) => v.x > h0[i].x),
      'Shift+→ shows more of the right',
    );
    for (let k = 0; k < 12; k++) await page.keyboard.press('-');
    await frames(page);
    assert.deepEqual(
      (await viewHooks(page)).map((v) => v.x),
      [810, 405],
      'zooming out stops at fit',
    );
  });

  it('flicker flips two images in place at the same view with one key; b picks the next pair; Escape returns to all images', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['flyer', 'blur', 'half']));
    await painted(page, 3);
    await page.keyboard.press('2');
    await dragOn(page, 0, 200, 100);
    const side = await viewHooks(page);
    await page.keyboard.press('f');
    await painted(page, 3, 'full');
    assert.equal(await page.locator('.cmp-viewport').count(), 1);
    const visible = () =>
      js<string[]>(
        page!,
        '[...document.querySelectorAll(".cmp-viewport img.cmp-img")].filter((e) => getComputedStyle(e).visibility === "visible").map((e) => e.dataset.ordinal)',
      );
    assert.deepEqual(await visible(), ['1']);
    const a = await viewHooks(page);
    assert.deepEqual(
      a.map((v) => [v.ordinal, v.scale]),
      [[1, 2]],
    );
    assert.ok(Math.abs(a[0].x - side[0].x) < 0.6 && Math.abs(a[0].y - side[0].y) < 0.6, 'the same part of the picture as before');
    const transforms = () => js<string[]>(page!, '[...document.querySelectorAll(".cmp-viewport img.cmp-img")].map((e) => e.style.transform)');
    const [ta, tb] = await transforms();
    assert.equal(ta, tb, 'A and B are drawn at the same place and scale');
    await page.keyboard.press('f');
    await frames(page);
    assert.deepEqual(await visible(), ['2']);
    const b = await viewHooks(page);
    assert.deepEqual(
      b.map((v) => [v.ordinal, v.x, v.y, v.scale]),
      [[2, a[0].x, a[0].y, a[0].scale]],
      'flipped at the same view',
    );
    assert.equal(await page.locator('.cmp-status').textContent(), 'Showing the second image (B)');
    assert.equal(await page.locator('.cmp-ab.cmp-current .ordinal').textContent(), 'The second image');
    await page.keyboard.press('f');
    await frames(page);
    assert.deepEqual(await visible(), ['1']);

    await page.keyboard.press('b');
    await frames(page);
    assert.deepEqual(await page.locator('.cmp-ab .ordinal').allTextContents(), ['The first image', 'The third image']);
    await page.keyboard.press('f');
    await frames(page);
    const c = await viewHooks(page);
    assert.equal(c[0].ordinal, 3);
    assert.ok(Math.abs(c[0].x / 810 - a[0].x / 1620) < 1e-3, 'the half-size image shows the same part of the scene');

    await page.keyboard.press('Escape');
    await frames(page);
    assert.equal(await page.locator('.cmp-viewport').count(), 3);
    assert.deepEqual(
      (await viewHooks(page)).map((v) => v.scale),
      [2, 2, 4],
      'the zoom carried over',
    );
  });

  it('swipe shows A left of a divider and B right of it; [ and ] move it', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['flyer', 'blur']));
    await painted(page, 2);
    await page.keyboard.press('w');
    await frames(page);
    assert.equal(await page.locator('.compare').getAttribute('data-mode'), 'swipe');
    const clip = page.locator('.cmp-clip');
    assert.equal(await js(page, 'document.querySelector(".cmp-clip").style.clipPath'), 'inset(0px 0px 0px 50%)');
    assert.equal(await clip.locator('img.cmp-img').getAttribute('data-ordinal'), '2', 'B is the clipped layer');
    const divider = page.locator('.cmp-divider');
    assert.equal(await divider.getAttribute('aria-valuenow'), '50');
    await page.keyboard.press(']');
    assert.equal(await divider.getAttribute('aria-valuenow'), '55');
    // Dragging the divider to a quarter of the way.
    const port = (await page.locator('.cmp-viewport').boundingBox())!;
    const d = (await divider.boundingBox())!;
    await page.mouse.move(d.x + d.width / 2, d.y + d.height / 2);
    await page.mouse.down();
    await page.mouse.move(port.x + port.width * 0.25, d.y + d.height / 2, { steps: 4 });
    await page.mouse.up();
    assert.equal(await divider.getAttribute('aria-valuenow'), '25');
    // The left quarter shows A (sharp), the rest B (blurred): compare local contrast on a screenshot.
    await page.keyboard.press('1');
    await painted(page, 2, 'full');
    const shot = await page.screenshot({ clip: { x: port.x, y: port.y + port.height / 2 - 100, width: port.width, height: 200 } });
    const { data, info } = await sharp(shot).greyscale().raw().toBuffer({ resolveWithObject: true });
    const contrast = (x0: number, x1: number) => {
      let s = 0,
        n = 0;
      for (let y = 0; y < info.height; y++)
        for (let x = x0 + 1; x < x1; x++) {
          s += Math.abs(data[y * info.width + x] - data[y * info.width + x - 1]);
          n++;
        }
      return s / n;
    };
    const left = contrast(10, Math.floor(info.width * 0.25) - 10),
      right = contrast(Math.floor(info.width * 0.25) + 10, info.width - 10);
    assert.ok(left > right * 1.5, `sharp A left of the divider (${left.toFixed(2)}) vs blurred B right (${right.toFixed(2)})`);
  });

  it('an EXIF-rotated photo with no size given is shown upright at its rotated size', async () => {
    page = await openCompare(browser, server.url);
    await show(page, await group(['rot6', 'flyer'], { preview: false, sizes: false }));
    await painted(page, 2, 'full');
    const hooks = await viewHooks(page);
    assert.deepEqual(
      hooks.map((v) => [v.x, v.y]),
      [
        [384, 512],
        [810, 540],
      ],
    );
    assert.deepEqual(await js(page, '((e) => [e.naturalWidth, e.naturalHeight])(document.querySelector("img.cmp-img[data-ordinal=\'1\']"))'), [768, 1024]);
    // Upright: the browser's pixels match core's upright preview (and not the stored, unrotated picture).
    const port = (await page.locator('.cmp-viewport').first().boundingBox())!;
    const drawn = (await page.locator('img.cmp-img[data-ordinal="1"]').boundingBox())!;
    const shot = await page.screenshot({
      clip: {
        x: Math.ceil(Math.max(drawn.x, port.x)) + 1,
        y: Math.ceil(Math.max(drawn.y, port.y)) + 1,
        width: Math.floor(Math.min(drawn.width, port.width)) - 2,
        height: Math.floor(Math.min(drawn.height, port.height)) - 2,
      },
    });
    const meta = await sharp(shot).metadata();
    const upright = await sharp(PHOTO).rotate(90).resize(meta.width!, meta.height!, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    const unrotated = await sharp(PHOTO).resize(meta.width!, meta.height!, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    const got = await sharp(shot).removeAlpha().raw().toBuffer();
    const diff = (x: Buffer) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - got[i]);
      return s / x.length;
    };
    assert.ok(diff(upright) < diff(unrotated) / 2, `upright diff ${diff(upright).toFixed(1)} vs unrotated ${diff(unrotated).toFixed(1)}`);
  });

  it('a truncated or corrupt image is a placeholder that names the problem; the others still show', async () => {
    page = await openCompare(browser, server.url);
    const images = await group(['flyer', 'truncated']);
    assert.ok(images[1].fault, 'core found the truncated file');
    // The garbage file is handed to the browser as is: its decode fails in the page.
    const garbage = { ordinal: 3, caption: 'The third image', path: 'images/garbage.jpg', full: { src: server.file('garbage.jpg', files.garbage) } };
    await show(page, [...images, garbage]);
    await painted(page, 1);
    const faults = page.locator('.cmp-fault');
    await faults.nth(1).waitFor();
    assert.equal(await faults.nth(0).locator('.cmp-fault-title').textContent(), 'Image truncated');
    assert.match((await faults.nth(0).locator('.cmp-fault-reason').textContent())!, /flyer-truncated\.jpg: the image is truncated/);
    assert.equal(await faults.nth(0).getAttribute('role'), 'img');
    assert.match((await faults.nth(0).getAttribute('aria-label'))!, /^The second image not shown: Image truncated/);
    assert.equal(await faults.nth(1).locator('.cmp-fault-title').textContent(), 'Image could not be decoded');
    assert.equal(await faults.nth(1).locator('.cmp-fault-path').textContent(), 'images/garbage.jpg');
    const box = (await faults.nth(0).boundingBox())!;
    assert.ok(box.width > 100 && box.height > 60, `the placeholder is a visible box (${box.width}×${box.height})`);
    assert.equal(await page.locator('img.cmp-img').count(), 1);
    assert.equal(await page.locator('img.cmp-img').getAttribute('data-ordinal'), '1');
    // Zooming keeps the message readable (the fault box stays at fit).
    await page.keyboard.press('4');
    await frames(page);
    const after = (await faults.nth(0).boundingBox())!;
    assert.ok(Math.abs(after.width - box.width) < 1, 'fault box does not grow with the zoom');
  });
});
