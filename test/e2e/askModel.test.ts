/**
 * Model answers in a real VS Code (code-server + Chromium) against two local OpenAI-compatible
 * servers: "Curator: Ask Model" streams both profiles' answers beside the label as columns with the
 * agreement highlighted; "Curator: Ask Model for Spot Check" answers a sample and writes the
 * agreement file; answered items show their cached answers in review; the key (from the
 * environment) is sent as a bearer token and never written to any file; the MCQ and 2AFC
 * evaluations run from the palette; a spot-check run stops on Cancel. An untrusted workspace sends
 * nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { parseArgs } from '../../src/cli/args';
import { sample } from '../../src/cli/commands/sample';
import { OpenAITestServer } from '../support/openaiTestServer';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

const KEY = 'sk-e2e-7c1d9a0b-NEVER-WRITE';
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('model answers in VS Code (code-server)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;
  let view: FrameLocator;
  let served: OpenAITestServer;
  let teacher: OpenAITestServer;

  before(async function () {
    served = await OpenAITestServer.start({
      expectImageSize: 448,
      requireKey: KEY,
      answer: (r) => (/rank/i.test(r.question) ? 'first > second > third' : 'The second image has better quality.'),
    });
    served.defaultBehaviour = { kind: 'answer', chunkDelayMs: 40 };
    teacher = await OpenAITestServer.start({ requireKey: KEY, answer: () => `The first image is clearer, so the first image is better. ${HOSTILE}` });
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-ask');
    vs = await VsCode.start({
      workspace: ws,
      env: { COCURATE_API_KEY: KEY },
      settings: {
        'curator.reviewer': 'e2e',
        'curator.endpoints': [
          { name: 'served', baseURL: served.url, model: 'co-instruct', apiKeySource: 'env' },
          { name: 'teacher', baseURL: teacher.url, model: 'teacher-vlm', apiKeySource: 'env', imagePreprocessing: 'original' },
        ],
      },
    });
  });

  after(async function () {
    if (vs) await vs.close();
    await served?.close();
    await teacher?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  async function goTo(id: string): Promise<void> {
    const jump = view.locator('input.jump');
    await jump.fill(id);
    await jump.press('Enter');
    await view.locator(`.item[data-key="${id}"]`).waitFor({ timeout: 15_000 });
  }

  it('asks both profiles and shows their streamed answers beside the label', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await goTo('demo-group2-005');
    await view.locator('.model-answers').waitFor();
    await vs.runCommand('Curator: Ask Model');
    const s = view.locator('.model-answer[data-profile="served"][data-state="done"]');
    const t = view.locator('.model-answer[data-profile="teacher"][data-state="done"]');
    await s.waitFor({ timeout: 30_000 });
    await t.waitFor({ timeout: 30_000 });
    assert.equal(await s.locator('.model-answer-text').textContent(), 'The second image has better quality.');
    assert.equal(await s.getAttribute('data-agreement'), 'agree', 'label of demo-group2-005 prefers the second image');
    assert.equal(await t.getAttribute('data-agreement'), 'disagree');
    assert.match((await t.locator('.choices').textContent()) ?? '', /model → first image.*label → second image/);
    assert.ok(((await t.locator('.model-answer-text').textContent()) ?? '').endsWith(HOSTILE), 'an answer is shown as text');
    assert.equal(await t.locator('.model-answer-text img').count(), 0);
    await vs.screenshot('e2e-ask-model');
    assert.equal(served.requests.length, 1);
    assert.equal(teacher.requests.length, 1);
    assert.deepEqual(served.requests[0].problems, []);
    assert.deepEqual(
      served.requests[0].images.map((i) => [i.width, i.height]),
      [
        [448, 448],
        [448, 448],
      ],
    );
    assert.equal(served.requests[0].headers.authorization, `Bearer ${KEY}`);
    // the "Ask model" button asks again: answered from the cache, nothing sent
    await view.locator('button.ask-model').click();
    await view.locator('.model-answer[data-profile="served"][data-state="cached"]').waitFor({ timeout: 15_000 });
    assert.equal(served.requests.length, 1);
  });

  it('asks a whole spot check with progress, then shows cached answers in review', async () => {
    await vs.runCommand('Curator: New Spot Check');
    await vs.answerQuickInput('8', undefined, 'sample size');
    await vs.answerQuickInput('3', undefined, 'seed');
    await vs.answerQuickInput(undefined, 'By group size', 'strata');
    view = vs.webview();
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 30_000 });
    const planDir = path.join(ws, '.curator', 'spotchecks', 'sample-8-seed3');
    assert.ok(fs.existsSync(path.join(planDir, 'plan.json')));
    await vs.runCommand('Curator: Ask Model for Spot Check');
    await vs.answerQuickInput(undefined, undefined, 'Ask which profiles?');
    const files = ['agreement-served.json', 'agreement-teacher.json'].map((f) => path.join(planDir, f));
    const deadline = Date.now() + 90_000;
    while (!files.every((f) => fs.existsSync(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    for (const f of files) {
      const a = JSON.parse(fs.readFileSync(f, 'utf8'));
      assert.equal(a.items.length + a.failures.length, 8, f);
      assert.equal(a.cancelled, false);
    }
    await vs.page
      .locator('.notification-toast', { hasText: /agreement \d+\/\d+/ })
      .first()
      .waitFor({ timeout: 30_000 });
    // the item on screen gets its answers once the run is done; the next one when shown
    await view.locator('.item[data-position="0"] .model-answer[data-state="cached"]').first().waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-ask-spotcheck');
    const before = served.requests.length + teacher.requests.length;
    await vs.focusWebview();
    await vs.press('ArrowRight');
    await view.locator('.item[data-position="1"]').waitFor();
    await view.locator('.model-answer[data-state="cached"]').first().waitFor({ timeout: 15_000 });
    assert.equal(served.requests.length + teacher.requests.length, before);
    // disagreements are counted and can be stepped through in plan order
    const keys = new Set<string>(files.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')).disagreements.map((d: { key: string }) => d.key)));
    const planKeys: string[] = JSON.parse(fs.readFileSync(path.join(planDir, 'plan.json'), 'utf8')).items.map((i: { key: string }) => i.key);
    const dis = planKeys.map((k, i) => (keys.has(k) ? i : -1)).filter((i) => i >= 0);
    assert.ok(dis.length >= 1, 'the test servers produce at least one disagreement');
    const nav = view.locator('.disagreement-nav');
    await nav.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await nav.textContent()) ?? '', new RegExp(`${keys.size} disagreement`));
    // Start where "next" must move: on an item that is no disagreement, or on one of several.
    const nextAfter = (p: number) => dis.find((d) => d > p) ?? dis[0];
    const start = planKeys.findIndex((k, p) => nextAfter(p) !== p);
    assert.ok(start >= 0, `a position from which the next disagreement is another item (disagreements at ${dis.join(', ')})`);
    const shownPosition = async () => Number(await view.locator('.item').getAttribute('data-position'));
    while ((await shownPosition()) !== start) {
      await vs.focusWebview();
      await vs.press((await shownPosition()) < start ? 'ArrowRight' : 'ArrowLeft');
      await view.locator('.item').waitFor();
      await new Promise((r) => setTimeout(r, 200));
    }
    await view.locator(`.item[data-position="${start}"]`).waitFor();
    const expected = nextAfter(start);
    await view.locator('button.disagreement-next').click();
    await view.locator(`.item[data-position="${expected}"][data-key="${planKeys[expected]}"]`).waitFor({ timeout: 15_000 });
    await view.locator('.model-answers[data-disagreement="true"]').waitFor({ timeout: 15_000 });
    // "Previous" steps back in plan order (wrapping) from there.
    const prevBefore = (p: number) => [...dis].reverse().find((d) => d < p) ?? dis[dis.length - 1];
    await view.locator('button.disagreement-prev').click();
    const back = prevBefore(expected);
    await view.locator(`.item[data-position="${back}"][data-key="${planKeys[back]}"]`).waitFor({ timeout: 15_000 });
    // Picking a row of "Curator: Show Model Disagreements" shows that item in the review.
    const pickPos = dis[0];
    await vs.focusWebview();
    await vs.press(back === 0 ? 'ArrowRight' : 'ArrowLeft');
    await view.locator(`.item:not([data-position="${back}"])`).waitFor({ timeout: 15_000 });
    if ((await shownPosition()) === pickPos) {
      await vs.press(pickPos === 0 ? 'ArrowRight' : 'ArrowLeft');
      await view.locator(`.item:not([data-position="${pickPos}"])`).waitFor({ timeout: 15_000 });
    }
    await vs.runCommand('Curator: Show Model Disagreements');
    await vs.answerQuickInput(undefined, planKeys[pickPos], 'Model disagreements');
    await view.locator(`.item[data-position="${pickPos}"][data-key="${planKeys[pickPos]}"]`).waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-ask-disagreement');
  });

  it('runs the 2AFC and MCQ evaluations from the command palette', async () => {
    await vs.openFile('kadis-scores.json');
    await vs.runCommand('Curator: 2AFC Evaluation with Model…');
    await vs.answerQuickInput(undefined, 'served', 'Evaluate which profile?');
    await vs.answerQuickInput('2', undefined, '2AFC rounds');
    await vs.answerQuickInput('1', undefined, '2AFC seed');
    const md = path.join(ws, '.curator', 'reports', 'twoafc-served.md');
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(md) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    const text = fs.readFileSync(md, 'utf8');
    assert.match(text, /\| all \| 24 \| 12 \| 0\.000 \|/, 'always "the second image": every pair flips, κ = 0');
    assert.equal(
      fs
        .readFileSync(path.join(ws, '.curator', 'reports', 'twoafc-served.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
      24,
    );
    await vs.page.locator('.tab', { hasText: 'Preview twoafc-served.md' }).waitFor({ timeout: 30_000 });
    await vs.screenshot('e2e-eval-twoafc');
    await vs.openFile('mcq-demo.jsonl');
    await vs.page.locator('.tab.active', { hasText: 'mcq-demo.jsonl' }).waitFor({ timeout: 15_000 });
    await vs.runCommand('Curator: Evaluate MCQ with Model…');
    await vs.answerQuickInput(undefined, 'teacher', 'Evaluate which profile?');
    const mcq = path.join(ws, '.curator', 'reports', 'eval-mcq-teacher.md');
    const d2 = Date.now() + 90_000;
    while (!fs.existsSync(mcq) && Date.now() < d2) await new Promise((r) => setTimeout(r, 300));
    assert.match(fs.readFileSync(mcq, 'utf8'), /\*\*Accuracy [\d.]+ %\*\* \(\d+ \/ 8\)/);
  });

  it('never writes the key to the workspace', () => {
    for (const f of allFiles(ws)) assert.ok(!fs.readFileSync(f, 'latin1').includes(KEY), `${f} holds the API key`);
  });
});

describe('model answers in an untrusted workspace', function () {
  this.timeout(180_000);
  let vs: VsCode;
  let ws: string;
  let server: OpenAITestServer;

  before(async function () {
    server = await OpenAITestServer.start();
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-ask-untrusted');
    vs = await VsCode.start({
      workspace: ws,
      trusted: false,
      settings: { 'curator.endpoints': [{ name: 'served', baseURL: server.url, model: 'm', apiKeySource: 'none' }] },
    });
  });

  after(async function () {
    if (vs) await vs.close();
    await server?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('sends no request and says why', async () => {
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    const view = vs.webview();
    await view.locator('#app[data-state="ready"]').waitFor({ timeout: 30_000 });
    await view.locator('.model-answers button.ask-model').click();
    await view.locator('.model-answer[data-state="error"]', { hasText: 'not trusted' }).waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-ask-untrusted');
    assert.equal(server.requests.length, 0);
  });
});

describe('cancelling "Ask Model for Spot Check"', function () {
  this.timeout(180_000);
  let vs: VsCode;
  let ws: string;
  let server: OpenAITestServer;

  before(async function () {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'hang' };
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-ask-cancel');
    const argv = [path.join(ws, 'coinstruct-demo.json'), '--size', '10', '--seed', '2', '--name', 'cancel-me'];
    assert.equal(await sample.run(parseArgs(argv, sample.flags), { out: () => {}, err: (t) => process.stderr.write(t) }), 0);
    vs = await VsCode.start({
      workspace: ws,
      settings: { 'curator.endpoints': [{ name: 'slow', baseURL: server.url, model: 'm', apiKeySource: 'none', concurrency: 2 }] },
    });
  });

  after(async function () {
    if (vs) await vs.close();
    await server?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('stops the batch at once and keeps what it has', async () => {
    await vs.runCommand('Curator: Ask Model for Spot Check');
    await vs.answerQuickInput(undefined, 'cancel-me', 'Ask Model for Spot Check');
    await server.waitForRequests(2);
    const toast = vs.page.locator('.notification-toast', { hasText: 'asking slow about cancel-me' });
    await toast.waitFor({ timeout: 30_000 });
    await vs.screenshot('e2e-ask-cancel');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const file = path.join(ws, '.curator', 'spotchecks', 'cancel-me', 'agreement-slow.json');
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const a = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(a.cancelled, true);
    assert.equal(a.items.length, 0);
    assert.equal(server.requests.length, 2, 'nothing was sent after the cancel');
    const until = Date.now() + 10_000;
    while (!server.requests.every((r) => r.aborted) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      server.requests.every((r) => r.aborted),
      'the requests in flight were aborted',
    );
  });
});
