/**
 * The curator in a real VS Code (code-server + Chromium): open the demo dataset with the curator,
 * image groups of 2, 3 and 4 load, a hostile label stays text, a 20-item spot check is created and
 * marked with the keyboard alone, and verdicts and position survive a window reload.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { readJournal } from '../../src/core/verdicts';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

const PLAN_NAME = 'sample-20-seed7';

describe('curator in VS Code (code-server)', function () {
  this.timeout(180_000);
  let vs: VsCode;
  let ws: string;
  let view: FrameLocator;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-demo');
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e' }, machineSettings: { 'curator.reviewer': 'e2e' } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  /** Types into the webview's go-to box (after focusing it with the `g` key binding). */
  async function goTo(id: string): Promise<void> {
    const jump = view.locator('input.jump');
    await jump.fill(id);
    await jump.press('Enter');
    await view.locator(`.item[data-key="${id}"]`).waitFor({ timeout: 15_000 });
  }

  async function loadedImages(): Promise<{ widths: number[]; captions: string[] }> {
    const imgs = view.locator('.item .images img');
    await imgs.first().waitFor();
    await view.locator('.item .images').evaluate(async (el) => {
      await Promise.all(
        [...el.querySelectorAll('img')].map((i) =>
          i.complete
            ? Promise.resolve()
            : new Promise((r) => {
                i.onload = r;
                i.onerror = r;
              }),
        ),
      );
    });
    const widths = await imgs.evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth));
    const captions = await view.locator('.item .images figcaption .ordinal').allTextContents();
    return { widths, captions };
  }

  it('opens the demo dataset with the curator from a text editor', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.match((await view.locator('.subtitle').textContent()) ?? '', /llava · 33 records/);
    assert.equal(await view.locator('.item').getAttribute('data-key'), 'demo-single-000');
    await vs.screenshot('e2e-browse');
  });

  for (const [id, n] of [
    ['demo-group2-004', 2],
    ['demo-group3-012', 3],
    ['demo-group4-025', 4],
  ] as const) {
    it(`shows the ${n}-image group ${id} with every image loaded`, async () => {
      await goTo(id);
      const { widths, captions } = await loadedImages();
      assert.equal(widths.length, n);
      for (const w of widths) assert.ok(w > 0, `an image did not load (naturalWidth ${w})`);
      assert.deepEqual(captions, ['The first image', 'The second image', 'The third image', 'The fourth image'].slice(0, n));
      await vs.screenshot(`e2e-group-${n}`);
    });
  }

  it('renders a hostile label as text', async () => {
    await goTo('demo-hostile-032');
    const label = view.locator('.item .label');
    const text = (await label.textContent()) ?? '';
    assert.ok(text.includes('<img src=x onerror="document.title=\'pwned\'">'), text);
    assert.ok(text.includes('<script>'), text);
    assert.equal(await label.locator('img, script').count(), 0);
    assert.notEqual(await view.locator('body').evaluate(() => (globalThis as unknown as { document: { title: string } }).document.title), 'pwned');
    await vs.screenshot('e2e-hostile');
  });

  it('creates a 20-item spot check from the command palette', async () => {
    await vs.runCommand('Curator: New Spot Check');
    await vs.answerQuickInput('20', undefined, 'sample size');
    await vs.answerQuickInput('7', undefined, 'seed');
    await vs.answerQuickInput(undefined, 'By group size', 'strata');
    view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.equal((await view.locator('.progress-count').textContent())?.trim(), '0 / 20');
    const plan = JSON.parse(fs.readFileSync(path.join(ws, '.curator', 'spotchecks', PLAN_NAME, 'plan.json'), 'utf8'));
    assert.equal(plan.items.length, 20);
    assert.equal(plan.strata, 'groupSize');
  });

  it('marks items with c / x / s, notes with n, undoes with u — keyboard only', async () => {
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    const expectProgress = (k: number) => view.locator('.progress-count', { hasText: `${k} / 20` }).waitFor({ timeout: 10_000 });
    await vs.press('c');
    await expectProgress(1);
    await vs.press('x');
    await expectProgress(2);
    await vs.press('s');
    await expectProgress(3);
    await vs.press('c');
    await expectProgress(4);
    // undo goes back to the last judged item and removes its verdict
    await vs.press('u');
    await expectProgress(3);
    assert.equal(await view.locator('.item').getAttribute('data-position'), '3');
    await vs.press('x');
    await expectProgress(4);
    // a note on the item just judged: ← back, n, type, Enter (keys do not mark while typing)
    await vs.press('ArrowLeft');
    await view.locator('.item[data-position="3"]').waitFor();
    await vs.press('n');
    await view.locator('#app[data-focus="input"]').waitFor({ timeout: 10_000 });
    await vs.page.keyboard.type('colours swapped, check source');
    await vs.press('Enter');
    await view.locator('.verdict .verdict-note', { hasText: 'colours swapped' }).waitFor({ timeout: 10_000 });
    await view.locator('.verdict[data-state="saved"]').waitFor();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('ArrowRight');
    await view.locator('.item[data-position="4"]').waitFor();
    await vs.press('c');
    await expectProgress(5);
    await vs.press('Backspace');
    await expectProgress(4);
    await vs.press('c');
    await expectProgress(5);
    await vs.screenshot('e2e-review-marked');

    const plan = JSON.parse(fs.readFileSync(path.join(ws, '.curator', 'spotchecks', PLAN_NAME, 'plan.json'), 'utf8')) as { items: { key: string }[] };
    const j = readJournal(path.join(ws, '.curator', 'spotchecks', PLAN_NAME, 'verdicts-e2e.jsonl'));
    assert.deepEqual(j.warnings, []);
    const keys = plan.items.map((i) => i.key);
    assert.deepEqual(
      keys.slice(0, 5).map((k) => j.latest.get(k)?.verdict),
      ['correct', 'incorrect', 'skip', 'incorrect', 'correct'],
    );
    assert.equal(j.latest.get(keys[3])?.note, 'colours swapped, check source');
    assert.equal(j.latest.size, 5);
  });

  it('shows the spot check in the Spot Checks tree and the status bar', async () => {
    const status = vs.page.locator('.statusbar-item', { hasText: `${PLAN_NAME} 5 / 20` });
    await status.first().waitFor({ timeout: 10_000 });
    await vs.runCommand('Curator: Focus on Spot Checks View');
    const row = vs.page.locator('.monaco-list-row', { hasText: PLAN_NAME });
    await row.first().waitFor({ timeout: 15_000 });
    await vs.page.locator('.monaco-list-row', { hasText: '5 / 20' }).first().waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-tree');
  });

  it('keeps verdicts and position across a window reload', async () => {
    await vs.reload();
    view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
    // code-server may hand the user settings (curator.reviewer) to the extension host only after the
    // restored review opened; the review then switches to that reviewer's journal and starts over.
    await view.locator('.progress-count', { hasText: /^\s*5 \/ 20\s*$/ }).waitFor({ timeout: 60_000 });
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.equal((await view.locator('.progress-count').textContent())?.trim(), '5 / 20');
    // resumes at the first unjudged item
    assert.equal(await view.locator('.item').getAttribute('data-position'), '5');
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('ArrowLeft');
    await view.locator('.item[data-position="4"]').waitFor();
    assert.equal(await view.locator('.verdict').getAttribute('data-verdict'), 'correct');
    assert.equal(await view.locator('.verdict').getAttribute('data-state'), 'saved');
    await vs.press('ArrowLeft');
    await view.locator('.item[data-position="3"]').waitFor();
    assert.match((await view.locator('.verdict').textContent()) ?? '', /Incorrect — saved · note: colours swapped/);
    await vs.screenshot('e2e-after-reload');
  });
});
