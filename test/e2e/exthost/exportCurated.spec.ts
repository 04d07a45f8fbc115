/**
 * "Curator: Export Curated Dataset" inside the real extension host (issue #17): a spot check of the
 * demo with two items judged incorrect (one corrected) exports as a JSON array in which every other
 * record is byte-identical to the demo, with its manifest; the dataset itself is refused as output.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseArgs } from '../../../src/cli/args';
import { sample } from '../../../src/cli/commands/sample';
import type { ApplyResult } from '../../../src/core/curate/apply';
import { Dataset } from '../../../src/core/dataset';
import { VerdictJournal } from '../../../src/core/verdicts';

describe('Export Curated Dataset in the extension host', () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'co-instruct-curator')!;
    await ext.activate();
  });

  it('drops, corrects and keeps every other record byte for byte; refuses the dataset as output', async () => {
    const data = path.join(root, 'coinstruct-demo.json');
    const code = await sample.run(parseArgs([data, '--size', '6', '--seed', '4', '--name', 'export-e2e', '--out', path.join(root, '.curator')], sample.flags), {
      out: () => undefined,
      err: () => undefined,
    });
    assert.equal(code, 0);
    const dir = path.join(root, '.curator', 'spotchecks', 'export-e2e');
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { items: { key: string; hash: string; index: number }[] };
    const [fix, drop] = plan.items;
    const j = new VerdictJournal(path.join(dir, 'verdicts-e2e.jsonl'));
    j.append({ key: fix.key, hash: fix.hash, verdict: 'incorrect', correction: 'The second image is clearer.', reasons: ['wrong ranking'], reviewer: 'e2e' });
    j.append({ key: drop.key, hash: drop.hash, verdict: 'incorrect', reasons: ['vague'], reviewer: 'e2e' });
    j.close();

    const before = fs.readFileSync(data);
    const refused = await vscode.commands.executeCommand<ApplyResult | undefined>('curator.exportCuratedDataset', {
      dir,
      out: data,
      drop: true,
      corrections: true,
      decisions: false,
    });
    assert.equal(refused, undefined);
    assert.deepEqual(fs.readFileSync(data), before);

    const out = path.join(root, 'curated.json');
    const r = await vscode.commands.executeCommand<ApplyResult>('curator.exportCuratedDataset', { dir, out, drop: true, corrections: true, decisions: false });
    assert.deepEqual([r.records, r.kept, r.dropped, r.corrected], [33, 32, 1, 1]);
    const src = Dataset.open(data);
    const cur = Dataset.open(out);
    try {
      assert.equal(cur.count, 32);
      let j2 = 0;
      for (let i = 0; i < src.count; i++) {
        if (i === drop.index) continue;
        const a = src.rawBytes(i);
        const b = cur.rawBytes(j2++);
        if (i === fix.index) assert.equal(cur.item(j2 - 1).label, 'The second image is clearer.');
        else assert.ok(Buffer.from(a).equals(Buffer.from(b)), `record ${i} changed`);
      }
    } finally {
      src.close();
      cur.close();
    }
    const m = JSON.parse(fs.readFileSync(`${out}.manifest.json`, 'utf8')) as { changes: { key: string; action: string }[] };
    assert.deepEqual(m.changes.map((c) => c.action).sort(), ['corrected', 'dropped']);
  });
});
