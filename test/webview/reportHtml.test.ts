/**
 * The standalone HTML report in headless Chromium (Debian's chromium via playwright-core): it loads
 * with no CSP violation or console error, follows the light/dark system preference, fits the page
 * width, and its charts put each point inside its whiskers without overlapping labels.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { renderHtml } from '../../src/core/report/html';
import { buildReport } from '../../src/core/report/model';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/report');
const artifacts = path.join(root, 'test/artifacts');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** Just the browser APIs these page functions use (the Node test build has no DOM library). */
interface El {
  getAttribute(n: string): string | null;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
  getBBox(): Box;
}
interface Win {
  document: {
    body: unknown;
    documentElement: { scrollWidth: number };
    addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void;
  };
  innerWidth: number;
  getComputedStyle(e: unknown): { backgroundColor: string };
  console: { error(s: string): void };
}

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('HTML report in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let file: string;
  let dir: string;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-report-html-'));
    file = path.join(dir, 'report.html');
    const report = buildReport([path.join(fixtures, 'merged'), path.join(fixtures, 'removed')], { compare: true });
    fs.writeFileSync(file, renderHtml(report));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(scheme: 'light' | 'dark'): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 960, height: 900 }, colorScheme: scheme });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(() => {
      const w = globalThis as unknown as Win;
      w.document.addEventListener('securitypolicyviolation', (e) => w.console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`file://${file}`);
    return { page, problems };
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders cleanly in the ${scheme} scheme`, async () => {
      const { page, problems } = await open(scheme);
      try {
        const bg = await page.evaluate(() => {
          const w = globalThis as unknown as Win;
          return w.getComputedStyle(w.document.body).backgroundColor;
        });
        const m = /rgba?\((\d+), (\d+), (\d+)/.exec(bg)!;
        const lum = (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) / 255;
        assert.ok(scheme === 'light' ? lum > 0.9 : lum < 0.15, `background ${bg}`);
        const fits = await page.evaluate(() => {
          const w = globalThis as unknown as Win;
          return w.document.documentElement.scrollWidth <= w.innerWidth;
        });
        assert.ok(fits, 'the page overflows horizontally');
        fs.mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: path.join(artifacts, `report-standalone-${scheme}.png`), fullPage: true });
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  }

  it('charts: every point sits inside its whiskers; labels do not overlap', async () => {
    const { page } = await open('light');
    try {
      const rows = await page.$$eval('svg.chart g.row', (nodes) =>
        (nodes as unknown as El[]).map((g) => {
          const whisker = g.querySelector('line.whisker');
          const mark = g.querySelector('circle, path.mark, rect.mark');
          const texts = Array.from(g.querySelectorAll('text')).map((t) => t.getBBox());
          return {
            x1: whisker ? Number(whisker.getAttribute('x1')) : null,
            x2: whisker ? Number(whisker.getAttribute('x2')) : null,
            mark: mark ? (({ x, y, width, height }: Box) => ({ x, y, width, height }))(mark.getBBox()) : null,
            texts: texts.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height })),
          };
        }),
      );
      assert.equal(rows.length, 2 + 1 + 4 + 1); // overview (2 spot checks), forest (1 pair), merged (2 strata, overall, weighted), removed (overall)
      for (const r of rows) {
        if (r.x1 === null || !r.mark) continue;
        const cx = r.mark.x + r.mark.width / 2;
        assert.ok(cx >= r.x1 - 0.5 && cx <= r.x2! + 0.5, `point ${cx} outside [${r.x1}, ${r.x2}]`);
        for (let i = 0; i < r.texts.length; i++)
          for (let j = i + 1; j < r.texts.length; j++)
            assert.ok(!overlap(r.texts[i], r.texts[j]), `labels overlap: ${JSON.stringify([r.texts[i], r.texts[j]])}`);
      }
      // Indicative strata (n < 30) are drawn hollow with dashed whiskers.
      assert.ok((await page.locator('svg.chart circle.indicative').count()) >= 2);
      assert.ok((await page.locator('svg.chart line.whisker.indicative').count()) >= 2);
    } finally {
      await page.close();
    }
  });
});
