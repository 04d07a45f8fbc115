/**
 * Workspace Trust in a real VS Code: in an untrusted (restricted) folder the curator still shows
 * datasets and spot checks, but read-only — the review keys write nothing and "New Spot Check"
 * refuses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { spotcheckDir, writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('untrusted workspace (code-server)', function () {
  this.timeout(180_000);
  let vs: VsCode | undefined;
  captureFailures(() => vs);
  let ws = '';

  after(async () => {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('opens a spot check read-only and writes no verdict', async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'untrusted');
    const ds = Dataset.open(path.join(ws, 'coinstruct-demo.json'));
    const dir = spotcheckDir(path.join(ws, '.curator'), 'locked-5');
    writePlan(dir, drawSample(ds, { name: 'locked-5', seed: 'u', size: 5, strata: parseStrata('none'), planDir: dir }));
    ds.close();

    vs = await VsCode.start({ workspace: ws, trusted: false, settings: { 'curator.reviewer': 'untrusted', 'curator.suggestOpenWithCurator': false } });
    await vs.runCommand('Curator: Open Spot Check');
    await vs.answerQuickInput(undefined, 'locked-5');
    const view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await view.locator('.banners .readonly', { hasText: 'not trusted' }).waitFor({ timeout: 10_000 });
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('c');
    await vs.press('ArrowRight');
    await view.locator('.item[data-position="1"]').waitFor({ timeout: 10_000 });
    assert.equal((await view.locator('.progress-count').textContent())?.trim(), '0 / 5');
    assert.deepEqual(fs.readdirSync(dir), ['plan.json'], 'no journal was written');
    await vs.screenshot('e2e-untrusted-review');

    await vs.runCommand('Curator: New Spot Check');
    await vs.page.locator('.notifications-toasts', { hasText: 'trust this workspace' }).first().waitFor({ timeout: 15_000 });
    assert.deepEqual(fs.readdirSync(path.join(ws, '.curator', 'spotchecks')), ['locked-5']);
  });
});
