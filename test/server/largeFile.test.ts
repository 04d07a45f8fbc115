/**
 * A 20 MB / 20K-line JSONL file through the language server: fully validated, and an edit during
 * validation cancels the pass in flight. Times are printed, not asserted (speed is for `npm run bench`).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestClient, uriOf } from './lspClient';
import { DEMO, jsonlDataset } from './fixtures';

describe('language server: a 20 MB JSONL file', function () {
  this.timeout(120000);
  let client: TestClient;
  const text = jsonlDataset(20000, 1070);
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('validates all 20K records and reports every fault', async () => {
    assert.ok(text.length >= 19.5e6, `fixture is ${text.length} bytes`);
    const lines = text.split('\n');
    // Three faults far apart.
    lines[10] = lines[10].replace('"from":"gpt"', '"from":"human"');
    lines[10000] = lines[10000].replace('images/', '../');
    lines[19990] = lines[19990].slice(0, -2);
    const body = lines.join('\n');
    const uri = uriOf(path.join(DEMO, '__lsp-20mb.jsonl'));
    const t0 = performance.now();
    await client.open(uri, body);
    const diags = await client.diagnosticsAt(uri, 1, 60000);
    const wall = performance.now() - t0;
    const stats = await client.statsAt(uri, 1);
    assert.equal(stats.records, 20000);
    assert.equal(stats.checked, 20000);
    assert.deepEqual(diags.map((d) => `${d.range.start.line}:${d.code}`).sort(), ['10000:path-escapes-root', '10:turn-order', '19990:syntax'].sort());
    console.log(
      `      20K lines, ${(body.length / 1e6).toFixed(1)} MB: validated in ${stats.millis.toFixed(0)} ms in the server, ${wall.toFixed(0)} ms from didOpen to diagnostics`,
    );
    // A pass this long shows progress in the editor: begun, then ended.
    if (stats.millis > 1000) {
      const kinds = client.progress.map((p) => p.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.match(client.progress[0].value.title ?? '', /Curator: validating __lsp-20mb\.jsonl/);
      assert.equal(kinds[kinds.length - 1], 'end');
    }

    // One-line edit: one record re-checked.
    const t1 = performance.now();
    await client.change(uri, 2, [
      { range: { start: { line: 10000, character: 0 }, end: { line: 10000, character: lines[10000].length } }, text: lines[10000].replace('../', 'images/') },
    ]);
    const d2 = await client.diagnosticsAt(uri, 2, 60000);
    const s2 = await client.statsAt(uri, 2);
    assert.equal(s2.checked, 1);
    assert.equal(d2.length, 2);
    console.log(
      `      one-line edit: revalidated in ${s2.millis.toFixed(0)} ms in the server, ${(performance.now() - t1).toFixed(0)} ms from didChange to diagnostics (incl. ${30} ms debounce)`,
    );
    await client.close(uri);
  });

  it('cancels a pass in flight when the document changes, keeping the records already checked', async () => {
    const uri = uriOf(path.join(DEMO, '__lsp-20mb-cancel.jsonl'));
    await client.open(uri, text);
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const d = await client.diagnosticsAt(uri, 2, 60000);
    assert.deepEqual(d, []);
    await client.statsAt(uri, 2);
    const runs = client.validated.filter((s) => s.uri === uri);
    assert.deepEqual(
      runs.map((s) => s.version),
      [2],
      'the pass for version 1 was abandoned',
    );
    assert.equal(runs[0].checked + runs[0].reused, 20000);
    assert.ok(runs[0].reused > 0, 'work of the cancelled pass is reused');
    console.log(`      cancelled pass left ${runs[0].reused} records checked; the next pass checked ${runs[0].checked}`);
    await client.close(uri);
  });
});
