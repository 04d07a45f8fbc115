/**
 * The curator webview bundle in headless Chromium against a scripted fake host (curatorPage.ts):
 * item rendering, text-only dataset strings, placeholders, review marking that shows "saved" only
 * after the host confirms, focus reports, persisted state, and the virtualised browse list.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { InitState, ItemView } from '../../src/protocol';
import { browsing, launchBrowser, notify, waitForLoaded, openCurator, sent, startPageServer, type FakeHostConfig } from './curatorPage';

/**
 * The fake host's record of sent messages, read inside `waitForFunction` predicates. Those predicates are functions, never
 * strings: Playwright evals a string predicate again on every later poll, which the page's CSP (no 'unsafe-eval') refuses,
 * so a string predicate only works when it is already true on the first poll.
 */
type HostWindow = { __host: { sent: { method: string; params: Record<string, unknown> }[] } };

const ok = (p: string) => ({ ok: true as const, path: p, src: `/${p}` });

const GROUP3: ItemView = {
  index: 15,
  key: 'demo-group3-015',
  hash: '5170c57f5852572e',
  line: 274,
  format: 'llava',
  groupSize: 3,
  subset: 'Merge2Compare',
  images: [ok('images/flower-615113_12_01.jpg'), ok('images/parthenocissus-1711077_13_02.jpg'), ok('images/animal-18193_03_01.jpg')],
  question: 'Please rank the quality of the images and justify your rankings.',
  label: 'Ranking from best to worst: the third image > the first image > the second image.',
  descriptions: ['A flower with slight noise.', 'Leaves with mild impulse noise.', 'An animal with slight motion blur.'],
};
const MCQ: ItemView = {
  index: 30,
  key: 'demo-mcq-030',
  hash: '333838b4cf61e946',
  line: 578,
  format: 'llava',
  groupSize: 2,
  subset: 'Teach2Compare-QA',
  images: [ok('images/animal-18193_03_01.jpg'), ok('images/chestnut-1719861_13_01.jpg')],
  question: 'Which image is sharper and cleaner?',
  label: 'A',
  candidates: ['The first image', 'The second image', 'They are about the same'],
  correct: 'The first image',
};
const HOSTILE: ItemView = {
  index: 32,
  key: 'demo-hostile-032',
  hash: '2a66ad608e754e85',
  line: 614,
  format: 'llava',
  groupSize: 2,
  images: [
    ok('images/animal-18193_03_01.jpg'),
    { ok: false, path: '../../etc/passwd.png', problem: 'escapes', reason: '"../../etc/passwd.png" leaves the image root through ".."' },
  ],
  question: 'Which is better? <b onmouseover=alert(1)>bold</b>',
  label: 'The first image is better. <img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>',
};

function reviewInit(): InitState {
  return {
    mode: 'review',
    readOnly: false,
    start: 0,
    warnings: [],
    subsets: [],
    dataset: { name: 'coinstruct-demo.json', path: '/data/coinstruct-demo.json', count: 33, format: 'llava', bytes: 24382 },
    plan: {
      name: 'sample-3',
      size: 3,
      seed: '7',
      strata: 'none',
      reviewer: 'tester',
      items: [
        { key: GROUP3.key, index: 0, stratum: 'all' },
        { key: MCQ.key, index: 1, stratum: 'all' },
        { key: HOSTILE.key, index: 2, stratum: 'all' },
      ],
    },
    verdicts: {},
    progress: { judged: 0, size: 3, correct: 0, incorrect: 0, skip: 0 },
  };
}

function reviewConfig(extra: Partial<FakeHostConfig> = {}): FakeHostConfig {
  // In review mode items are asked for by plan position ("review.item").
  return { results: { ready: reviewInit() }, items: { 0: GROUP3, 1: MCQ, 2: HOSTILE }, ...extra };
}

