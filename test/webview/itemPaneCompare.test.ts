/**
 * Compare mode in the shared item pane (webview/itemPane.ts) against the scripted fake host
 * (curatorPage.ts), at an editor area of 1280×720: the z action and the Compare button swap the image
 * grid for the compare view, the view and focus carry over to the next item, Escape returns to the
 * grid; question and label (data-role hooks) stay in view for a group of four, and the text does not
 * move sideways between items of different group sizes.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { InitState, ItemView } from '../../src/protocol';
import { launchBrowser, notify, waitForDataset, openCurator, sent, startPageServer, type FakeHostConfig } from './curatorPage';

const img = (p: string) => ({ ok: true as const, path: p, src: `/${p}`, width: 512, height: 384 });
const ORD = ['first', 'second', 'third', 'fourth'];
const LONG_LABEL =
  'Ranking from best to worst: the third image > the first image > the fourth image > the second image. The third image keeps fine texture on the petals and a clean background; the first shows slight noise in the shadows; the fourth is softened by mild blur; the second has strong impulse noise across the whole frame.';

function item(index: number, files: string[]): ItemView {
  return {
    index,
    key: `item-${index}`,
    hash: `h${index}`,
    line: 1 + index * 10,
    format: 'llava',
    groupSize: files.length,
    images: files.map((f) => img(`images/${f}`)),
    question: `${files.map((_, k) => `The ${ORD[k]} image: <image>`).join(' ')} Please rank the quality of the images and justify your rankings.`,
    label: LONG_LABEL,
  };
}

const FOUR = item(0, ['flower-615113_12_01.jpg', 'parthenocissus-1711077_13_02.jpg', 'animal-18193_03_01.jpg', 'chestnut-1719861_13_01.jpg']);
const TWO = item(1, ['duck-1721161_06_04.jpg', 'boats-936943_07_03.jpg']);
const ONE = item(2, ['railway-336702_07_03.jpg']);

function reviewConfig(): FakeHostConfig {
  const init: InitState = {
    mode: 'review',
    readOnly: false,
    start: 0,
    warnings: [],
    subsets: [],
    dataset: { name: 'groups.json', path: '/data/groups.json', count: 3, format: 'llava', bytes: 4000 },
    plan: {
      name: 'pixel-check',
      size: 3,
      seed: '1',
      strata: 'none',
      reviewer: 'tester',
      items: [FOUR, TWO, ONE].map((it, i) => ({ key: it.key, index: i, stratum: 'all' })),
    },
    verdicts: {},
    progress: { judged: 0, size: 3, correct: 0, incorrect: 0, skip: 0 },
  };
  return { results: { ready: init }, items: { 0: FOUR, 1: TWO, 2: ONE } };
}

describe('compare mode in the item pane (headless Chromium, 1280×720)', function () {
  this.timeout(90_000);
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let page: Page | undefined;

  before(async () => {
    server = await startPageServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  async function open(): Promise<Page> {
    const p = await openCurator(browser, server.url, reviewConfig());
    await p.setViewportSize({ width: 1280, height: 720 });
    await p.locator('.item[data-key="item-0"]').waitFor();
    return p;
  }

  const inView = async (p: Page, selector: string) => {
    const box = await p.locator(selector).boundingBox();
    return !!box && box.y >= 0 && box.y + box.height <= 720 && box.x >= 0 && box.x + box.width <= 1280;
  };

  it('keeps question and label in view for a group of four, with images in one row and text that does not move sideways between items', async () => {
    page = await open();
    assert.ok(await inView(page, '[data-role="question"]'), 'question in view');
    assert.ok(await inView(page, '[data-role="label"]'), 'label in view');
    const boxes = await Promise.all([0, 1, 2, 3].map((k) => page!.locator(`.images img[data-ordinal="${k + 1}"]`).boundingBox()));
    assert.ok(
      boxes.every((b) => b && Math.abs(b.y - boxes[0]!.y) < 1),
      'the four images share one row',
    );
    assert.ok(
      boxes.every((b) => b && b.y + 40 < 720),
      'and start on screen',
    );
    const x0 = (await page.locator('[data-role="label"]').boundingBox())!.x;
    for (const key of ['item-1', 'item-2']) {
      await notify(page, 'key', { action: 'next' });
      await page.locator(`.item[data-key="${key}"]`).waitFor();
      const x: number = (await page.locator('[data-role="label"]').boundingBox())!.x;
      assert.equal(x, x0, `${key}: label at the same x`);
      assert.ok(await inView(page, '[data-role="label"]'));
    }
  });

  it('numbers one way everywhere: records as #index (0-based, as the list and the go-to box), positions as "N of M"', async () => {
    page = await open();
    assert.equal(await page.locator('dd[data-field="record"]').textContent(), '#0');
    assert.match((await page.locator('.progress-detail').textContent())!, /item 1 of 3$/);
    await page.close();
    const init: InitState = {
      mode: 'browse',
      readOnly: true,
      start: 0,
      warnings: [],
      subsets: [],
      dataset: { name: 'groups.json', path: '/data/groups.json', count: 3, format: 'llava', bytes: 4000 },
    };
    page = await openCurator(browser, server.url, {
      results: { ready: init, query: { total: 3, matches: 3, filterId: 1 } },
      items: { 0: FOUR, 1: TWO, 2: ONE },
      listSize: 3,
    });
    await page.locator('.item[data-key="item-0"]').waitFor();
    assert.equal((await page.locator('.progress').textContent())!.trim(), '#0 · 1 of 3');
    await notify(page, 'key', { action: 'next' });
    await page.locator('.item[data-key="item-1"]').waitFor();
    assert.equal((await page.locator('.progress').textContent())!.trim(), '#1 · 2 of 3');
    assert.equal(await page.locator('dd[data-field="record"]').textContent(), '#1');
  });

  it('z swaps the grid for the compare view; 1 and the view carry over to the next item; Escape goes back to the grid', async () => {
    page = await open();
    await page.locator('.images img[data-ordinal="4"]').waitFor();
    await notify(page, 'key', { action: 'compare' });
    await page.locator('.item .compare').waitFor();
    assert.equal(await page.locator('.item .images').count(), 0, 'the grid is gone');
    assert.equal(await page.locator('.compare-toggle').getAttribute('aria-pressed'), 'true');
    await waitForDataset(page, '.cmp-img', 'painted', 'true', 4);
    assert.deepEqual(await page.locator('.cmp-caption .ordinal').allTextContents(), [
      'The first image',
      'The second image',
      'The third image',
      'The fourth image',
    ]);
    assert.ok(await inView(page, '[data-role="label"]'), 'label in view in compare mode');
    assert.ok(await inView(page, '.cmp-viewport[data-ordinal="4"]'), 'viewports in view');
    assert.equal(await page.evaluate('document.activeElement?.classList.contains("compare")'), true, 'compare view has the keyboard');
    await page.keyboard.press('1');
    await waitForDataset(page, '.cmp-viewport', 'viewScale', '1');
    await notify(page, 'key', { action: 'next' });
    await page.locator('.item[data-key="item-1"] .compare').waitFor();
    await waitForDataset(page, '.cmp-viewport', 'viewScale', '1', 2);
    assert.equal(await page.evaluate('document.activeElement?.classList.contains("compare")'), true, 'still has the keyboard');
    await page.keyboard.press('f');
    assert.equal(await page.locator('.cmp-viewport').count(), 1, 'flicker works after moving on');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.cmp-viewport').count(), 2, 'Escape: flicker back to all images');
    await page.keyboard.press('Escape');
    await page.locator('.item .images').waitFor();
    assert.equal(await page.locator('.item .compare').count(), 0);
    assert.equal(await page.locator('.compare-toggle').getAttribute('aria-pressed'), 'false');
    // The button toggles too.
    await page.locator('.compare-toggle').click();
    await page.locator('.item .compare').waitFor();
  });

  it('in compare mode asks the host to cut the first 1:1 tiles of the item shown, then of the next item, ahead; again after each move', async () => {
    // Images as the extension describes them: a 512 px preview of a 2048×1536 original with host tiles.
    const tiled = (it: ItemView): ItemView => ({
      ...it,
      images: it.images.map((im) =>
        im.ok ? { ...im, full: im.src, width: 2048, height: 1536, srcWidth: 512, srcHeight: 384, tiles: { id: `tiles:${im.path}`, size: 256 } } : im,
      ),
    });
    const cfg = reviewConfig();
    cfg.items = { 0: tiled(FOUR), 1: tiled(TWO), 2: tiled(ONE) };
    page = await openCurator(browser, server.url, cfg);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.locator('.item[data-key="item-0"]').waitFor();
    type Warm = { ids: string[]; cut?: { id: string; tiles: [number, number][] }[] };
    const warms = async () => (await sent(page!)).filter((m) => m.method === 'image.warmTiles').map((m) => m.params as unknown as Warm);
    assert.equal((await warms()).length, 0, 'nothing warmed outside compare mode');
    await notify(page, 'key', { action: 'compare' });
    await page.locator('.item .compare').waitFor();
    const ids = (it: ItemView) => it.images.map((im) => `tiles:${im.path}`);
    const naming = async (it: ItemView) => {
      const hit = (w: Warm) => !!w.cut?.some((n) => ids(it).includes(n.id));
      for (let i = 0; i < 100 && !(await warms()).some(hit); i++) await page!.waitForTimeout(50);
      return (await warms()).filter(hit);
    };
    const centred = (cut: { id: string; tiles: [number, number][] }[]) => {
      for (const n of cut) {
        const keys = n.tiles.map((t) => t.join(','));
        assert.ok(keys.includes('4,3') && keys.includes('3,2'), `${n.id}: the tiles around the centre a 1:1 view shows (${keys.join(' ')})`);
        assert.ok(n.tiles.length < 8 * 6, `${n.id}: not every tile (${n.tiles.length})`);
      }
    };
    // Shown at fit: the first zoom's tiles of the images on screen are cut ahead…
    const shown = (await naming(FOUR))[0];
    assert.deepEqual(shown.ids, ids(FOUR), 'the images on screen');
    centred(shown.cut!.filter((n) => ids(FOUR).includes(n.id)));
    // …and, once the next item is fetched ahead, its first zoom's tiles after them.
    let w = await naming(TWO);
    assert.equal(w.length, 1, `one warm naming the next item's images (${JSON.stringify(await warms())})`);
    assert.deepEqual(w[0].ids, ids(FOUR), 'the images on screen');
    assert.deepEqual(
      w[0].cut!.map((n) => n.id),
      [...ids(FOUR), ...ids(TWO)],
      'the shown item first, then the next, in order',
    );
    centred(w[0].cut!);
    await notify(page, 'key', { action: 'next' });
    await page.locator('.item[data-key="item-1"] .compare').waitFor();
    w = await naming(ONE);
    assert.equal(w.length, 1, 'after moving on, the item after it');
    assert.deepEqual(w[0].ids, ids(TWO));
  });
});
