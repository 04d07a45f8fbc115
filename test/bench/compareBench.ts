/**
 * `npm run bench -- compare`: the compare view (webview/compare) and core's PreviewCache on groups of
 * four 12 MP JPEGs (4000×3000, made once under bench-data/compare/ from the real photos in
 * ../shared/data/examples, one of them EXIF-rotated), in headless Chromium at 1280×720.
 * Prints figures, asserts nothing:
 *   - preview: a 12 MP JPEG → 1280 px upright preview on disk (cold), and a cache hit (warm);
 *   - next item: show() of a group of four not seen before (fresh URLs) → all four previews painted;
 *   - 1:1: the key press → the full 12 MP picture(s) decoded and painted, and the same with host tiles
 *     (core's TileCache: only the visible full-resolution tiles fetched): on the first item shown (nothing
 *     cut ahead: region decodes), right after moving to the next item (its first tiles cut while the
 *     previous one was judged, BENCH_JUDGE_MS, default 1000), after 500 ms of judging, and seen before;
 *   - pan: a scripted 2 s pan at 1:1 across four 12 MP images, frames dropped against 60 fps.
 * Each figure comes with the load average and the CPU time of this process and Chromium's (the machine is shared).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { PreviewCache, previewSizeFor, readImageInfo } from '../../src/core/imagePreview';
import { TileCache } from '../../src/core/imageTiles';
import type { CompareImage } from '../../webview/compare/types';
import { launchChromium } from '../support/browser';
import { openCompare, startComparePage, type ComparePageServer } from '../webview/comparePage';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIR = path.join(ROOT, 'bench-data', 'compare');
const EXAMPLES = path.resolve(ROOT, '..', 'shared', 'data', 'examples');
const ORD = ['first', 'second', 'third', 'fourth'];
const PREVIEW = previewSizeFor(4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
};

/** CPU time (ms) of this process and every process it started (Chromium), from /proc. */
function cpuMs(): number {
  const tick = 10; // USER_HZ 100
  const stat = (pid: string) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return { ppid: rest[1], cpu: (Number(rest[11]) + Number(rest[12])) * tick };
    } catch {
      return undefined;
    }
  };
  const all = new Map<string, { ppid: string; cpu: number }>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = stat(pid);
    if (s) all.set(pid, s);
  }
  const mine = new Set([String(process.pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of all) {
      if (mine.has(pid) || !mine.has(s.ppid)) continue;
      mine.add(pid);
      grew = true;
    }
  }
  return [...mine].reduce((t, pid) => t + (all.get(pid)?.cpu ?? 0), 0);
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Runs `n` rounds of `f`, printing the figure with the load average and the CPU time per round. */
async function measured(label: string, n: number, f: (r: number) => Promise<number>): Promise<void> {
  const xs: number[] = [];
  const c0 = cpuMs();
  for (let r = 0; r < n; r++) xs.push(await f(r));
  const cpu = (cpuMs() - c0) / n;
  console.log(`${label}: ${stats(xs)}; CPU ${cpu.toFixed(0)} ms per round (bench + Chromium, incl. setup); load ${load()}`);
}

/** Eight 12 MP JPEGs from the four example photos (each as is and with added noise); the third EXIF-rotated. */
async function photos(): Promise<string[]> {
  fs.mkdirSync(DIR, { recursive: true });
  const src = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => path.join(EXAMPLES, f));
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const file = path.join(DIR, `photo-${i}.jpg`);
    out.push(file);
    if (fs.existsSync(file)) continue;
    const rotated = i % 4 === 2;
    let img = sharp(src[i % src.length]).resize(rotated ? 3000 : 4000, rotated ? 4000 : 3000, { fit: 'fill' });
    if (i >= 4) img = img.median(3);
    if (rotated) img = img.rotate(-90); // stored sideways; orientation 6 turns it back upright
    await img
      .jpeg({ quality: 92 })
      .withMetadata(rotated ? { orientation: 6 } : {})
      .toFile(file);
  }
  return out;
}

