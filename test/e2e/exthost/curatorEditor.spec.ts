/**
 * Runs inside code-server's extension host with the real `vscode` API (started by
 * ../extensionHost.test.ts): commands, the spot-check flow through the webview, the tree view and
 * the journal on disk.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readJournal } from '../../../src/core/verdicts';
import { CONTRIBUTED_COMMANDS, INTERNAL_COMMANDS, KEY_COMMANDS, LENS_COMMANDS } from '../../../src/extension/commandIds';
import { until } from './until';
import { activeView } from './activeView';

describe('curator editor in the extension host', () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const dataset = path.join(root, 'coinstruct-demo.json');
  let dir = '';

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator');
    assert.ok(ext, 'the extension under development is loaded');
    await ext.activate();
  });

  it('registers exactly the commands of its table, every contributed one among them', async () => {
    // VS Code adds `<view id>.focus`, `.open`… for the contributed Spot Checks view itself.
    const live = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('curator.') && !c.startsWith('curator.spotChecks.')).sort();
    const table = [...new Set<string>([...CONTRIBUTED_COMMANDS, ...Object.keys(KEY_COMMANDS), ...LENS_COMMANDS, ...INTERNAL_COMMANDS])].sort();
    assert.deepEqual(live, table, 'the commands registered in the extension host are those of the table (src/extension/commandIds.ts, commands.ts)');
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    for (const c of ext.packageJSON.contributes.commands as { command: string }[])
      assert.ok(live.includes(c.command), `contributed ${c.command} is registered`);
  });

  it('contributes review keys scoped to the spot-check editor and webview focus', () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    const kb = ext.packageJSON.contributes.keybindings as { key: string; command: string; when: string }[];
    for (const key of ['c', 'x', 's', 'n', 'u', 'backspace']) {
      const b = kb.find((k) => k.key === key);
      assert.ok(b, `key ${key} is bound`);
      assert.match(b.when, /activeCustomEditorId == 'curator\.spotCheck'/);
      assert.match(b.when, /curator\.focus == 'item'/);
    }
  });

  it('creates a spot check through the command with arguments (no prompts)', async () => {
    dir = (await vscode.commands.executeCommand<string>('curator.newSpotCheck', {
      dataset,
      size: 6,
      seed: 'exthost',
      strata: 'groupSize',
      name: 'exthost-6',
      open: false,
    }))!;
    assert.ok(dir, 'the command returns the spot-check folder');
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    assert.equal(plan.items.length, 6);
    assert.equal(plan.name, 'exthost-6');
    assert.equal(path.resolve(dir, plan.dataset.path), dataset);
  });

  it('opens the review, marks through the webview, and the journal has the line on disk', async () => {
    await vscode.commands.executeCommand('curator.openSpotCheck', dir);
    const v = await until('the review view', async () => {
      const a = await activeView();
      return a?.ready && a.mode === 'review' ? a : undefined;
    });
    assert.equal(v.progress?.judged, 0);
    assert.equal(v.position, 0);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { items: { key: string }[] };
    await vscode.commands.executeCommand('curator.review.markCorrect');
    await until('the first verdict in the journal', () => readJournal(v.journal!).latest.get(plan.items[0].key));
    await until('position 1', async () => ((await activeView())?.position === 1 ? true : undefined));
    await vscode.commands.executeCommand('curator.review.markIncorrect');
    await until('the second verdict', () => readJournal(v.journal!).latest.get(plan.items[1].key));
    const j = readJournal(v.journal!);
    assert.equal(j.latest.get(plan.items[0].key)?.verdict, 'correct');
    assert.equal(j.latest.get(plan.items[1].key)?.verdict, 'incorrect');
    assert.equal(j.lines[0].reviewer, 'exthost-reviewer');
    const after = await until('progress 2', async () => {
      const a = await activeView();
      return a?.progress?.judged === 2 ? a : undefined;
    });
    assert.equal(after.progress?.correct, 1);
    // undo: the current item has no verdict, so the previous one is undone
    await vscode.commands.executeCommand('curator.review.undo');
    await until('the undo line', () => (readJournal(v.journal!).latest.has(plan.items[1].key) ? undefined : true));
    assert.equal(readJournal(v.journal!).lines.at(-1)?.verdict, 'undo');
  });

  it("lists the spot check in the tree with this reviewer's progress", async () => {
    const nodes = await until('tree nodes', async () => {
      const n = await vscode.commands.executeCommand<{ name: string; progress?: { judged: number; size: number } }[]>('curator.internal.spotCheckNodes');
      return n?.find((x) => x.name === 'exthost-6');
    });
    assert.deepEqual({ judged: nodes.progress?.judged, size: nodes.progress?.size }, { judged: 1, size: 6 });
  });

  it("previews the record under a text editor's cursor and follows the cursor", async () => {
    const doc = await vscode.workspace.openTextDocument(dataset);
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const at = (needle: string) => doc.positionAt(doc.getText().indexOf(needle));
    editor.selection = new vscode.Selection(at('demo-group2-005'), at('demo-group2-005'));
    await vscode.commands.executeCommand('curator.previewItemAtCursor');
    await until('preview of record 5', async () => ((await vscode.commands.executeCommand<number>('curator.internal.previewIndex')) === 5 ? true : undefined));
    editor.selection = new vscode.Selection(at('demo-group4-025'), at('demo-group4-025'));
    await until('preview follows to record 25', async () =>
      (await vscode.commands.executeCommand<number>('curator.internal.previewIndex')) === 25 ? true : undefined,
    );
  });

  it("runs the language server's CodeLens commands: previewItem and reviewItem with {uri, index, key}", async () => {
    const uri = vscode.Uri.file(dataset).toString();
    await vscode.commands.executeCommand('curator.previewItem', { uri, index: 12, key: 'demo-group3-012' });
    await until('preview of record 12', async () =>
      (await vscode.commands.executeCommand<number>('curator.internal.previewIndex')) === 12 ? true : undefined,
    );
    await vscode.commands.executeCommand('curator.reviewItem', { uri, index: 20, key: 'demo-group4-020' });
    const v = await until('the dataset editor at record 20', async () => {
      const a = await activeView();
      return a?.ready && a.mode === 'browse' && a.position === 20 ? a : undefined;
    });
    assert.equal(v.readOnly, true);
  });
});
