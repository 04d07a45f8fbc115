/**
 * Compare mode in a real VS Code (code-server + Chromium) on real photos from
 * ../shared/data/examples, with EXIF-rotated copies made by sharp's orientation metadata: the label is
 * in view for a group of four, z opens the compare view, 1:1 is read from the view hooks, a pan of
 * one image moves every image's view equally, flicker flips A and B at the same view.
 * With CURATOR_SCREENSHOTS=docs the compare and flicker screenshots go to docs/screenshots/ (README).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import sharp from 'sharp';
import { ARTIFACTS, REPO_ROOT, VsCode, captureFailures } from './harness';

const EXAMPLES = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'examples');
const ORD = ['first', 'second', 'third', 'fourth'];

type Hook = { x: number; y: number; scale: number; ordinal: number };

describe('compare mode in VS Code (code-server, real photos)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;
  let view: FrameLocator;
  /** Where the label sat on the first item: the next item must not move it sideways. */
  let labelX = 0;

  before(async function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-e2e-compare-'));
    const img = path.join(ws, 'images');
    fs.mkdirSync(img);
    for (const f of ['singapore_flyer.jpg', 'boy_colorful.jpg', 'midjourney_lowstep_036.jpg', '2415943373.jpg'])
      fs.copyFileSync(path.join(EXAMPLES, f), path.join(img, f));
    // EXIF-rotated copies: the pixels stored as is, tagged to be turned on display.
    await sharp(path.join(EXAMPLES, '2415943373.jpg'))
      .jpeg({ quality: 92 })
      .withMetadata({ orientation: 6 })
      .toFile(path.join(img, '2415943373-orientation-6.jpg'));
    await sharp(path.join(EXAMPLES, 'singapore_flyer.jpg'))
      .jpeg({ quality: 92 })
      .withMetadata({ orientation: 3 })
      .toFile(path.join(img, 'singapore_flyer-orientation-3.jpg'));
    const record = (id: string, images: string[], label: string) => ({
      id,
      image: images.map((f) => `images/${f}`),
      conversations: [
        {
          from: 'human',
          value: `${images.map((_, k) => `The ${ORD[k]} image: <image>`).join('\n')}\nPlease rank the quality of the images and justify your rankings.`,
        },
        { from: 'gpt', value: label },
      ],
    });
    const data = [
      record(
        'four-photos',
        ['singapore_flyer.jpg', '2415943373-orientation-6.jpg', 'boy_colorful.jpg', 'midjourney_lowstep_036.jpg'],
        'Ranking from best to worst: the third image > the second image > the first image > the fourth image. The third image is sharp with vivid, natural colours; the second is clean but slightly soft; the first shows motion blur in the lights; the fourth has the smeared texture of a low-step generation.',
      ),
      record(
        'flyer-pair',
        ['singapore_flyer.jpg', 'singapore_flyer-orientation-3.jpg'],
        'The two images show the same scene at the same quality; the second is the first turned upside down in its file and shown upright.',
      ),
    ];
    fs.writeFileSync(path.join(ws, 'photos.json'), JSON.stringify(data, null, 2));
    // An editor area of about 1280×720: viewport minus the activity bar, title, tabs and status bar.
    vs = await VsCode.start({
      workspace: ws,
      settings: { 'curator.reviewer': 'e2e', 'workbench.sideBar.location': 'left' },
      viewport: { width: 1330, height: 830 },
    });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  const hooks = (): Promise<Hook[]> =>
    view.locator('.cmp-viewport').evaluateAll((els) =>
      els.map((e) => {
        const d = (e as unknown as { dataset: Record<string, string> }).dataset;
        return { x: Number(d.viewX), y: Number(d.viewY), scale: Number(d.viewScale), ordinal: Number(d.ordinal) };
      }),
    );

  async function until(what: string, check: () => Promise<boolean>, timeout = 30_000): Promise<void> {
    const end = Date.now() + timeout;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function docShot(name: string): Promise<void> {
    const file = await vs.screenshot(name);
    if (process.env.CURATOR_SCREENSHOTS === 'docs') fs.copyFileSync(file, path.join(REPO_ROOT, 'docs', 'screenshots', `${name}.png`));
  }

  it('shows a group of four real photos with the question and label in view in an editor area of about 1280×720', async () => {
    await vs.runCommand('View: Close Primary Side Bar');
    await vs.openFile('photos.json');
    await vs.runCommand('Curator: Open Dataset');
    view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"] .item[data-key="four-photos"]').waitFor({ timeout: 60_000 });
    const size = await view.locator('#app').evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; innerHeight: number };
      return { width: w.innerWidth, height: w.innerHeight };
    });
    assert.ok(Math.abs(size.width - 1280) <= 40 && Math.abs(size.height - 720) <= 40, `editor area ${size.width}×${size.height}`);
    for (const role of ['question', 'label']) {
      const box = (await view.locator(`[data-role="${role}"]`).boundingBox())!;
      const frame = (await vs.page.locator('iframe.webview.ready >> visible=true').first().boundingBox())!;
      assert.ok(box.y >= frame.y && box.y + box.height <= frame.y + frame.height, `${role} in view: ${JSON.stringify(box)} in ${JSON.stringify(frame)}`);
    }
    const ordinals = await view.locator('.item .images img').evaluateAll((els) => els.map((e) => e.getAttribute('data-ordinal')));
    assert.deepEqual(ordinals, ['1', '2', '3', '4']);
    // The EXIF-rotated photo arrives with its upright size (768×1024) from the host.
    await until(
      'images decoded',
      async () => await view.locator('.item .images img').evaluateAll((els) => els.every((e) => (e as unknown as { complete: boolean }).complete)),
    );
    const natural = await view
      .locator('.item .images img[data-ordinal="2"]')
      .evaluate((e) => [(e as unknown as { naturalWidth: number }).naturalWidth, (e as unknown as { naturalHeight: number }).naturalHeight]);
    assert.ok(natural[1] > natural[0], `the rotated photo is upright (portrait): ${natural.join('×')}`);
  });

  it('z opens the compare view; 1 gives 1:1 in the view hooks; a pan of one image moves every view equally; the label stays in view', async () => {
    await vs.focusWebview();
    await vs.press('z');
    await view.locator('.item .compare').waitFor({ timeout: 15_000 });
    await until('four pictures painted', async () => (await view.locator('.cmp-img[data-painted="true"]').count()) === 4);
    const fit = await hooks();
    assert.deepEqual(
      fit.map((h) => h.ordinal),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      fit.map((h) => [h.x, h.y]),
      [
        [810, 540],
        [384, 512],
        [256, 256],
        [256, 256],
      ],
      'fit centres in upright pixels (the rotated photo is 768×1024)',
    );
    const label = (await view.locator('[data-role="label"]').boundingBox())!;
    const frame = (await vs.page.locator('iframe.webview.ready >> visible=true').first().boundingBox())!;
    assert.ok(label.y + label.height <= frame.y + frame.height, 'label in view in compare mode');

    // Relative sync: 1 is the largest photo at 1:1, the others scaled to show the same part of the scene.
    await vs.press('1');
    await until('1:1', async () => (await hooks())[0].scale === 1);
    const rel = await hooks();
    assert.equal(rel[0].scale, 1, 'the largest photo (1620×1080) at 1:1');
    assert.ok(Math.abs(rel[1].scale - 1620 / 768) < 1e-3, `the rotated photo scaled by width: ${rel[1].scale}`);
    // Full resolution comes as host-cut tiles of the visible part (src/core/imageTiles.ts), never the whole original.
    // Full resolution of the two large photos comes as host-cut tiles of the visible part (src/core/imageTiles.ts),
    // never the whole original; the two 512 px images are their own picture.
    await until('full-resolution tiles', async () => (await view.locator('.cmp-tiles[data-painted="true"]').count()) === 2);
    assert.deepEqual(await view.locator('.cmp-tiles').evaluateAll((els) => els.map((e) => e.getAttribute('data-ordinal'))), ['1', '2']);
    assert.deepEqual(
      await view.locator('.cmp-img[data-source="full"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ordinal'))),
      ['3', '4'],
      'no whole original of the large photos decoded',
    );
    const drawn = (await view.locator('.cmp-img[data-ordinal="1"]').boundingBox())!;
    assert.ok(Math.abs(drawn.width - 1620) < 1, `one CSS px per image pixel: drawn ${drawn.width} px wide`);
    const tile = (await view.locator('.cmp-tiles[data-ordinal="1"] img.cmp-tile[style*="left: 768px; top: 512px"]').boundingBox())!;
    assert.ok(Math.abs(tile.width - 256) < 0.5 && Math.abs(tile.height - 256) < 0.5, `a 256 px tile drawn ${tile.width}×${tile.height}`);

    // Sync by pixels: every photo at 1:1.
    await vs.press('p');
    await until('pixels sync', async () => (await hooks()).every((h) => h.scale === 1));
    const before = await hooks();
    const box = (await view.locator('.cmp-viewport[data-ordinal="2"]').boundingBox())!;
    await vs.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await vs.page.mouse.down();
    await vs.page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 - 30, { steps: 4 });
    await vs.page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 4 });
    await vs.page.mouse.up();
    await until('pan applied', async () => (await hooks())[0].x !== before[0].x);
    const after = await hooks();
    const moved = after.map((h, i) => [h.x - before[i].x, h.y - before[i].y]);
    for (const [dx, dy] of moved) {
      assert.ok(Math.abs(dx - moved[0][0]) < 0.01 && Math.abs(dy - moved[0][1]) < 0.01, `every view moved alike: ${JSON.stringify(moved)}`);
    }
    assert.ok(moved[0][0] > 50, `and by the drag (${moved[0][0]} px right, ${moved[0][1]} px down in the pictures)`);
    await vs.press('p');
    await vs.press('2');
    await until('2:1', async () => (await hooks())[0].scale === 2);
    labelX = (await view.locator('[data-role="label"]').boundingBox())!.x;
    await docShot('compare');
  });

  it('flicker flips two photos in place at the same view', async () => {
    await view.locator('.item .compare').waitFor();
    await vs.press('ArrowRight'); // next record: the pair of the same photo, one EXIF-rotated by 180°
    await view.locator('.item[data-key="flyer-pair"] .compare').waitFor({ timeout: 15_000 });
    await until(
      'pair painted at 2:1',
      async () => (await view.locator('.cmp-img[data-painted="true"]').count()) === 2 && (await hooks()).every((h) => h.scale === 2),
    );
    assert.equal((await view.locator('[data-role="label"]').boundingBox())!.x, labelX, 'the label did not move sideways (browse list width is fixed)');
    await vs.focusWebview('.compare');
    await vs.press('f');
    await until('flicker', async () => (await view.locator('.cmp-viewport').count()) === 1);
    const a = (await hooks())[0];
    assert.equal(a.ordinal, 1);
    await vs.press('f');
    await until('flipped', async () => (await hooks())[0].ordinal === 2);
    const b = (await hooks())[0];
    assert.deepEqual([b.x, b.y, b.scale], [a.x, a.y, a.scale], 'same view after the flip');
    assert.equal(await view.locator('.cmp-status').textContent(), 'Showing the second image (B)');
    await docShot('flicker');
    await vs.press('Escape');
    await vs.press('Escape');
    await view.locator('.item .images').waitFor({ timeout: 10_000 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
});
