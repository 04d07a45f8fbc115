/**
 * "Curator: Build Merge2Compare Data…" in a real VS Code (code-server + Chromium): the command asks
 * for output, embedder and endpoint (a curator.endpoints profile the first time, a typed URL and model
 * the second); runs with a progress notification against a stand-in LLM on
 * 127.0.0.1 and the generated tiny embedding model; Cancel stops it with only whole records written;
 * running it again continues without repeating finished calls and writes both valid files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { validateDataset } from '../../src/core/validate';
import { startBuildTestServer, type BuildTestServer, type ChatRequestBody } from '../support/buildTestServer';
import { makeTinyEmbeddingModel } from '../support/makeTinyEmbeddingModel';
import { standInAnswer } from '../support/standInMerger';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

function promptOf(b: ChatRequestBody): string {
  const c = b.messages[0].content;
  return typeof c === 'string' ? c : '';
}

async function until(what: string, ok: () => boolean, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('build command in VS Code (code-server)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;
  let server: BuildTestServer;
  let release: () => void = () => {};
  let gateOpen = false;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-build');
    const descriptions = JSON.parse(fs.readFileSync(path.join(ws, 'descriptions-demo.json'), 'utf8')) as { description: string }[];
    makeTinyEmbeddingModel(path.join(ws, 'tiny-model'), { words: descriptions.map((d) => d.description) });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The first five calls are answered at once; later ones wait until the test opens the gate.
    server = await startBuildTestServer({
      chat: async (b, n) => {
        if (n > 5 && !gateOpen) await gate;
        return standInAnswer(b);
      },
    });
    vs = await VsCode.start({
      workspace: ws,
      settings: {
        'curator.reviewer': 'e2e',
        'curator.suggestOpenWithCurator': false,
        'curator.endpoints': [{ name: 'stand-in', baseURL: server.url, model: 'stand-in-merger', apiKeySource: 'none' }],
      },
    });
  });

  after(async function () {
    gateOpen = true;
    release();
    if (vs) await vs.close();
    if (server) await server.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs, 'failed-build');

  /** The endpoint is the "stand-in" profile from settings, or (typed) its URL and model typed in. */
  async function startBuild(first: boolean, typed = false): Promise<void> {
    // the input is the active text editor (a click on its tab also takes focus back from a webview)
    const tab = vs.page.locator('.tab', { hasText: 'descriptions-demo.json' });
    if (await tab.count()) await tab.first().click();
    else await vs.openFile('descriptions-demo.json');
    await vs.runCommand('Curator: Build Merge2Compare Data…');
    await vs.answerQuickInput(); // output: the proposed merge2compare.jsonl beside the input
    await vs.answerQuickInput(first ? `local:${path.join(ws, 'tiny-model')}` : undefined); // remembered afterwards
    if (!typed) {
      await vs.answerQuickInput(undefined, 'stand-in');
    } else {
      await vs.answerQuickInput(undefined, 'Enter an endpoint URL and model');
      await vs.answerQuickInput(server.url);
      await vs.answerQuickInput('stand-in-merger');
    }
  }

  it('runs with progress, and Cancel leaves only whole records', async () => {
    await startBuild(true);
    await until('the sixth call', () => server.chatRequests.length >= 6);
    const toast = vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'Merge2Compare' });
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await toast.textContent()) ?? '', /merging with the LLM \d+\/20/);
    await vs.screenshot('e2e-build-progress');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await vs.page.locator('.notifications-toasts', { hasText: 'build cancelled' }).waitFor({ state: 'visible', timeout: 30_000 });
    const journals = ['merge2compare.jsonl', 'merge2compare.removed.jsonl'].map((f) => path.join(ws, f)).filter((f) => fs.existsSync(f));
    const lines = journals.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim()),
    );
    assert.equal(lines.length, 5, 'the five answered groups, nothing else');
    for (const l of lines) JSON.parse(l);
  });

  it('continues when run again: no finished call repeated, both files valid', async () => {
    gateOpen = true;
    release();
    const before = server.chatRequests.length;
    const answered = server.chatRequests.slice(0, 5).map(promptOf);
    await startBuild(false);
    const done = vs.page.locator('.notifications-toasts', { hasText: /records → merge2compare\.jsonl/ });
    await done.waitFor({ state: 'visible', timeout: 60_000 });
    await vs.screenshot('e2e-build-done');
    const later = server.chatRequests.slice(before).map(promptOf);
    assert.equal(later.length, 15, `20 groups − 5 finished = 15 calls, got ${later.length}`);
    for (const p of answered) assert.ok(!later.includes(p), 'a finished call was repeated');
    let total = 0;
    // Both files: the demo descriptions hold near-duplicate groups, so some groups are removed.
    for (const f of ['merge2compare.jsonl', 'merge2compare.removed.jsonl']) {
      const file = path.join(ws, f);
      assert.ok(fs.existsSync(file), `${f} was written`);
      const ds = Dataset.open(file);
      try {
        total += ds.count;
        assert.deepEqual(
          validateDataset(ds).diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
      } finally {
        ds.close();
      }
    }
    assert.equal(total, 20);
    // the offered button opens the result in the curator's review editor
    const kept = Dataset.open(path.join(ws, 'merge2compare.jsonl'));
    const keptCount = kept.count;
    kept.close();
    await vs.page.locator('.notifications-toasts .monaco-button', { hasText: 'Open merge2compare.jsonl' }).first().click();
    const view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.match((await view.locator('.subtitle').textContent()) ?? '', new RegExp(`llava · ${keptCount} records`));
    await vs.screenshot('e2e-build-open-result');
  });

  it('refuses to continue the finished output with other call settings (typed endpoint: no profile temperature)', async () => {
    const before = server.chatRequests.length;
    await startBuild(false, true);
    await vs.page
      .locator('.notifications-toasts', { hasText: /different settings \(temperature\)/ })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(server.chatRequests.length, before);
  });

  it('opens the removed groups in the review editor too', async () => {
    const removed = path.join(ws, 'merge2compare.removed.jsonl');
    assert.ok(fs.existsSync(removed) && fs.readFileSync(removed, 'utf8').trim() !== '', 'the build wrote removed groups (the demo holds near-duplicates)');
    // Quick open's file index may not list a file created during the session yet: open it from the explorer.
    await vs.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'merge2compare.removed.jsonl' }).first().dblclick();
    await vs.page.locator('.tab.active', { hasText: 'merge2compare.removed.jsonl' }).waitFor({ state: 'visible', timeout: 30_000 });
    await vs.runCommand('Curator: Open Dataset');
    const view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await view
      .locator('.subtitle', { hasText: /llava · \d+ records?/ })
      .first()
      .waitFor({ timeout: 30_000 });
    const firstId = (JSON.parse(fs.readFileSync(path.join(ws, 'merge2compare.removed.jsonl'), 'utf8').split('\n')[0]) as { id: string }).id;
    assert.equal(await view.locator('.item').getAttribute('data-key'), firstId);
    await vs.screenshot('e2e-build-open-removed');
  });
});
