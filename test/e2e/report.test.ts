/**
 * The spot-check report in a real VS Code (code-server + Chromium), light and dark theme: the
 * hand-written fixture plans (test/fixtures/report) are opened with "Curator: Show Spot-Check
 * Report"; the numbers, charts and warnings show; a verdict appended to a journal refreshes the
 * report; an export button writes .curator/reports/; an item link opens the item.
 * Screenshots: test/artifacts/report-light.png, report-dark.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { REPO_ROOT, VsCode, captureFailures } from './harness';

/** A workspace holding the fixture plans under .curator/spotchecks/ (their datasets beside them). */
function reportWorkspace(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-e2e-report-'));
  fs.cpSync(path.join(REPO_ROOT, 'test/fixtures/report'), path.join(ws, '.curator', 'spotchecks'), { recursive: true });
  return ws;
}

/** The browser's getComputedStyle, typed without the DOM library. */
interface Styled {
  getComputedStyle(e: unknown): { backgroundColor: string; fill: string };
}

/** Relative luminance (0 dark – 1 light) of a CSS rgb() colour. */
function luminance(rgb: string): number {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(rgb);
  if (!m) return NaN;
  return (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) / 255;
}

/**
 * Preferences: Color Theme → the theme. The palette's first match for "Color Theme" is the
 * marketplace entry, so the row is clicked by its exact label (retried while the machine is busy).
 */
async function pickColorTheme(vs: VsCode, label: string): Promise<void> {
  const input = vs.page.locator('.quick-input-widget input.input');
  const deadline = Date.now() + 120_000;
  for (;;) {
    await vs.page.keyboard.press('Escape');
    await vs.page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>Preferences: Color Theme');
      await vs.page
        .locator('.quick-input-widget .monaco-list-row', { hasText: /^Preferences: Color Theme/ })
        .first()
        .click({ timeout: 5_000 });
      await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(label);
      await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().click({ timeout: 5_000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
}

for (const theme of ['light', 'dark'] as const) {
  describe(`spot-check report in VS Code (${theme} theme)`, function () {
    this.timeout(300_000);
    let vs: VsCode;
    let ws: string;
    let view: FrameLocator;

    before(async function () {
      ws = reportWorkspace();
      vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e' } });
      // "workbench.colorTheme" in the settings file is not applied by code-server's web workbench;
      // pick the theme the way a user does.
      await pickColorTheme(vs, theme === 'light' ? 'Light Modern' : 'Dark Modern');
      await vs.page.locator(`.monaco-workbench.${theme === 'light' ? 'vs' : 'vs-dark'}`).waitFor({ timeout: 60_000 });
    });

    after(async function () {
      if (vs) await vs.close();
      if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    captureFailures(() => vs, `failed-report-${theme}`);

    it('shows the report of every spot check with numbers, charts and warnings', async () => {
      await vs.runCommand('Curator: Show Spot-Check Report', 120_000);
      await vs.answerQuickInput(undefined, 'All spot checks');
      view = vs.webview();
      await view.locator('#report section.spotcheck').nth(1).waitFor({ timeout: 90_000 });
      const merged = view.locator('section.spotcheck[data-spotcheck="merged"]');
      assert.equal(await merged.locator('.big').textContent(), '87.2 %');
      assert.match((await merged.locator('.ci').textContent()) ?? '', /\[73\.3, 94\.4\] 95 % CI/);
      assert.match((await merged.locator('.warnings').textContent()) ?? '', /changed since the plan was drawn/);
      assert.equal(await view.locator('svg.chart').count(), 4);
      assert.match((await view.locator('section.comparisons').textContent()) ?? '', /\+15\.2 pp/);
      const bg = await view.locator('body').evaluate((b) => (globalThis as unknown as Styled).getComputedStyle(b).backgroundColor);
      const lum = luminance(bg);
      assert.ok(theme === 'light' ? lum > 0.8 : lum < 0.25, `background ${bg} does not follow the ${theme} theme`);
      const fill = await view
        .locator('svg.chart text.value')
        .first()
        .evaluate((t) => (globalThis as unknown as Styled).getComputedStyle(t).fill);
      assert.ok(theme === 'light' ? luminance(fill) < 0.5 : luminance(fill) > 0.5, `chart text ${fill} is not readable on ${bg}`);
      await vs.screenshot(`report-${theme}`);
      await merged.locator('.chart-wrap').scrollIntoViewIfNeeded();
      await vs.screenshot(`report-${theme}-strata`);
    });

    if (theme === 'light') {
      it('refreshes when a verdict arrives', async () => {
        const journal = path.join(ws, '.curator/spotchecks/removed/verdicts-alice.jsonl');
        const plan = JSON.parse(fs.readFileSync(path.join(ws, '.curator/spotchecks/removed/plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
        const item = plan.items[2]; // judged incorrect in the fixture
        fs.appendFileSync(
          journal,
          JSON.stringify({ v: 1, key: item.key, hash: item.hash, verdict: 'correct', reviewer: 'alice', at: new Date().toISOString() }) + '\n',
        );
        const removed = view.locator('section.spotcheck[data-spotcheck="removed"]');
        await removed.locator('.big', { hasText: '76.0 %' }).waitFor({ timeout: 20_000 });
      });

      it('exports CSV beside the plans', async () => {
        const file = path.join(ws, '.curator/reports/merged-vs-removed.csv');
        await view.locator('button[data-export="csv"]').click();
        const deadline = Date.now() + 15_000;
        while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        const csv = fs.readFileSync(file, 'utf8');
        assert.match(csv, /^spotcheck,key,index,stratum,verdict/);
        assert.equal(csv.trim().split(/\r\n/).length, 1 + 40 + 25);
      });

      it('from the review editor, shows that spot check without asking', async () => {
        await vs.openFile('.curator/spotchecks/removed/plan.json');
        await vs
          .webview()
          .locator('#app[data-mode="review"]')
          .waitFor({ timeout: 60_000 })
          .catch(() => undefined);
        await vs.runCommand('Curator: Show Spot-Check Report', 120_000);
        await vs.page.locator('.tabs-container .tab', { hasText: 'Report: removed' }).first().waitFor({ timeout: 60_000 });
        await vs.webview().locator('section.spotcheck[data-spotcheck="removed"] .big').waitFor({ timeout: 60_000 });
        assert.equal(await vs.webview().locator('section.spotcheck').count(), 1);
        // Back to the two-plan report for the next test.
        await vs.page.locator('.tabs-container .tab', { hasText: 'Report: merged vs removed' }).first().click();
        view = vs.webview();
        await view.locator('section.spotcheck').nth(1).waitFor({ timeout: 30_000 });
      });

      it('an item link opens the item', async () => {
        const before = await vs.page.locator('.tabs-container .tab').count();
        await view.locator('a.item[data-key="m-003"]').click();
        await vs.page
          .locator('.tabs-container .tab')
          .nth(before)
          .waitFor({ timeout: 15_000 })
          .catch(() => undefined);
        const labels = await vs.page.locator('.tabs-container .tab').allTextContents();
        assert.ok(
          labels.some((l) => /merged/.test(l) && !/^Report/.test(l.trim())),
          `no editor opened for the item; tabs: ${labels.join(' | ')}`,
        );
        await vs.screenshot('report-item-link');
      });
    }
  });
}
