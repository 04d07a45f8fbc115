/** Language server over stdio: diagnostics on open and on edit, exact ranges, incremental revalidation. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { Dataset } from '../../src/core/dataset';
import { validateDataset } from '../../src/core/validate';
import { applyEdits, TestClient, uriOf } from './lspClient';
import { BROKEN_DEMO, DEMO, jsonlDataset, llavaLine } from './fixtures';

/** The document text a diagnostic's range covers. */
function rangeText(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  const { start, end } = d.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

describe('language server: diagnostics', function () {
  this.timeout(60000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('underlines every fault of the broken demo with an exact range and a message that says what to do', async () => {
    const text = fs.readFileSync(BROKEN_DEMO, 'utf8');
    const uri = uriOf(BROKEN_DEMO);
    await client.open(uri, text);
    const diags = await client.diagnosticsAt(uri, 1);
    const byCode = (code: string): Diagnostic[] => diags.filter((d) => d.code === code);
    const codes = [...new Set(diags.map((d) => d.code))].sort();
    assert.deepEqual(codes, [
      'duplicate-id',
      'empty-label',
      'image-missing',
      'mixed-placeholders',
      'ordinal-order',
      'path-escapes-root',
      'placeholder-count',
      'syntax',
    ]);
    for (const d of diags) {
      assert.equal(d.source, 'curator');
      assert.ok(d.message.length > 20, d.message);
    }
    // Exact spans: the offending value, not the whole record.
    assert.equal(rangeText(text, byCode('duplicate-id')[0]), '"demo-group2-005"');
    assert.equal(rangeText(text, byCode('path-escapes-root')[0]), '"../secret.png"');
    assert.equal(rangeText(text, byCode('image-missing')[0]), '"images/does-not-exist.jpg"');
    const thirdImage = byCode('ordinal-order').find((d) => d.message.includes('The third image'))!;
    assert.equal(rangeText(text, thirdImage), 'The third image:');
    assert.equal(thirdImage.range.start.line + 1, 49);
    assert.match(rangeText(text, byCode('empty-label')[0]), /^"value": ""$/);
    assert.equal(byCode('mixed-placeholders')[0].severity, 2 /* warning */);
    assert.equal(byCode('syntax')[0].range.start.line + 1, 156);
    assert.match(byCode('syntax')[0].message, /fix the JSON/);
    assert.match(byCode('duplicate-id')[0].message, /already used by record 0 \(line 2\).*rename it or remove this record/);
    assert.match(byCode('image-missing')[0].message, /fix the path or set the image root/);
    await client.close(uri);
  });

  it('says what cocurate validate says: one wording per rule, from core (structure, syntax, too deep, unknown format, duplicate id, record rules)', async () => {
    const dir = fs.mkdtempSync(path.join(DEMO, '__same-words-'));
    const deep = '['.repeat(150) + ']'.repeat(150);
    const files: [string, string, Record<string, unknown>][] = [
      ['broken.json', fs.readFileSync(BROKEN_DEMO, 'utf8'), {}],
      ['deep.jsonl', `${llavaLine(0)}\n{"id": "x", "deep": ${deep}}\n${llavaLine(1)}\n`, {}],
      ['array.json', `[\n${llavaLine(0)}\n${llavaLine(1)}\n}`, {}],
      ['custom/scores.jsonl', '{"id": "a", "value": 1}\n{"id": "a", "value": 2}\n', { include: ['**/custom/*.jsonl'] }],
    ];
    try {
      for (const [name, text, init] of files) {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        const lsp = Object.keys(init).length ? await TestClient.start({ initializationOptions: init }) : client;
        try {
          const uri = uriOf(file);
          await lsp.open(uri, text);
          const diags = await lsp.diagnosticsAt(uri, 1);
          const cli = validateDataset(Dataset.open(file), { maxDiagnostics: 0 }).diagnostics;
          assert.ok(diags.length > 0, name);
          for (const d of diags) {
            const same = cli.filter((c) => c.code === d.code && c.line === d.range.start.line + 1);
            assert.ok(same.length > 0, `${name}: cocurate validate reports ${String(d.code)} on line ${d.range.start.line + 1} too (${d.message})`);
            assert.ok(
              same.some((c) => d.message === c.detail || d.message === `${c.field}: ${c.detail}`),
              `${name}: the same words for ${String(d.code)}:\n  editor: ${d.message}\n  cli:    ${same.map((c) => c.detail).join(' | ')}`,
            );
          }
          await lsp.close(uri);
        } finally {
          if (lsp !== client) await lsp.stop();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('revalidates only the changed line of a JSONL file and follows edits', async () => {
    const file = path.join(DEMO, '__lsp-edit.jsonl');
    const uri = uriOf(file);
    const text = jsonlDataset(1000);
    await client.open(uri, text);
    assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
    const s1 = await client.statsAt(uri, 1);
    assert.equal(s1.records, 1000);
    assert.equal(s1.checked, 1000);

    // Break line 500: drop its second placeholder.
    const line = 499;
    const old = llavaLine(line);
    const at = old.indexOf('\\nThe second image: <image>');
    const cut = '\\nThe second image: <image>'.length;
    await client.change(uri, 2, [{ range: { start: { line, character: at }, end: { line, character: at + cut } }, text: '' }]);
    const d2 = await client.diagnosticsAt(uri, 2);
    assert.deepEqual(
      d2.map((d) => [d.code, d.range.start.line]),
      [
        ['placeholder-count', line],
        ['ordinal-order', line],
      ],
    );
    const s2 = await client.statsAt(uri, 2);
    assert.equal(s2.checked, 1, 'only the edited line is parsed and checked again');
    assert.equal(s2.reused, 999);

    // Insert a new broken line above: every later diagnostic moves down one line.
    await client.change(uri, 3, [
      {
        range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } },
        text: '{"id": "rec-3", "image": "images/x.jpg", "conversations": []}\n',
      },
    ]);
    const d3 = await client.diagnosticsAt(uri, 3);
    const lines3 = d3.map((d) => `${d.code}@${d.range.start.line}`).sort();
    assert.deepEqual(lines3, ['duplicate-id@10', 'image-missing@10', 'missing-field@10', 'ordinal-order@500', 'placeholder-count@500'].sort());
    assert.equal((await client.statsAt(uri, 3)).checked, 1);

    // Undo both edits: clean again.
    await client.change(uri, 4, [{ range: { start: { line: 10, character: 0 }, end: { line: 11, character: 0 } }, text: '' }]);
    await client.change(uri, 5, [{ range: { start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } }, text: old }]);
    assert.deepEqual(await client.diagnosticsAt(uri, 5), []);
    await client.close(uri);
  });

  it('keeps ranges exact after non-ASCII text (UTF-16 positions, JSON array)', async () => {
    const records = [0, 1, 2].map((i) => JSON.parse(llavaLine(i)));
    records[0].conversations[1].value = '第一张图像噪声更强 😀 — “quoted” ünïcödé';
    records[1].conversations[0].value += ' 画质 😀';
    records[2].image[1] = 'images/没有-😀.jpg';
    const text = JSON.stringify(records, null, 2);
    const uri = uriOf(path.join(DEMO, '__lsp-unicode.json'));
    await client.open(uri, text);
    const diags = await client.diagnosticsAt(uri, 1);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['image-missing'],
    );
    assert.equal(rangeText(text, diags[0]), '"images/没有-😀.jpg"');
    await client.close(uri);
  });

  it('revalidates open documents when the image root setting changes', async () => {
    const uri = uriOf(path.join(DEMO, '__lsp-root.jsonl'));
    await client.open(uri, jsonlDataset(3));
    assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
    await client.statsAt(uri, 1);
    const seen = client.validated.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { curator: { imageRoot: '/nonexistent-image-root' } } });
    const again = await client.until(() => client.validated.slice(seen).find((s) => s.uri === uri), 'revalidation');
    assert.equal(again.checked, 3, 'cached results are dropped when the root changes');
    const d = client.diagnostics.get(uri)!.diagnostics;
    assert.equal(d.filter((x) => x.code === 'image-missing').length, 6);
    assert.match(d[0].message, /\/nonexistent-image-root\/images\//);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { curator: { imageRoot: '' } } });
    await client.until(() => client.diagnostics.get(uri)!.diagnostics.length === 0 || undefined, 'clean again');
    await client.close(uri);
  });

  it('debounces a burst of edits into one validation of the last version', async () => {
    const slow = await TestClient.start({ initializationOptions: { debounceMs: 400 } });
    try {
      const uri = uriOf(path.join(DEMO, '__lsp-burst.jsonl'));
      let text = jsonlDataset(50);
      await slow.open(uri, text);
      await slow.diagnosticsAt(uri, 1);
      const edits = [] as Promise<void>[];
      for (let v = 2; v <= 6; v++) {
        const change = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' };
        text = applyEdits(text, [{ range: change.range, newText: change.text }]);
        edits.push(slow.change(uri, v, [change]));
      }
      await Promise.all(edits);
      await slow.statsAt(uri, 6);
      const versions = slow.validated.filter((s) => s.uri === uri).map((s) => s.version);
      assert.deepEqual(versions, [1, 6]);
    } finally {
      await slow.stop();
    }
  });

  it('publishes nothing for JSON files that are not datasets, unless an include glob names them', async () => {
    const pkg = path.join(path.dirname(DEMO), 'package.json');
    const uri = uriOf(pkg);
    await client.open(uri, fs.readFileSync(pkg, 'utf8'));
    assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
    assert.equal((await client.statsAt(uri, 1)).dataset, false);
    await client.close(uri);

    const inc = await TestClient.start({ initializationOptions: { include: ['**/custom/*.jsonl'] } });
    try {
      const u = uriOf('/tmp/custom/scores.jsonl');
      await inc.open(u, '{"name": "a", "value": 1}\n{"name": "b", "value": 2}\n');
      const d = await inc.diagnosticsAt(u, 1);
      assert.deepEqual(
        d.map((x) => x.code),
        ['unknown-format'],
      );
    } finally {
      await inc.stop();
    }
  });

  it('cocurate lsp --stdio serves the same diagnostics as the bundled server', async () => {
    const cli = await TestClient.start({ via: 'cli' });
    try {
      const uri = uriOf(BROKEN_DEMO);
      const text = fs.readFileSync(BROKEN_DEMO, 'utf8');
      await cli.open(uri, text);
      await client.open(uri, text);
      const a = await cli.diagnosticsAt(uri, 1);
      const b = await client.diagnosticsAt(uri, 1);
      assert.equal(a.length, 9);
      assert.deepEqual(a, b);
      await client.close(uri);
    } finally {
      await cli.stop();
    }
  });
});
