/**
 * Issue #14 §5 in a real VS Code (code-server + Chromium): review panels opened with Curator: Open
 * Spot Check. Two datasets of the same file name (setA/ and setB/, each with a spot check "weekly")
 * get told-apart titles; running the command again for an open review reveals its panel instead of
 * opening a second; after a window reload both panels are back with their titles — the one on show
 * restored by the serializer, the other (not shown since the reload) replaced by Open Spot Check in its
 * place — and marking in either still writes the verdict to its own journal.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { spotcheckDir, writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { journalPath, readJournal } from '../../src/core/verdicts';
import { captureFailures, REPO_ROOT, VsCode } from './harness';

const TITLE = { setA: 'Review: coinstruct-demo.json (setA) · weekly', setB: 'Review: coinstruct-demo.json (setB) · weekly' };

describe('review panels: same-named datasets, reveal, reload (code-server)', function () {
  this.timeout(400_000);
  let vs: VsCode | undefined;
  let ws = '';
  const journals: Record<string, string> = {};

  captureFailures(() => vs, 'failed-reviewPanel');

  after(async () => {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  const tab = (title: string) => vs!.page.locator('.tabs-container .tab', { hasText: title });
  const reviewTabs = async () => (await vs!.page.locator('.tabs-container .tab').allTextContents()).filter((t) => t.includes('Review:')).map((t) => t.trim());
  const activeTab = async () => ((await vs!.page.locator('.tabs-container .tab.active').first().textContent()) ?? '').trim();

  /**
   * Opens `set`'s dataset in the text editor through Quick Open. (vs.openFile takes the first row whose
   * name matches, and Quick Open lists the recently opened reviews, whose titles hold that name too.)
   */
  async function openDatasetText(set: 'setA' | 'setB'): Promise<void> {
    const page = vs!.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`${set}/coinstruct-demo.json`);
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: set, hasNotText: 'Review' })
      .filter({ hasText: 'coinstruct-demo.json' })
      .first()
      .click({ timeout: 30_000 });
    await page.locator('.tabs-container .tab.active', { hasText: 'coinstruct-demo.json', hasNotText: 'Review' }).waitFor({ timeout: 30_000 });
  }

  /**
   * Curator: Open Spot Check from the text editor of `set`'s dataset (with a review on show the command
   * takes that review), picking the plan of `set` (both are called "weekly"; the row's description names the folder).
   */
  async function openSpotCheck(set: 'setA' | 'setB'): Promise<void> {
    await openDatasetText(set);
    await vs!.runCommand('Curator: Open Spot Check');
    await vs!.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open Spot Check' }).waitFor({ state: 'visible', timeout: 15_000 });
    await vs!.page.locator('.quick-input-widget .monaco-list-row', { hasText: `${set}/` }).click({ timeout: 15_000 });
  }

  /** Marks the item on show with `key` in the review on show; waits for the journal of `set` to hold `count` verdicts. */
  async function mark(set: 'setA' | 'setB', key: string, verdict: string, count: number): Promise<void> {
    const view = vs!.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await vs!.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs!.press(key);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const j = fs.existsSync(journals[set]) ? readJournal(journals[set]) : undefined;
      if (j && j.latest.size === count && j.lines.at(-1)?.verdict === verdict) break;
      if (Date.now() > deadline)
        assert.fail(`${journals[set]} should hold ${count} verdicts, the last "${verdict}": ${j ? JSON.stringify(j.lines) : 'missing'}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await view.locator('.progress-count', { hasText: `${count} / 10` }).waitFor({ timeout: 10_000 });
  }

  before(async function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-e2e-panels-'));
    for (const set of ['setA', 'setB']) {
      fs.mkdirSync(path.join(ws, set));
      fs.copyFileSync(path.join(REPO_ROOT, 'demo', 'coinstruct-demo.json'), path.join(ws, set, 'coinstruct-demo.json'));
      fs.cpSync(path.join(REPO_ROOT, 'demo', 'images'), path.join(ws, set, 'images'), { recursive: true });
      const ds = Dataset.open(path.join(ws, set, 'coinstruct-demo.json'));
      const dir = spotcheckDir(path.join(ws, set, '.curator'), 'weekly');
      writePlan(dir, drawSample(ds, { name: 'weekly', seed: set, size: 10, strata: parseStrata('none'), planDir: dir }));
      ds.close();
      journals[set] = journalPath(dir, 'panels');
    }
    vs = await VsCode.start({
      workspace: ws,
      settings: { 'curator.reviewer': 'panels', 'curator.suggestOpenWithCurator': false },
      machineSettings: { 'curator.reviewer': 'panels' },
    });
  });

  it('tells two datasets of the same file name apart in the titles', async () => {
    await openSpotCheck('setA');
    // Alone, the dataset's name is enough.
    await tab('Review: coinstruct-demo.json · weekly').waitFor({ timeout: 60_000 });
    await mark('setA', 'c', 'correct', 1);
    await openSpotCheck('setB');
    await tab(TITLE.setB).waitFor({ timeout: 60_000 });
    // The first review's title gains its folder once the second dataset of that name is open.
    await tab(TITLE.setA).waitFor({ timeout: 15_000 });
    assert.deepEqual((await reviewTabs()).sort(), [TITLE.setA, TITLE.setB]);
    assert.equal(await activeTab(), TITLE.setB);
    await mark('setB', 'x', 'incorrect', 1);
  });

  it('reveals the open review when the command runs again, never a second panel', async () => {
    // From a text editor, Open Spot Check asks which plan; setA's review is open behind setB's.
    await openSpotCheck('setA');
    await vs!.page.locator('.tabs-container .tab.active', { hasText: TITLE.setA }).waitFor({ timeout: 30_000 });
    // With a review on show, the command takes that review: it stays, nothing new opens.
    await vs!.runCommand('Curator: Open Spot Check');
    await vs!.page.waitForTimeout(2_000);
    assert.equal(await vs!.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open Spot Check' }).isVisible(), false, 'no plan asked for');
    assert.deepEqual((await reviewTabs()).sort(), [TITLE.setA, TITLE.setB], 'still one panel per review');
    assert.equal(await activeTab(), TITLE.setA);
    // The revealed panel is the live one: its progress is the verdict given before.
    await vs!.webview().locator('.progress-count', { hasText: '1 / 10' }).waitFor({ timeout: 10_000 });
  });

  it('after a reload both panels are back with their titles, and marking still writes the verdict', async () => {
    await vs!.reload();
    await tab(TITLE.setA).waitFor({ timeout: 60_000 });
    await tab(TITLE.setB).waitFor({ timeout: 60_000 });
    assert.deepEqual((await reviewTabs()).sort(), [TITLE.setA, TITLE.setB]);
    // setA's panel was on show: the serializer restored it, with its progress.
    assert.equal(await activeTab(), TITLE.setA);
    await vs!.webview().locator('.progress-count', { hasText: '1 / 10' }).waitFor({ timeout: 60_000 });
    await mark('setA', 'x', 'incorrect', 2);
    await vs!.screenshot('e2e-review-panels-reloaded');
    // setB's tab has not been shown since the reload; Open Spot Check takes its place (no second tab).
    await openSpotCheck('setB');
    await vs!.page.locator('.tabs-container .tab.active', { hasText: TITLE.setB }).waitFor({ timeout: 60_000 });
    await vs!.webview().locator('.progress-count', { hasText: '1 / 10' }).waitFor({ timeout: 60_000 });
    await mark('setB', 'c', 'correct', 2);
    assert.deepEqual((await reviewTabs()).sort(), [TITLE.setA, TITLE.setB], 'one panel per review after the reload');
  });
});
