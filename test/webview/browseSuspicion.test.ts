/**
 * Browse's sort and filter by suspicion (issue #16) in headless Chromium against the scripted fake
 * host (curatorPage.ts): the Sort menu and the "Suspicion ≥" box send a query with `sort` and
 * `minSuspicion`; the sorted list starts at its first row (the most suspicious record, not record 0),
 * rows carry their suspicion, the selected record's claims are asked for by dataset index and shown
 * beside the label, and the host's note (untrusted workspace, cancelled) is shown.
 */
import * as assert from 'node:assert/strict';
import type { InitState, ItemClaimsView, ItemView, ListRow } from '../../src/protocol';
import { curatorSuite, openCurator, sent, type FakeHostConfig } from './curatorPage';

type HostWindow = { __host: { sent: { method: string; params: Record<string, unknown> }[] } };
type Filter = { sort?: string; minSuspicion?: number };

const ok = (p: string) => ({ ok: true as const, path: p, src: `/${p}` });
const item = (index: number, label: string): ItemView => ({
  index,
  key: `rec-${index}`,
  hash: `h${index}`,
  line: index + 1,
  format: 'llava',
  groupSize: 2,
  images: [ok('images/harvest-642254_11_04.jpg'), ok('images/railway-336702_07_03.jpg')],
  question: 'Which image is sharper?',
  label,
});
const ITEMS = { 0: item(0, 'Both are fine.'), 3: item(3, 'The first image is sharper than the second image.') };
const ROWS: ListRow[] = [
  { index: 3, key: 'rec-3', groupSize: 2, snippet: 'The first image is sharper', suspicion: 0.667 },
  { index: 1, key: 'rec-1', groupSize: 2, snippet: 'The second image is darker', suspicion: 0.4 },
  { index: 0, key: 'rec-0', groupSize: 2, snippet: 'Both are fine.', suspicion: 0 },
];
const CLAIMS: ItemClaimsView = {
  key: 'rec-3',
  suspicion: 0.667,
  claims: [
    {
      text: 'The first image is sharper than the second image',
      attribute: 'sharpness',
      images: [1, 2],
      relation: 'greater',
      status: 'contradicts',
      values: [95, 812],
      reason: 'sharpness 95 vs 812',
    },
  ],
  images: [
    { path: 'images/harvest-642254_11_04.jpg', error: 'x' },
    { path: 'images/railway-336702_07_03.jpg', error: 'y' },
  ],
  measured: 0,
  cached: 2,
};
const init: InitState = {
  mode: 'browse',
  readOnly: false,
  start: 0,
  warnings: [],
  subsets: [],
  dataset: { name: 'demo.json', path: '/data/demo.json', count: 5, format: 'llava', bytes: 4096 },
};
const config = (query: Record<string, unknown>): FakeHostConfig => ({
  results: { ready: init, 'browse.claims': CLAIMS },
  // The first query (no filter) lists records in order; the next ones answer the sort.
  sequence: { query: [{ total: 5, matches: 5, filterId: 1 }, query] },
  items: ITEMS,
  listSize: 5,
  listRows: { 2: ROWS },
});

describe('browse: sort and filter by suspicion (headless Chromium)', function () {
  this.timeout(60_000);
  const suite = curatorSuite();

  it('sends sort=suspicion and minSuspicion from the menu and the box, and starts at the most suspicious record with its claims', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({ total: 5, matches: 3, filterId: 2, sorted: true })));
    await page.locator('.item[data-key="rec-0"]').waitFor();
    const sort = page.getByRole('combobox', { name: 'Sort' });
    assert.equal(await sort.inputValue(), 'index');
    await sort.selectOption('suspicion');
    await page.waitForFunction(() =>
      (globalThis as unknown as HostWindow).__host.sent.some((m) => m.method === 'query' && (m.params.filter as Filter).sort === 'suspicion'),
    );
    // Sorted: list position 0 is record 3, not record 0.
    await page.locator('.item[data-key="rec-3"]').waitFor();
    assert.equal(await page.locator('.item').getAttribute('data-position'), '0');
    const msgs = await sent(page);
    const sortedAt = msgs.findIndex((m) => m.method === 'query' && (m.params.filter as Filter).sort === 'suspicion');
    assert.equal(msgs.slice(sortedAt).find((m) => m.method === 'record')?.params.index, 3, 'the first record fetched after sorting');
    const row = page.locator('.row[data-key="rec-3"]');
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    assert.equal(await row.locator('.row-suspicion').textContent(), 'susp 0.67');
    assert.equal(await row.locator('.row-suspicion').getAttribute('aria-label'), 'suspicion 0.67');
    assert.match((await page.locator('.row[data-key="rec-0"] .row-suspicion').getAttribute('class')) ?? '', /^row-suspicion$/);

    // The claims of the selected record, asked for by its dataset index, beside the label.
    const panel = page.locator('.label-row > aside.claims[data-state="ready"][data-key="rec-3"]');
    await panel.waitFor();
    assert.deepEqual(
      (await sent(page)).filter((m) => m.method === 'browse.claims').map((m) => m.params),
      [{ index: 0 }, { index: 3 }],
    );
    const text = (await panel.textContent()) ?? '';
    assert.match(text, /suspicion 0\.67/);
    assert.match(text, /contradicts/);
    assert.match(text, /sharpness 95 vs 812/);

    // "Suspicion ≥" by keyboard: type and Enter.
    const min = page.getByRole('spinbutton', { name: 'Minimum suspicion, 0 to 1' });
    await min.fill('0.5');
    await min.press('Enter');
    await page.waitForFunction(() =>
      (globalThis as unknown as HostWindow).__host.sent.some((m) => {
        const f = m.params.filter as Filter | undefined;
        return m.method === 'query' && f?.minSuspicion === 0.5 && f.sort === 'suspicion';
      }),
    );
    // Out of range is clamped to [0, 1]; empty means no minimum.
    await min.fill('7');
    await min.press('Enter');
    await page.waitForFunction(() =>
      (globalThis as unknown as HostWindow).__host.sent.some((m) => m.method === 'query' && (m.params.filter as Filter).minSuspicion === 1),
    );
    await sort.selectOption('index');
    await min.fill('');
    await min.press('Enter');
    await page.waitForFunction(() => {
      const qs = (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'query');
      const f = qs[qs.length - 1].params.filter as Filter;
      return f.sort === undefined && f.minSuspicion === undefined;
    });
    // The filter is kept across hide and reload: the state the webview saves once it has shown the first match.
    await page.waitForFunction(() => {
      const f = (globalThis as unknown as { __host: { state?: { filter?: Filter } } }).__host.state?.filter;
      return f !== undefined && f.minSuspicion === undefined;
    });
    const state = (await page.evaluate('window.__host.state')) as { filter?: Filter };
    assert.deepEqual({ sort: state.filter?.sort, min: state.filter?.minSuspicion }, { sort: undefined, min: undefined });
  });

  it("shows the host's note when it does not measure (untrusted workspace) and keeps record order", async () => {
    const note = 'Suspicion is not measured in an untrusted workspace: trust it to sort or filter by suspicion.';
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({ total: 5, matches: 5, filterId: 2, note })));
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('suspicion');
    await page.waitForFunction(
      (t) =>
        Array.from(
          (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document.querySelectorAll(
            '.filter-note',
          ),
        ).some((e) => e.textContent === t),
      note,
    );
    assert.equal(await page.locator('.filter-note').getAttribute('role'), 'status');
  });
});
