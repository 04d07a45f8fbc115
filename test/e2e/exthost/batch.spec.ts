/**
 * "Curator: Export Batch Requests" and "Curator: Import Batch Results" inside the real extension
 * host: a spot check's questions go out as batch input files, a local Batch API stand-in answers them
 * (one request expires), and the results come back into the answers cache and the agreement file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseArgs } from '../../../src/cli/args';
import { sample } from '../../../src/cli/commands/sample';
import type { BatchExport } from '../../../src/core/endpoint/batchAsk';
import { runBatchStandIn } from '../../support/batchStandIn';
import { OpenAITestServer } from '../../support/openaiTestServer';

describe('batch files in the extension host', () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  let server: OpenAITestServer;

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    await ext.activate();
    server = await OpenAITestServer.start({ expectImageSize: 448, answer: () => 'The first image has better quality.' });
    await vscode.workspace
      .getConfiguration('curator')
      .update('endpoints', [{ name: 'served', baseURL: server.url, model: 'co-instruct', apiKeySource: 'none' }], vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('curator').update('endpoints', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.close();
  });

  it('exports a spot check as batch requests and imports the results into the agreement file', async () => {
    const args = [path.join(root, 'coinstruct-demo.json'), '--size', '6', '--seed', '9', '--name', 'batch-e2e', '--out', path.join(root, '.curator')];
    const code = await sample.run(parseArgs(args, sample.flags), { out: () => undefined, err: () => undefined });
    assert.equal(code, 0);
    const dir = path.join(root, '.curator', 'spotchecks', 'batch-e2e');
    const out = path.join(root, 'batch');
    const exported = await vscode.commands.executeCommand<BatchExport>('curator.exportBatchRequests', { dir, profile: 'served', out });
    assert.equal(exported.written.requests, 6);
    assert.equal(server.requests.length, 0, 'exporting sends nothing');
    const input = exported.written.files[0].file;
    const first = JSON.parse(fs.readFileSync(input, 'utf8').split('\n')[0]) as { custom_id: string };
    const ran = await runBatchStandIn(input, path.join(root, 'out.jsonl'), path.join(root, 'err.jsonl'), {
      baseURL: server.url,
      expire: (id) => id === first.custom_id,
    });
    assert.deepEqual(ran.invalid, []);
    assert.deepEqual(
      server.requests.flatMap((r) => r.problems),
      [],
    );
    const sent = server.requests.length;
    const file = await vscode.commands.executeCommand<string>('curator.importBatchResults', { dir, profile: 'served', files: [ran.outputFile, ran.errorFile] });
    assert.equal(server.requests.length, sent, 'importing sends nothing');
    const agreement = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: unknown[]; failures: { key: string; error: string }[] };
    assert.equal(agreement.items.length, 5);
    assert.equal(agreement.failures.length, 1);
    assert.match(agreement.failures[0].error, /batch_expired/);
    assert.equal(`served:${agreement.failures[0].key}`, first.custom_id);
    assert.equal(
      fs
        .readFileSync(path.join(root, '.curator', 'answers', 'served.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
      5,
    );
  });
});