async function main(): Promise<void> {
  const files = await photos();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-compare-bench-'));
  const cache = new PreviewCache(cacheDir);
  const cold: number[] = [];
  for (const f of files) {
    const t = performance.now();
    await cache.preview(f, PREVIEW);
    cold.push(performance.now() - t);
  }
  const warm: number[] = [];
  for (let r = 0; r < 5; r++)
    for (const f of files) {
      const t = performance.now();
      await cache.preview(f, PREVIEW);
      warm.push(performance.now() - t);
    }
  const fresh = new PreviewCache(fs.mkdtempSync(path.join(os.tmpdir(), 'curator-compare-bench-')));
  const t4 = performance.now();
  await Promise.all(files.slice(0, 4).map((f) => fresh.preview(f, PREVIEW)));
  const group4 = performance.now() - t4;
  console.log(
    `preview ${PREVIEW} px of a 12 MP JPEG (sharp): cold ${stats(cold)}; group of four in parallel ${group4.toFixed(0)} ms; cache hit ${stats(warm)}`,
  );

  const tileCache = new TileCache(new PreviewCache(fs.mkdtempSync(path.join(os.tmpdir(), 'curator-compare-tiles-'))));
  const server: ComparePageServer = await startComparePage({ tiles: tileCache });
  const browser = await launchChromium();
  try {
    const infos = await Promise.all(files.map((f) => readImageInfo(f)));
    const previews = await Promise.all(files.map((f) => cache.preview(f, PREVIEW)));
    // A group of one gets the larger preview the extension gives it (previewSizeFor(1)).
    const single = await Promise.all(files.map((f) => cache.preview(f, previewSizeFor(1))));
    files.forEach((f, i) => {
      server.tileSource(`photo-${i}`, f);
      server.file(`full-${i}.jpg`, f);
      server.file(`preview-${i}.jpg`, previews[i].file);
      server.file(`single-${i}.jpg`, single[i].file);
    });
    let round = 0;
    const group = (first: number, n = 4): CompareImage[] =>
      Array.from({ length: n }, (_, k) => {
        const i = (first + k) % files.length;
        const v = `?r=${round}`;
        return {
          ordinal: k + 1,
          caption: n === 1 ? 'The image' : `The ${ORD[k]} image`,
          path: `images/photo-${i}.jpg`,
          width: infos[i].width,
          height: infos[i].height,
          preview:
            n === 1
              ? { src: `/files/single-${i}.jpg${v}`, width: single[i].width, height: single[i].height }
              : { src: `/files/preview-${i}.jpg${v}`, width: previews[i].width, height: previews[i].height },
          full: { src: `/files/full-${i}.jpg${v}` },
        };
      });
    let page = await openCompare(browser, server.url, { width: 1280, height: 720 });
    const showAndWait = async (images: CompareImage[], source: 'preview' | 'full', action?: string) => {
      round++;
      return page.evaluate(`new Promise((resolve) => {
        const want = ${action ? 1 : images.length};
        const t0 = performance.now();
        window.__paints = [];
        const check = () => window.__paints.filter((p) => p.source === '${source}').length >= want ? resolve(Math.max(...window.__paints.map((p) => p.t)) - t0) : setTimeout(check, 2);
        ${action ? `window.__compare.perform('${action}');` : `window.__compare.show(${JSON.stringify(images)});`}
        check();
      })`) as Promise<number>;
    };
    // Scripted pan: 2 s at 1:1 over four 12 MP images, one step per animation frame.
    const scriptedPan = async (p: typeof page, what: string) => {
      const pan = (await p.evaluate(`new Promise((resolve) => {
        const times = [];
        const start = performance.now();
        let dir = -1;
        const step = (t) => {
          times.push(t);
          if (t - start > 2000) {
            const gaps = times.slice(1).map((x, i) => x - times[i]);
            const dropped = gaps.reduce((s, g) => s + Math.max(0, Math.round(g / (1000 / 60)) - 1), 0);
            resolve({ frames: times.length, dropped, worst: Math.max(...gaps), fps: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000) });
            return;
          }
          if (times.length % 60 === 0) dir = -dir;
          window.__compare.panBy(dir * 12, dir * 4);
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      })`)) as { frames: number; dropped: number; worst: number; fps: number };
      console.log(
        `synchronised pan at 1:1, four 12 MP images (${what}), 2 s scripted: ${pan.frames} frames, ${pan.dropped} dropped at 60 fps (${pan.fps.toFixed(1)} fps, worst frame ${pan.worst.toFixed(1)} ms)`,
      );
    };
    const tilesOnly = process.env.BENCH_COMPARE_TILES_ONLY === '1';
    if (!tilesOnly) {
      // Next item: a group of four the page has not loaded (fresh URLs), previews from the warm cache;
      // then the same with the next group prefetched (as the item pane does while you judge).
      await showAndWait(group(4), 'preview');
      const next: number[] = [];
      for (let r = 0; r < ROUNDS; r++) next.push(await showAndWait(group((r * 4) % 8), 'preview'));
      console.log(`next item, group of four 12 MP JPEGs → all four previews painted, not prefetched: ${stats(next)}`);
      const ahead: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        round++;
        const g = group((r * 4) % 8);
        round--;
        await page.evaluate(`window.__compare.prefetch(${JSON.stringify(g)})`);
        await page.waitForTimeout(500); // the time spent judging the current item
        ahead.push(await showAndWait(g, 'preview'));
      }
      console.log(`next item, group of four 12 MP JPEGs → all four previews painted, prefetched: ${stats(ahead)}`);

      // 1:1 on one 12 MP photo, and on a group of four.
      const one: number[] = [];
      for (let r = 0; r < Math.min(ROUNDS, 8); r++) {
        await page.evaluate('window.__compare.perform("fit")');
        await showAndWait(group(r % 8, 1), 'preview');
        one.push(await showAndWait([], 'full', 'zoom1').then(async (t) => t));
      }
      console.log(`1:1 on one 12 MP photo → full-size picture painted: ${stats(one)}`);
      const four: number[] = [];
      for (let r = 0; r < Math.min(ROUNDS, 6); r++) {
        await page.evaluate('window.__compare.perform("fit")');
        await showAndWait(group((r * 4) % 8), 'preview');
        four.push(
          (await page.evaluate(`new Promise((resolve) => {
        const t0 = performance.now();
        window.__paints = [];
        const check = () => window.__paints.filter((p) => p.source === 'full').length >= 4 ? resolve(Math.max(...window.__paints.map((p) => p.t)) - t0) : setTimeout(check, 2);
        window.__compare.perform('zoom1');
        check();
      })`)) as number,
        );
      }
      console.log(`1:1 on a group of four 12 MP photos → all four full-size pictures painted: ${stats(four)}`);

      await scriptedPan(page, 'whole full-size pictures');
    }

    // The same with host tiles: 1:1 fetches only the visible tiles at full resolution.
    await page.close();
    page = await openCompare(browser, server.url, { width: 1280, height: 720 }, { tiles: true });
    const tiled = (first: number, n = 4) =>
      group(first, n).map((im, k) => ({ ...im, tiles: { id: `photo-${(first + k) % files.length}`, size: tileCache.tileSize } }));
    const freshTiles = () => {
      tileCache.clear();
      for (const f of fs.readdirSync(tileCache.dir)) if (/^[0-9a-f]+-t\d+-\d+-\d+\.png$/.test(f)) fs.rmSync(path.join(tileCache.dir, f));
    };
    const judge = Number(process.env.BENCH_JUDGE_MS ?? 1000);
    // Each round starts once the host's work ahead from the round before is done.
    const settle = async () => {
      for (let i = 0; i < 200 && tileCache.warmingAhead; i++) await new Promise((r) => setTimeout(r, 50));
    };
    // The first item shown in compare mode: nothing was cut ahead; 1 is pressed as soon as the preview is painted.
    await measured(
      '1:1 on one 12 MP photo, host tiles, first item (nothing cut ahead), pressed as soon as the preview is painted → visible tiles painted',
      Math.min(ROUNDS, 8),
      async (r) => {
        await page.evaluate('window.__compare.perform("fit")');
        freshTiles();
        await settle();
        await showAndWait(tiled(r % 8, 1), 'preview');
        return showAndWait([], 'full', 'zoom1');
      },
    );
    // The item pane's flow, in its steady state: while an item is judged the next one is prefetched (previews, and the
    // tiles of its first zoom cut by the host); items Z → A → B, each judged `judge` ms at fit, then 1 pressed on B as
    // soon as its preview is painted.
    const afterMove = async (n: number, r: number): Promise<number> => {
      await page.evaluate('window.__compare.perform("fit")');
      freshTiles();
      await settle();
      const z = (r * 3 * n + 1) % 8;
      await showAndWait(tiled(z, n), 'preview');
      for (let step = 1; step <= 2; step++) {
        round++;
        const next = tiled((z + step * n) % 8, n);
        round--;
        await page.evaluate(`window.__compare.prefetch(${JSON.stringify(next)}, { next: true })`);
        await page.waitForTimeout(judge);
        await showAndWait(next, 'preview');
      }
      return (await page.evaluate(`new Promise((resolve) => {
        const t0 = performance.now();
        window.__paints = [];
        const check = () => new Set(window.__paints.filter((p) => p.source === 'full').map((p) => p.ordinal)).size >= ${n} ? resolve(Math.max(...window.__paints.map((p) => p.t)) - t0) : setTimeout(check, 2);
        window.__compare.perform('zoom1');
        check();
      })`)) as number;
    };
    await measured(
      `1:1 on one 12 MP photo, host tiles, pressed as soon as the preview is painted after moving to the next item (previous item judged ${judge} ms) → visible tiles painted`,
      Math.min(ROUNDS, 8),
      (r) => afterMove(1, r),
    );
    await measured(
      '1:1 on one 12 MP photo, host tiles, nothing cut before, pressed after 500 ms of judging → visible tiles painted',
      Math.min(ROUNDS, 8),
      async (r) => {
        await page.evaluate('window.__compare.perform("fit")');
        freshTiles();
        await settle();
        await showAndWait(tiled(r % 8, 1), 'preview');
        await page.waitForTimeout(500);
        return showAndWait([], 'full', 'zoom1');
      },
    );
    // Seen before: every photo's 1:1 tiles are cut in a first pass (the rounds above delete them).
    for (let i = 0; i < 8; i++) {
      await page.evaluate('window.__compare.perform("fit")');
      await showAndWait(tiled(i, 1), 'preview');
      await showAndWait([], 'full', 'zoom1');
    }
    tileCache.clear();
    await measured('1:1 on one 12 MP photo, host tiles already cut (seen before) → visible tiles painted', Math.min(ROUNDS, 8), async (r) => {
      await page.evaluate('window.__compare.perform("fit")');
      await settle();
      await showAndWait(tiled(r % 8, 1), 'preview');
      return showAndWait([], 'full', 'zoom1');
    });
    await measured(
      '1:1 on a group of four 12 MP photos, host tiles, first item (nothing cut ahead), pressed at once → all four painted',
      Math.min(ROUNDS, 6),
      async (r) => {
        await page.evaluate('window.__compare.perform("fit")');
        freshTiles();
        await settle();
        await showAndWait(tiled((r * 4) % 8), 'preview');
        return (await page.evaluate(`new Promise((resolve) => {
        const t0 = performance.now();
        window.__paints = [];
        const check = () => new Set(window.__paints.filter((p) => p.source === 'full').map((p) => p.ordinal)).size >= 4 ? resolve(Math.max(...window.__paints.map((p) => p.t)) - t0) : setTimeout(check, 2);
        window.__compare.perform('zoom1');
        check();
      })`)) as number;
      },
    );
    await measured(
      `1:1 on a group of four 12 MP photos, host tiles, pressed at once after moving to the next item (previous judged ${judge} ms) → all four painted`,
      Math.min(ROUNDS, 6),
      (r) => afterMove(4, r),
    );
    // The pan starts once the zoom has settled (visible tiles and the ring around them fetched).
    await page.waitForTimeout(1500);
    const c0 = cpuMs();
    await scriptedPan(page, 'host tiles');
    console.log(`  (pan CPU ${(cpuMs() - c0).toFixed(0)} ms over the 2 s; load ${load()})`);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.rmSync(tileCache.dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