describe('curator webview (headless Chromium)', function () {
  this.timeout(60_000);
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

  const position = async (p: Page) => p.locator('.item').getAttribute('data-position');

  it('shows a 3-image group in order with ordinal captions, descriptions, question, label and metadata', async () => {
    page = await openCurator(browser, server.url, reviewConfig());
    await page.locator('.item[data-key="demo-group3-015"]').waitFor();
    assert.deepEqual(await page.locator('.images figcaption .ordinal').allTextContents(), ['The first image', 'The second image', 'The third image']);
    assert.deepEqual(
      await page.locator('.images figcaption .path').allTextContents(),
      GROUP3.images.map((i) => i.path),
    );
    assert.deepEqual(await page.locator('.images .description').allTextContents(), GROUP3.descriptions);
    await waitForLoaded(page, '.images img');
    const widths = (await page.evaluate('[...document.querySelectorAll(".images img")].map((i) => i.naturalWidth)')) as number[];
    assert.equal(widths.length, 3);
    for (const w of widths) assert.ok(w > 0);
    assert.equal(await page.locator('.question').textContent(), GROUP3.question);
    assert.equal(await page.locator('.label').textContent(), GROUP3.label);
    assert.equal(await page.locator('dd[data-field="id"]').textContent(), 'demo-group3-015');
    assert.equal(await page.locator('dd[data-field="line"]').textContent(), '274');
    assert.equal(await page.locator('dd[data-field="group size"]').textContent(), '3');
    assert.equal(await page.locator('dd[data-field="position"]').textContent(), '1 of 3');
    assert.equal((await page.locator('.progress-count').textContent())?.trim(), '0 / 3');
  });

  it('marks the correct MCQ option', async () => {
    page = await openCurator(browser, server.url, { ...reviewConfig(), results: { ready: { ...reviewInit(), start: 1 } } });
    await page.locator('.item[data-key="demo-mcq-030"]').waitFor();
    assert.equal(await page.locator('.candidate').count(), 3);
    assert.equal(await page.locator('.candidate.correct').count(), 1);
    assert.match((await page.locator('.candidate.correct').textContent()) ?? '', /A\. The first image ✓ correct/);
  });

  it('renders hostile dataset strings as text and refused images as placeholders with the reason', async () => {
    page = await openCurator(browser, server.url, { ...reviewConfig(), results: { ready: { ...reviewInit(), start: 2 } } });
    await page.locator('.item[data-key="demo-hostile-032"]').waitFor();
    assert.equal(await page.locator('.label').textContent(), HOSTILE.label);
    assert.equal(await page.locator('.label img, .label script, .question b').count(), 0);
    assert.equal(await page.evaluate('document.querySelectorAll("script").length'), 1, 'only the bundle script exists');
    assert.equal(await page.title(), 'curator test');
    const ph = page.locator('.image-missing');
    assert.equal(await ph.count(), 1);
    assert.equal(await ph.getAttribute('data-problem'), 'escapes');
    assert.equal(await ph.locator('.image-missing-path').textContent(), '../../etc/passwd.png');
    assert.match((await ph.locator('.image-missing-reason').textContent()) ?? '', /leaves the image root/);
    assert.equal(await page.locator('.images img').count(), 1);
  });

  it('shows a verdict as saved only after the host confirms it, and moves on at once', async () => {
    page = await openCurator(browser, server.url, reviewConfig({ hold: ['mark'] }));
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'key', { action: 'correct' });
    await page.locator('.item[data-position="1"]').waitFor();
    const marks = (await sent(page)).filter((m) => m.method === 'mark');
    assert.deepEqual(
      marks.map((m) => [m.params.key, m.params.verdict]),
      [['demo-group3-015', 'correct']],
    );
    // not confirmed yet: no progress, nothing in the saved log, the verdict reads "saving…"
    assert.equal((await page.locator('.progress-count').textContent())?.trim(), '0 / 3');
    assert.equal(await page.locator('.saved-log li').count(), 0);
    await notify(page, 'key', { action: 'prev' });
    await page.locator('.item[data-position="0"]').waitFor();
    assert.equal(await page.locator('.verdict').getAttribute('data-state'), 'saving');
    assert.match((await page.locator('.verdict').textContent()) ?? '', /Correct — saving…/);
    await page.evaluate('window.__host.release()');
    await page.locator('.verdict[data-state="saved"]').waitFor();
    assert.match((await page.locator('.verdict').textContent()) ?? '', /Correct — saved/);
    assert.equal((await page.locator('.progress-count').textContent())?.trim(), '1 / 3');
    assert.equal(await page.locator('.saved-log li[data-key="demo-group3-015"][data-verdict="correct"]').count(), 1);
  });

  it('says NOT saved when the host cannot write the verdict', async () => {
    page = await openCurator(browser, server.url, reviewConfig({ fail: { mark: 'EROFS: read-only file system' } }));
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'key', { action: 'incorrect' });
    await page.locator('.flash-error', { hasText: 'NOT saved' }).waitFor();
    await notify(page, 'key', { action: 'prev' });
    await page.locator('.item[data-position="0"]').waitFor();
    assert.equal(await page.locator('.verdict').getAttribute('data-state'), 'failed');
    assert.equal((await page.locator('.progress-count').textContent())?.trim(), '0 / 3');
  });

  it('reports keyboard focus to the host (item vs. typing a note) and keeps its position with setState', async () => {
    page = await openCurator(browser, server.url, reviewConfig());
    await page.locator('.item-pane').click();
    await page.waitForFunction(() => (globalThis as unknown as HostWindow).__host.sent.some((m) => m.method === 'focusChanged' && m.params.area === 'item'));
    await notify(page, 'key', { action: 'note' });
    await page.waitForFunction(
      () => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'focusChanged').at(-1)?.params.area === 'input',
    );
    await page.keyboard.type('blurry');
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'focusChanged').at(-1)?.params.area === 'item',
    );
    await notify(page, 'key', { action: 'next' });
    await page.locator('.item[data-position="1"]').waitFor();
    assert.equal(await position(page), '1');
    assert.deepEqual(await page.evaluate('window.__host.state.position'), 1);
    const pos = (await sent(page)).filter((m) => m.method === 'positionChanged').map((m) => m.params.position);
    assert.deepEqual(pos, [0, 1]);
  });

  it('starts over when the host says its view changed (e.g. another reviewer), without doubling handlers', async () => {
    page = await openCurator(browser, server.url, { ...reviewConfig(), results: { ready: reviewInit(), find: { index: 1 } } });
    await notify(page, 'refresh', { reason: 'reviewer is now ana' });
    await page.waitForFunction(() => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'ready').length === 2);
    await page.locator('#app[data-state="ready"] .item[data-position="0"]').waitFor();
    assert.equal(await page.locator('.toolbar .progress-count').count(), 1);
    await page.locator('input.jump').fill('#1');
    await page.locator('input.jump').press('Enter');
    await page.locator('.item[data-position="1"]').waitFor();
    assert.equal((await sent(page)).filter((m) => m.method === 'find').length, 1);
  });

  it('review: the host moves the view to a plan position (next model disagreement), asking for it by position', async () => {
    page = await openCurator(browser, server.url, reviewConfig());
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'review.show', { position: 2 });
    await page.locator(`.item[data-position="2"][data-key="${HOSTILE.key}"]`).waitFor();
    const asked = (await sent(page)).filter((m) => m.method === 'review.item').map((m) => m.params.position);
    assert.ok(asked.includes(2));
    assert.equal((await sent(page)).filter((m) => m.method === 'record').length, 0, 'review never asks for a dataset record index');
    // a record index is not a plan position: review ignores "showRecord"
    await notify(page, 'showRecord', { index: 1 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await position(page), '2');
  });

  it('preview: the host shows a record by its dataset index and drops fetched items after an edit', async () => {
    const init: InitState = {
      mode: 'preview',
      readOnly: true,
      start: 0,
      warnings: [],
      subsets: [],
      dataset: { name: 'd.jsonl', path: '/data/d.jsonl', count: 3, format: 'llava', bytes: 100 },
    };
    page = await openCurator(browser, server.url, { results: { ready: init }, items: { 0: GROUP3, 1: MCQ, 2: HOSTILE } });
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'showRecord', { index: 1 });
    await page.locator(`.item[data-position="1"][data-key="${MCQ.key}"]`).waitFor();
    await notify(page, 'showRecord', { index: 0 });
    await page.locator('.item[data-position="0"]').waitFor();
    const before = (await sent(page)).filter((m) => m.method === 'record').length;
    await notify(page, 'showRecord', { index: 0, textChanged: true });
    await page.waitForFunction((n) => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'record').length > n, before);
  });

  it('enlarges an image on click and closes on Escape', async () => {
    page = await openCurator(browser, server.url, reviewConfig());
    await page.locator('.images img').nth(1).click();
    await page.locator('.lightbox:not([hidden]) img').waitFor();
    assert.match((await page.locator('.lightbox-caption').textContent()) ?? '', /The second image — images\/parthenocissus/);
    await page.keyboard.press('Escape');
    await page.locator('.lightbox').waitFor({ state: 'hidden' });
  });

  it('browse mode keeps only the visible rows of a 100 000-record list in the DOM and filters through the host', async () => {
    const init: InitState = {
      mode: 'browse',
      readOnly: true,
      start: 0,
      warnings: [],
      subsets: ['Merge2Compare', 'Q-Instruct'],
      dataset: { name: 'big.jsonl', path: '/data/big.jsonl', count: 100_000, format: 'llava', bytes: 1 << 28 },
    };
    const items: Record<number, ItemView> = { 0: { ...GROUP3, index: 0, key: 'rec-0' }, 5000: { ...MCQ, index: 5000, key: 'rec-5000' } };
    page = await openCurator(browser, server.url, {
      results: { ready: init, query: { total: 100_000, matches: 100_000, filterId: 1 }, find: { index: 5000 } },
      items,
      listSize: 100_000,
    });
    await page.locator('.row[data-key="rec-0"]').waitFor();
    const rows = await page.locator('.row').count();
    assert.ok(rows > 5 && rows < 100, `rows in the DOM: ${rows}`);
    await page.locator('.list').evaluate((el, top) => {
      el.scrollTop = top;
    }, 44 * 50_000);
    await page.locator('.row[data-key="rec-50000"]').waitFor();
    assert.ok((await page.locator('.row').count()) < 100);
    await page.locator('.filter select[aria-label="Group size"]').selectOption('2');
    await page.waitForFunction(() =>
      (globalThis as unknown as HostWindow).__host.sent.some((m) => m.method === 'query' && (m.params.filter as { groupSize?: number }).groupSize === 2),
    );
    await page.locator('input.jump').fill('rec-5000');
    await page.locator('input.jump').press('Enter');
    await page.locator('.item[data-key="rec-5000"]').waitFor();
    assert.equal(await page.evaluate('window.__host.state.browseIndex'), 5000);
  });

  it('browse: the selected row draws its #index in the selection foreground (readable on the selection colour)', async () => {
    page = await openCurator(
      browser,
      server.url,
      browsing('small.jsonl', [
        { ...GROUP3, index: 0, key: 'rec-0' },
        { ...MCQ, index: 1, key: 'rec-1' },
      ]),
    );
    // VS Code's dark theme colours: a light grey description, white on a blue selection.
    await page.evaluate(() => {
      type Dom = { document: { documentElement: { style: { setProperty(name: string, value: string): void } } } };
      const root = (globalThis as unknown as Dom).document.documentElement.style;
      root.setProperty('--vscode-descriptionForeground', 'rgb(204, 204, 204)');
      root.setProperty('--vscode-list-activeSelectionBackground', 'rgb(4, 57, 94)');
      root.setProperty('--vscode-list-activeSelectionForeground', 'rgb(255, 255, 255)');
    });
    await page.locator('.row.selected[data-key="rec-0"]').waitFor();
    const p = page;
    type Styles = { getComputedStyle(el: unknown): { color: string } };
    const colour = (sel: string) => p.locator(sel).evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el).color);
    assert.equal(await colour('.row.selected .row-index'), 'rgb(255, 255, 255)');
    assert.equal(await colour('.row:not(.selected) .row-index'), 'rgb(204, 204, 204)');
  });
});
