/**
 * Issue #12 §3 in a real VS Code (code-server + Chromium): "Curator: New Spot Check" on the 33-record
 * demo proposes 33 (not 250), refuses 250 at the first prompt with the population named, and with
 * its default answers creates a 33-item plan.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('New Spot Check size on a small dataset (code-server)', function () {
  this.timeout(180_000);
  let vs: VsCode;
  captureFailures(() => vs);
  let ws: string;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-size');
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e' }, machineSettings: { 'curator.reviewer': 'e2e' } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('proposes min(250, records), refuses more at the first prompt, and the defaults work', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    await vs.webview().locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await vs.runCommand('Curator: New Spot Check');
    const input = vs.page.locator('.quick-input-widget input.input');
    await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'sample size' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), '33');
    await input.fill('250');
    await vs.page.locator('.quick-input-widget', { hasText: 'at most 33' }).waitFor({ state: 'visible', timeout: 10_000 });
    await vs.page.keyboard.press('Enter');
    // Still on the size prompt: a refused size goes nowhere.
    assert.equal(await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'sample size' }).isVisible(), true);
    await input.fill('33');
    await vs.answerQuickInput(undefined, undefined, 'sample size');
    await vs.answerQuickInput('5', undefined, 'seed');
    await vs.answerQuickInput(undefined, 'By group size', 'strata');
    const file = path.join(ws, '.curator', 'spotchecks', 'sample-33-seed5', 'plan.json');
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: unknown[] };
    assert.equal(plan.items.length, 33);
  });
});
