/**
 * The dataset language server in a real VS Code (code-server + Chromium): opening the broken demo
 * file as text lists its faults in the Problems panel, underlines them in the editor, and an image
 * path's hover shows the thumbnail.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('language server in VS Code (code-server)', function () {
  this.timeout(180_000);
  let vs: VsCode;
  let ws: string;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-lsp');
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.suggestOpenWithCurator': false } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  it('lists every fault of the broken demo in the Problems panel and underlines it', async () => {
    // Open from the Explorer (no file search involved; Quick Open is slow on a loaded machine).
    const row = vs.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'broken-demo.json' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    await row.dblclick();
    await vs.page.locator('.tab.active', { hasText: 'broken-demo.json' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    let rows: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      rows = await vs.problems();
      if (rows.filter((r) => /curator/i.test(r)).length >= 9) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const ours = rows.filter((r) => /curator/i.test(r));
    const expected = [
      /already used by record 0/,
      /1 image placeholder in the human turns but 2 images/,
      /"The third image:" but should be "The second image:"/,
      /the answer in turn 1 is empty/,
      /leaves the image root/,
      /image file not found/,
      /both <image> \(1\) and <\|image\|> \(1\) are used/,
      /invalid JSON/,
    ];
    for (const re of expected)
      assert.ok(
        ours.some((r) => re.test(r)),
        `no problem matching ${re} in:\n${ours.join('\n')}`,
      );
    await vs.screenshot('lsp-problems-panel');
    // The editor underlines them (decorations exist for visible lines: go to the duplicate id).
    await goTo(60, 12);
    await vs.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 10_000 });
  });

  async function until(test: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Moves the cursor with Go to Line (Ctrl+G ":line:column"). */
  async function goTo(line: number, column: number): Promise<void> {
    await vs.page.locator('.monaco-editor .view-lines').first().click();
    await vs.page.keyboard.press('Control+G');
    await vs.page.locator('.quick-input-widget input.input').fill(`:${line}:${column}`);
    await vs.page.keyboard.press('Enter');
  }

  it('shows the image thumbnail when hovering an image path', async () => {
    // Put the cursor inside the first image path (line 5) and ask for the hover.
    await goTo(5, 14);
    await vs.runCommand('Show or Focus Hover');
    const img = vs.page.locator('.monaco-hover img').first();
    await img.waitFor({ state: 'visible', timeout: 20_000 });
    const { width, src } = await img.evaluate((el) => ({ width: (el as unknown as { naturalWidth: number }).naturalWidth, src: el.getAttribute('src') ?? '' }));
    assert.ok(width > 0, 'the thumbnail decoded');
    assert.match(src, /^data:image\/jpeg;base64,/);
    // Size and dimensions in the same hover.
    await vs.page.locator('.monaco-hover', { hasText: '512 × 384 px · JPEG' }).first().waitFor({ state: 'visible', timeout: 5_000 });
    await vs.screenshot('lsp-image-hover');
  });

  it('shows the item CodeLens above records', async () => {
    await vs.page.keyboard.press('Escape');
    // Lenses of commands no feature has registered are hidden; at least one of the three is there.
    await vs.page
      .locator('.monaco-editor .codelens-decoration', { hasText: /Preview|Review|Ask model/ })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('converts <image> to <|image|> in the whole file with a quick fix, and one Undo reverts it', async () => {
    const visible = async (): Promise<string> => (await vs.page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    await goTo(11, 30);
    const before = await visible();
    assert.ok(before.includes('The first image: <image>'), before);
    await vs.page.keyboard.press('Control+.');
    const item = vs.page.locator('.action-widget .monaco-list-row', { hasText: 'Convert every <image> to <|image|> in the file' }).first();
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    // Choose it with the keyboard (the menu is keyboard-driven).
    for (let k = 0; k < 6; k++) {
      const focused = (
        await vs.page
          .locator('.action-widget .monaco-list-row.focused')
          .first()
          .innerText()
          .catch(() => '')
      ).trim();
      if (focused.includes('Convert every <image> to <|image|> in the file')) break;
      await vs.page.keyboard.press('ArrowDown');
    }
    await vs.page.keyboard.press('Enter');
    await until(async () => (await visible()).includes('<|image|>'), 'the conversion');
    const after = await visible();
    assert.ok(!after.includes('<image>'), 'every visible <image> was converted');
    await vs.screenshot('lsp-quick-fix-converted');
    await vs.page.keyboard.press('Control+Z');
    await until(async () => !(await visible()).includes('<|image|>'), 'the undo');
    assert.equal(await visible(), before, 'one Undo restores the whole conversion');
  });
});
