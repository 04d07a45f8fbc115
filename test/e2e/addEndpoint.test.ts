/**
 * "Curator: Add Endpoint…" in a real VS Code (code-server + Chromium): Escape at step 2 writes
 * nothing; the four quick inputs show their step numbers and refuse a bad URL and a taken profile
 * name; the typed profile lands in the workspace settings.json without the key, and "Curator: Ask
 * Model" then asks it against a local OpenAI-compatible server that requires the key — with no key
 * in the environment, so the bearer token can only have come from SecretStorage.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { OpenAITestServer } from '../support/openaiTestServer';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

const KEY = 'sk-e2e-add-endpoint-5f3e-NEVER-WRITE';

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

function workspaceEndpoints(ws: string): unknown {
  const file = path.join(ws, '.vscode', 'settings.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)['curator.endpoints'];
  } catch {
    return undefined; // caught mid-write: look again
  }
}

describe('Curator: Add Endpoint… (code-server)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;
  let server: OpenAITestServer;
  let page: Page;

  before(async function () {
    server = await OpenAITestServer.start({ requireKey: KEY, answer: () => 'The second image has better quality.' });
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-add-endpoint');
    vs = await VsCode.start({
      workspace: ws,
      // No key in the environment: only SecretStorage can supply it.
      env: { COCURATE_API_KEY: '' },
      settings: {
        'curator.reviewer': 'e2e',
        // A disabled profile in user settings: its name is taken, and it stays disabled (never asked).
        'curator.endpoints': [{ name: 'co-instruct', baseURL: 'http://127.0.0.1:9/v1', model: 'co-instruct', enabled: false }],
      },
    });
    page = vs.page;
  });

  after(async function () {
    if (vs) await vs.close();
    await server?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  const title = (): ReturnType<Page['locator']> => page.locator('.quick-input-widget .quick-input-title');
  const input = (): ReturnType<Page['locator']> => page.locator('.quick-input-widget input.input');
  const message = (): ReturnType<Page['locator']> => page.locator('.quick-input-widget .quick-input-message');

  it('writes nothing when Escape is pressed at step 2', async () => {
    const before = fs.existsSync(path.join(ws, '.vscode', 'settings.json')) ? fs.readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8') : null;
    await vs.runCommand('Curator: Add Endpoint…');
    await vs.answerQuickInput(server.url, undefined, 'Add Endpoint (1/4)');
    await title().filter({ hasText: 'Add Endpoint (2/4)' }).waitFor({ state: 'visible', timeout: 15_000 });
    await input().fill('escaped-model');
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // Give a (wrong) write the time to land before looking; the complete run below shows it never came.
    await page.waitForTimeout(1_000);
    const after = fs.existsSync(path.join(ws, '.vscode', 'settings.json')) ? fs.readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8') : null;
    assert.equal(after, before, 'settings.json changed after Escape');
  });

  it('adds a profile from typed answers: settings.json without the key, the key from SecretStorage', async () => {
    await vs.runCommand('Curator: Add Endpoint…');
    // step 1 refuses a URL that is not http(s), with a message, and stays open
    await title().filter({ hasText: 'Add Endpoint (1/4)' }).waitFor({ state: 'visible', timeout: 15_000 });
    await input().fill('ftp://127.0.0.1/v1');
    await page.keyboard.press('Enter');
    await message().filter({ hasText: 'must use http or https' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await title().filter({ hasText: '(1/4)' }).isVisible(), 'the form moved on past a bad URL');
    await vs.answerQuickInput(`${server.url}/`, undefined, 'Add Endpoint (1/4)');
    await vs.answerQuickInput('q-future/co-instruct', undefined, 'Add Endpoint (2/4)');
    // step 3: the default name comes from the model; "co-instruct" is taken (user settings), so it is numbered
    await title().filter({ hasText: 'Add Endpoint (3/4)' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input().inputValue(), 'co-instruct-2');
    await input().fill('co-instruct');
    await page.keyboard.press('Enter');
    await message().filter({ hasText: 'exists already' }).waitFor({ state: 'visible', timeout: 10_000 });
    await vs.answerQuickInput('my-vlm', undefined, 'Add Endpoint (3/4)');
    await title().filter({ hasText: 'Add Endpoint (4/4)' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input().getAttribute('type'), 'password', 'the key is typed into a password box');
    await vs.answerQuickInput(KEY, undefined, 'Add Endpoint (4/4)');

    const deadline = Date.now() + 20_000;
    while (!Array.isArray(workspaceEndpoints(ws)) && Date.now() < deadline) await page.waitForTimeout(200);
    const endpoints = workspaceEndpoints(ws) as Record<string, unknown>[];
    assert.ok(Array.isArray(endpoints), 'curator.endpoints not written to .vscode/settings.json');
    assert.deepEqual(
      endpoints.find((e) => e.name === 'my-vlm'),
      { name: 'my-vlm', baseURL: server.url.replace(/\/+$/, ''), model: 'q-future/co-instruct', apiKeySource: 'secret' },
    );
    // the escaped run wrote nothing: only the user profile (kept in effect) and the new one
    assert.deepEqual(
      endpoints.map((e) => e.name),
      ['co-instruct', 'my-vlm'],
    );
    assert.equal(endpoints[0].enabled, false);
    for (const f of allFiles(ws)) assert.ok(!fs.readFileSync(f, 'utf8').includes(KEY), `the key was written to ${f}`);

    // asking the new profile sends the key it can only have found in SecretStorage
    await vs.openFile('coinstruct-demo.json');
    await vs.runCommand('Curator: Open Dataset');
    const view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await view.locator('.model-answers').waitFor({ timeout: 15_000 });
    await vs.runCommand('Curator: Ask Model');
    const answer = view.locator('.model-answer[data-profile="my-vlm"][data-state="done"]');
    await answer.waitFor({ timeout: 30_000 });
    assert.equal(await answer.locator('.model-answer-text').textContent(), 'The second image has better quality.');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(server.requests[0].body?.model, 'q-future/co-instruct');
    for (const f of allFiles(ws)) assert.ok(!fs.readFileSync(f, 'utf8').includes(KEY), `the key was written to ${f}`);
  });

  it('adds a profile without a key as apiKeySource "none" (a server without auth)', async () => {
    await vs.runCommand('Curator: Add Endpoint…');
    await vs.answerQuickInput('http://127.0.0.1:8001/v1', undefined, 'Add Endpoint (1/4)');
    await vs.answerQuickInput('open-vlm', undefined, 'Add Endpoint (2/4)');
    await vs.answerQuickInput(undefined, undefined, 'Add Endpoint (3/4)');
    await vs.answerQuickInput('', undefined, 'Add Endpoint (4/4)');
    const deadline = Date.now() + 20_000;
    const added = (): Record<string, unknown> | undefined => ((workspaceEndpoints(ws) ?? []) as Record<string, unknown>[]).find((e) => e.name === 'open-vlm');
    while (!added() && Date.now() < deadline) await page.waitForTimeout(200);
    assert.deepEqual(added(), { name: 'open-vlm', baseURL: 'http://127.0.0.1:8001/v1', model: 'open-vlm', apiKeySource: 'none' });
    assert.deepEqual(
      (workspaceEndpoints(ws) as Record<string, unknown>[]).map((e) => e.name),
      ['co-instruct', 'my-vlm', 'open-vlm'],
    );
  });
});
