/**
 * What we ship is what we test: `npm run package` builds the .vsix once, code-server installs it with
 * `--install-extension` (no development folder), and a smoke scenario runs on the installed copy:
 * the demo dataset opens in the curator, an image renders, one verdict key is saved in the journal.
 * COCURATE_VSIX=path/to.vsix reuses an existing package instead of building one.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJournal } from '../../src/core/verdicts';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('packaged .vsix in code-server', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;
  let vsix: string;
  let tmp: string;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-vsix-'));
    vsix = process.env.COCURATE_VSIX ?? path.join(tmp, 'co-instruct-curator.vsix');
    if (!process.env.COCURATE_VSIX) {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, stdio: 'pipe' });
    }
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-packaged');
    vs = await VsCode.start({ workspace: ws, vsix, settings: { 'curator.reviewer': 'packaged' } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  captureFailures(() => vs, 'failed-packaged');

  it('is lean: bundles, native sharp for the target, no sources or tests', () => {
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n');
    for (const f of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/server.js',
      'extension/dist/indexWorker.js', // the extension host indexes large datasets in this worker thread
      'extension/dist/applyWorker.js', // Export Curated Dataset writes in this worker thread
      'extension/dist/scanWorker.js', // the index worker scans the second half of a large dataset in this one
      'extension/dist/webview/dataset.js',
      'extension/LICENSE.txt',
    ]) {
      assert.ok(listing.includes(f), `${f} missing from the .vsix`);
    }
    assert.ok(
      listing.some((f) => f.startsWith('extension/node_modules/@img/sharp-')),
      'sharp binary missing',
    );
    assert.deepEqual(
      listing.filter((f) => /^extension\/(src|test|out|webview|bench-data|\.code-server)\/|\.map$|(?<!\.d)\.ts$/.test(f)),
      [],
    );
    assert.ok(fs.statSync(vsix).size < 30e6, `${fs.statSync(vsix).size} bytes`);
  });

  it('was installed into the fresh extensions folder (not loaded from the repository)', () => {
    const installed = fs.readdirSync(path.join(vs.runDir, 'extensions')).filter((d) => d.startsWith('q-curator.co-instruct-curator-'));
    assert.equal(installed.length, 1, fs.readdirSync(path.join(vs.runDir, 'extensions')).join(', '));
  });

  it('first run: the Spot Checks view says what to do', async () => {
    await vs.runCommand('Curator: Focus on Spot Checks View');
    await vs.page.locator('.welcome-view-content', { hasText: 'No spot checks in this workspace yet.' }).first().waitFor({ timeout: 20_000 });
    await vs.page.locator('.welcome-view-content', { hasText: 'Open Dataset' }).first().waitFor();
    await vs.screenshot('packaged-empty-state');
  });

  it('opens the demo dataset, renders an image, and saves a verdict key in the journal', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    let view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    const img = view.locator('.item .images img').first();
    await img.waitFor();
    await img.evaluate(
      (i) =>
        new Promise<void>((r) => {
          const el = i as unknown as { complete: boolean; onload: unknown; onerror: unknown };
          if (el.complete) r();
          else {
            el.onload = () => r();
            el.onerror = () => r();
          }
        }),
    );
    assert.ok((await img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the first image did not load');
    await vs.screenshot('packaged-browse');

    await vs.runCommand('Curator: New Spot Check');
    await vs.answerQuickInput('10', undefined, 'sample size');
    await vs.answerQuickInput('3', undefined, 'seed');
    await vs.answerQuickInput(undefined, 'By group size', 'strata');
    view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    await vs.press('c');
    await view.locator('.progress-count', { hasText: '1 / 10' }).waitFor({ timeout: 10_000 });
    await vs.screenshot('packaged-review');

    const dir = path.join(ws, '.curator', 'spotchecks');
    const [name] = fs.readdirSync(dir);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, name, 'plan.json'), 'utf8')) as { items: { key: string }[] };
    const j = readJournal(path.join(dir, name, 'verdicts-packaged.jsonl'));
    assert.equal(j.latest.size, 1);
    assert.equal(j.latest.get(plan.items[0].key)?.verdict, 'correct');
  });

  it('first run: the Getting Started walkthrough opens the bundled demo', async () => {
    await vs.runCommand('Welcome: Open Walkthrough...');
    await vs.answerQuickInput(undefined, 'Get started with Co-Instruct Curator');
    const walkthrough = vs.page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Set the image root').first().waitFor({ timeout: 20_000 });
    // The step's media page (media/walkthrough/open-dataset.md from the installed extension) renders in a webview.
    const media = vs.page.frameLocator('.getting-started-media iframe.webview.ready').first().frameLocator('iframe#active-frame');
    await media.getByText('Datasets of hundreds of megabytes').first().waitFor({ timeout: 30_000 });
    await vs.screenshot('packaged-walkthrough');
    await walkthrough.getByText('Open the Demo Dataset').first().click();
    const view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.match((await view.locator('.subtitle').textContent()) ?? '', /llava · 33 records/);
    await vs.screenshot('packaged-demo-from-walkthrough');
  });
});
