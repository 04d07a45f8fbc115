/**
 * Issue #14 §5 in a real VS Code (code-server + Chromium). Walkthrough steps complete on the real
 * event — a dataset opened in the curator, a spot check created, a verdict saved — and not when a
 * command is merely invoked (a cancelled New Spot Check completes nothing). A review tab says what it
 * reviews — "Review: <dataset> · <spot check>", never "plan.json". (The workspace holds two datasets
 * of the same file name, setA/ and setB/; telling them apart in the titles is covered by
 * test/unit/tabLabels.test.ts and in code-server by reviewPanel.test.ts.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, VsCode } from './harness';
import { walkthroughSteps } from './walkthroughSteps';

describe('review tab titles (code-server)', function () {
  this.timeout(300_000);
  let vs: VsCode;
  let ws: string;

  before(async function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-e2e-titles-'));
    for (const set of ['setA', 'setB']) {
      fs.mkdirSync(path.join(ws, set));
      fs.copyFileSync(path.join(REPO_ROOT, 'demo', 'coinstruct-demo.json'), path.join(ws, set, 'coinstruct-demo.json'));
      fs.cpSync(path.join(REPO_ROOT, 'demo', 'images'), path.join(ws, set, 'images'), { recursive: true });
    }
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e' }, machineSettings: { 'curator.reviewer': 'e2e' } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  const tabLabels = () => vs.page.locator('.tabs-container .tab').allTextContents();

  async function newSpotCheck(set: string): Promise<void> {
    await vs.openFile(`${set}/coinstruct-demo.json`);
    await vs.runCommand('Curator: Open Dataset');
    await vs.webview().locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await vs.runCommand('Curator: New Spot Check');
    await vs.answerQuickInput(undefined, undefined, 'sample size');
    await vs.answerQuickInput('5', undefined, 'seed');
    await vs.answerQuickInput(undefined, 'By group size', 'strata');
  }

  it('walkthrough steps are open at first, and a cancelled New Spot Check completes none', async () => {
    const before = await walkthroughSteps(vs);
    assert.deepEqual([before.openDataset, before.spotCheck, before.review], [false, false, false], JSON.stringify(before));
    await vs.runCommand('Curator: New Spot Check');
    await vs.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 15_000 });
    await vs.press('Escape');
    const after = await walkthroughSteps(vs);
    assert.equal(after.spotCheck, false, 'invoking the command is not creating a spot check');
  });

  it('titles a review by dataset and spot check (never plan.json); its keys save verdicts; the steps are then done', async () => {
    await newSpotCheck('setA');
    const first = vs.page.locator('.tabs-container .tab.active', { hasText: 'Review: coinstruct-demo.json · sample-33-seed5' });
    await first.waitFor({ timeout: 60_000 });
    await vs.webview().locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    assert.ok(!(await tabLabels()).some((l) => l.includes('plan.json')), `no plan.json tab: ${(await tabLabels()).join(' | ')}`);
    // The review keys work in the titled panel: c marks the item correct (on disk before it shows as saved).
    await vs.focusWebview();
    await vs.press('c');
    const journal = path.join(ws, 'setA', '.curator', 'spotchecks', 'sample-33-seed5', 'verdicts-e2e.jsonl');
    const deadline = Date.now() + 30_000;
    while (!(fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('"correct"')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.ok(fs.readFileSync(journal, 'utf8').includes('"correct"'), 'verdict appended');
    const steps = await walkthroughSteps(vs);
    assert.deepEqual([steps.openDataset, steps.spotCheck, steps.review], [true, true, true], `steps done on the real events: ${JSON.stringify(steps)}`);
  });
});
