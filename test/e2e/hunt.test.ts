/**
 * Issue #16 in a real VS Code (code-server + Chromium): "Curator: New Hunt" on the demo measures the
 * images, writes a plan of kind "hunt" with the contradicted labels most suspicious first, and opens
 * it in the review editor.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('New Hunt (code-server)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  captureFailures(() => vs);
  let ws: string;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-hunt');
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e' }, machineSettings: { 'curator.reviewer': 'e2e' } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('queues the most suspicious items as a hunt and opens it for review', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    await vs.webview().locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await vs.runCommand('Curator: New Hunt');
    await vs.answerQuickInput('5', undefined, 'how many items');
    const file = path.join(ws, '.curator', 'spotchecks', 'hunt-5', 'plan.json');
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind: string; items: { key: string }[]; hunt: { scores: number[] } };
    assert.equal(plan.kind, 'hunt');
    assert.equal(plan.items.length, 5);
    assert.deepEqual(
      [...plan.hunt.scores].sort((a, b) => b - a),
      plan.hunt.scores,
      'most suspicious first',
    );
    assert.ok(plan.hunt.scores.every((s) => s > 0));
    assert.ok(fs.existsSync(path.join(ws, '.curator', 'cues', 'cues-v1.jsonl')), 'cues cached in the curation folder');
    await vs.webview().locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 60_000 });
  });
});
