/**
 * Issue #14 §5 in a real VS Code (code-server + Chromium): the titled review panel ("Review: <dataset>
 * · <spot check>", opened from Curator: Open Spot Check, not the plan.json custom editor) comes back
 * after the extension host is killed (SIGKILL) and the window is reloaded — with its title, in
 * review mode, and marking still writes the verdict to the journal.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { spotcheckDir, writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { journalPath, readJournal } from '../../src/core/verdicts';
import { captureFailures, copyWorkspace, REPO_ROOT, VsCode } from './harness';

const TITLE = 'Review: coinstruct-demo.json · weekly';

describe('review panel after an extension-host crash and a reload (code-server)', function () {
  this.timeout(300_000);
  let vs: VsCode | undefined;
  let ws = '';

  captureFailures(() => vs, 'failed-reviewPanelCrash');

  after(async () => {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  /** Waits until the journal's latest verdict for some key is `verdict` and the journal holds `count` keys. */
  async function journalHas(journal: string, count: number, verdict: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const j = fs.existsSync(journal) ? readJournal(journal) : undefined;
      if (j && j.latest.size === count && j.lines.at(-1)?.verdict === verdict) return;
      if (Date.now() > deadline)
        assert.fail(`journal ${journal} should hold ${count} verdicts, the last "${verdict}": ${j ? JSON.stringify(j.lines) : 'missing'}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('comes back with its title and marking still writes the verdict', async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'panel-crash');
    const ds = Dataset.open(path.join(ws, 'coinstruct-demo.json'));
    const dir = spotcheckDir(path.join(ws, '.curator'), 'weekly');
    writePlan(dir, drawSample(ds, { name: 'weekly', seed: 'panel', size: 10, strata: parseStrata('none'), planDir: dir }));
    ds.close();
    const journal = journalPath(dir, 'panel');

    vs = await VsCode.start({
      workspace: ws,
      settings: { 'curator.reviewer': 'panel', 'curator.suggestOpenWithCurator': false },
      machineSettings: { 'curator.reviewer': 'panel' },
    });
    await vs.runCommand('Curator: Open Spot Check');
    await vs.answerQuickInput(undefined, 'weekly', 'Open Spot Check');
    const tab = vs.page.locator('.tabs-container .tab', { hasText: TITLE });
    await tab.waitFor({ timeout: 60_000 });
    await vs.webview().locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await vs.focusWebview();
    await vs.webview().locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('c');
    await journalHas(journal, 1, 'correct');

    // Kill the extension host. (code-server does not start a new one: the window offers a reload.)
    const killed = vs.extensionHostPids();
    assert.ok(killed.length > 0, 'found the extension host process');
    for (const pid of killed) process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (vs.extensionHostPids().some((p) => killed.includes(p))) {
      if (Date.now() > deadline) assert.fail('the extension host did not exit within 30 s');
      await vs.page.waitForTimeout(200);
    }
    await vs.page.waitForTimeout(3_000);
    await vs.screenshot('e2e-review-panel-crashed');

    await vs.reload();
    await vs.page.locator('.tabs-container .tab', { hasText: TITLE }).first().click({ timeout: 60_000 });
    const view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    assert.equal((await view.locator('.progress-count').textContent())?.trim(), '1 / 10', 'the restored review resumes with the verdict before the crash');
    assert.equal(await vs.page.locator('.tabs-container .tab', { hasText: 'Review:' }).count(), 1, 'one review panel, not two');
    await vs.screenshot('e2e-review-panel-after-crash-reload');
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('x');
    await journalHas(journal, 2, 'incorrect');
    await view.locator('.progress-count', { hasText: '2 / 10' }).waitFor({ timeout: 10_000 });
  });
});
