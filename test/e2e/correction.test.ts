/**
 * Corrections and reasons in a real VS Code (code-server + Chromium; issue #17): on a demo spot
 * check, x marks an item incorrect, ← goes back, r opens the inline editor prefilled with the label,
 * typing and Enter save the correction — it is in the reviewer's journal on disk when the view says
 * "saved" — and the digit keys of `curator.review.reasons` (contributed keybindings with `when`
 * clauses) record reasons; Escape cancels an edit without a journal line. Beside the label, the
 * claims the host checked against the cues it measured (#16). Then the report view's
 * Decide button records a decision in decisions.json (core decide, as `cocurate decide`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { parseArgs } from '../../src/cli/args';
import { sample } from '../../src/cli/commands/sample';
import { readDecisions } from '../../src/core/decisions';
import { readJournal } from '../../src/core/verdicts';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

const NAME = 'fix-5';

describe('review corrections and reasons in VS Code (code-server)', function () {
  this.timeout(180_000);
  let vs: VsCode;
  let ws: string;
  let dir: string;
  let view: FrameLocator;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-correction');
    const io = { out: () => undefined, err: () => undefined };
    const code = await sample.run(
      parseArgs([path.join(ws, 'coinstruct-demo.json'), '--size', '5', '--seed', '11', '--name', NAME, '--out', path.join(ws, '.curator')], sample.flags),
      io,
    );
    assert.equal(code, 0);
    dir = path.join(ws, '.curator', 'spotchecks', NAME);
    vs = await VsCode.start({
      workspace: ws,
      settings: {
        'curator.reviewer': 'e2e',
        'curator.review.reasons': [
          { key: '1', reason: 'wrong ranking' },
          { key: '2', reason: 'claims a distortion that is not there' },
        ],
      },
      machineSettings: { 'curator.reviewer': 'e2e' },
    });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  const journal = () => readJournal(path.join(dir, 'verdicts-e2e.jsonl'));
  const keys = () => (JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { items: { key: string }[] }).items.map((i) => i.key);

  it('opens the spot check in the review editor with the configured reasons', async () => {
    await vs.openFile(`.curator/spotchecks/${NAME}/plan.json`);
    view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await view.locator('.reasons-bar button.reason').first().waitFor();
    assert.deepEqual(await view.locator('.reasons-bar button.reason').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), [
      'Reason 1: wrong ranking',
      'Reason 2: claims a distortion that is not there',
    ]);
  });

  it('shows beside the label the claims the host checked against the cues it measured on the real images (#16)', async () => {
    const panel = view.locator('.label-row > aside.claims');
    await view.locator('aside.claims[data-state="ready"]').waitFor({ timeout: 30_000 });
    const key = await view.locator('.item').getAttribute('data-key');
    assert.equal(await panel.getAttribute('data-key'), key);
    const checked = await panel.locator('li.claim:not([data-status="unchecked"])').count();
    assert.ok(checked >= 1, 'the demo label makes a checkable claim');
    const sharp = await panel.locator('.cue-table tr[data-cue="sharpness"] td').allTextContents();
    assert.equal(sharp.length, await view.locator('.item .images img').count());
    for (const v of sharp) assert.match(v, /^\d+(\.\d+)?$/, 'a measured value per image');
    assert.ok(
      fs.readdirSync(path.join(ws, '.curator', 'cues')).some((f) => f.startsWith('cues-v')),
      'cues cached in the curation folder',
    );
    await vs.screenshot('e2e-claims');
  });

  it('x, ←, r, type, Enter: the correction is in the journal on disk once the view says saved', async () => {
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    const k = keys();
    await vs.press('x');
    await view.locator('.item[data-position="1"]').waitFor({ timeout: 10_000 });
    await vs.press('ArrowLeft');
    await view.locator('.item[data-position="0"]').waitFor();
    const label = ((await view.locator('[data-role="label"]').textContent()) ?? '').trim();
    await vs.press('r');
    const box = view.locator('textarea.correction-input');
    await box.waitFor({ timeout: 10_000 });
    await view.locator('#app[data-focus="input"]').waitFor({ timeout: 10_000 });
    assert.equal((await box.inputValue()).trim(), label, 'the editor starts from the label');
    // Keys typed here are text, not review keys: "c", "x" and digits do not mark anything.
    await box.fill('');
    await vs.page.keyboard.type('The second image is clearer, with less noise; 2 x better.', { delay: 20 });
    assert.equal(await box.inputValue(), 'The second image is clearer, with less noise; 2 x better.');
    await vs.press('Enter');
    await view.locator('.verdict[data-state="saved"] [data-role="correction"]').waitFor({ timeout: 10_000 });
    // Saved on screen means on disk.
    const line = journal().latest.get(k[0]);
    assert.equal(line?.verdict, 'incorrect');
    assert.equal(line?.correction, 'The second image is clearer, with less noise; 2 x better.');
    assert.equal(journal().latest.size, 1, 'typing in the editor marked nothing else');
    await view.locator(`.saved-log li[data-key="${k[0]}"][data-corrected="true"]`).waitFor({ state: 'attached' });
  });

  it('reason keys 2 then 1 record reasons in the journal; Escape cancels an edit without a line', async () => {
    const k = keys();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('2');
    await view.locator('.reasons-bar button[data-reason-key="2"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
    await view.locator('.verdict[data-state="saved"]').waitFor();
    await vs.press('1');
    await view.locator('.reasons-bar button[data-reason-key="1"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
    await view.locator('.verdict[data-state="saved"]').waitFor();
    let line = journal().latest.get(k[0]);
    assert.deepEqual(line?.reasons, ['wrong ranking', 'claims a distortion that is not there']);
    assert.equal(line?.correction, 'The second image is clearer, with less noise; 2 x better.', 'reasons keep the correction');
    const lines = journal().lines.length;
    await vs.press('r');
    await view.locator('textarea.correction-input').waitFor({ timeout: 10_000 });
    await view.locator('#app[data-focus="input"]').waitFor({ timeout: 10_000 });
    await vs.page.keyboard.type(' (draft)', { delay: 20 });
    await vs.press('Escape');
    await view.locator('textarea.correction-input').waitFor({ state: 'detached', timeout: 10_000 });
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    assert.equal(journal().lines.length, lines, 'Escape wrote nothing');
    // u undoes the last change only: the reason 1 goes, the correction and reason 2 stay.
    await vs.press('u');
    await view.locator('.reasons-bar button[data-reason-key="1"][aria-pressed="false"]').waitFor({ timeout: 10_000 });
    line = journal().latest.get(k[0]);
    assert.deepEqual(line?.reasons, ['claims a distortion that is not there']);
    assert.equal(line?.correction, 'The second image is clearer, with less noise; 2 x better.');
    await vs.screenshot('e2e-correction');
  });

  it('the report view decides with one click: decisions.json on disk with who and the figures, shown in the report', async () => {
    await vs.runCommand('Curator: Show Spot-Check Report');
    const report = vs.webview();
    const bar = report.locator('#spotcheck-0 .decide[role="toolbar"]');
    await bar.waitFor({ timeout: 30_000 });
    await bar.locator('button[data-decide="keep-with-corrections"]').click();
    await report.locator('#spotcheck-0 .decide-status[data-state="saved"]').waitFor({ timeout: 15_000 });
    const d = readDecisions(dir);
    assert.equal(d.history.length, 1);
    assert.equal(d.spotcheck?.decision, 'keep-with-corrections');
    assert.equal(d.spotcheck?.by, 'e2e');
    assert.deepEqual([d.spotcheck?.basis.n, d.spotcheck?.basis.k, d.spotcheck?.basis.corrections], [1, 0, 1]);
    await report.locator('#spotcheck-0 dd.decision', { hasText: 'keep-with-corrections (by e2e' }).waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-report-decide');
  });
});
