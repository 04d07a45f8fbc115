/** Language server over stdio: hover, symbols, go-to-definition, CodeLens, quick fixes and their edits. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, DocumentSymbol, Hover, LocationLink, MarkupContent, TextEdit } from 'vscode-languageserver/node';
import { applyEdits, TestClient, uriOf } from './lspClient';
import { arrayDataset, BROKEN_DEMO, DEMO, jsonlDataset, llavaLine } from './fixtures';
import { CURSOR_NOTIFICATION, type CursorParams } from '../../src/lspProtocol';

const pos = (text: string, needle: string, from = 0, delta = 1): { line: number; character: number } => {
  const k = text.indexOf(needle, from);
  assert.ok(k >= 0, `"${needle}" not in text`);
  const before = text.slice(0, k + delta);
  const line = before.split('\n').length - 1;
  return { line, character: k + delta - (before.lastIndexOf('\n') + 1) };
};

describe('language server: hover, symbols, navigation, quick fixes', function () {
  this.timeout(60000);
  let client: TestClient;
  const text = fs.readFileSync(BROKEN_DEMO, 'utf8');
  const uri = uriOf(BROKEN_DEMO);
  before(async () => {
    client = await TestClient.start();
    await client.open(uri, text);
    await client.diagnosticsAt(uri, 1);
  });
  after(async () => {
    await client.stop();
  });

  const request = <T>(method: string, params: object): Promise<T> => client.connection.sendRequest(method, params) as Promise<T>;

  it('hovers an image path with a thumbnail, its file size and pixel dimensions', async () => {
    const h = await request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(text, 'images/harvest-642254_11_04.jpg', 0, 5) });
    const value = (h.contents as MarkupContent).value;
    assert.match(value, /^!\[harvest\\-642254\\_11\\_04\\.jpg\]\(data:image\/jpeg;base64,[A-Za-z0-9+/=]{200,}\)/);
    const file = path.join(DEMO, 'images', 'harvest-642254_11_04.jpg');
    const kb = (fs.statSync(file).size / 1024).toFixed(1);
    assert.ok(value.includes(`512 × 384 px · JPEG · ${kb} KB`), value);
    assert.ok(value.includes(`[Open image](${pathToFileURL(file).href})`));
    // The hover range is the string literal.
    assert.equal(h.range!.start.line, pos(text, '"images/harvest-642254_11_04.jpg"', 0, 0).line);
  });

  it('hovers a path that leaves the image root with the reason, never the file', async () => {
    const h = await request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(text, '../secret.png', 0, 3) });
    const value = (h.contents as MarkupContent).value;
    assert.match(value, /leaves the image root/);
    assert.ok(!value.includes('data:image'));
  });

  it('hovers a record id with a summary: group size, question, label (first 200 characters)', async () => {
    const h = await request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(text, '"broken-ordinals"', 0, 3) });
    const value = (h.contents as MarkupContent).value;
    assert.match(value, /\*\*Record 2\*\* · id `broken-ordinals` · line 40/);
    assert.match(value, /format llava · 2 images · subset Merge2Compare/);
    assert.match(value, /\*\*Question:\*\* Which image has better quality, and why\?/);
    assert.match(value, /\*\*Label:\*\* The second image has better quality/);
    assert.match(value, /No spot-check verdict yet/);
    // No hover in the middle of ordinary text.
    const none = await request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(text, 'Which image is better?', 0, 3) });
    assert.equal(none, null);
  });

  it('shows spot-check verdicts in the record hover', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-verdicts-'));
    try {
      const data = path.join(dir, 'set.jsonl');
      const body = jsonlDataset(3);
      fs.writeFileSync(data, body);
      const sc = path.join(dir, '.curator', 'spotchecks', 'first-pass');
      fs.mkdirSync(sc, { recursive: true });
      fs.writeFileSync(path.join(sc, 'plan.json'), JSON.stringify({ version: 1, name: 'first-pass', dataset: { path: '../../../set.jsonl' }, items: [] }));
      const line = (key: string, verdict: string, reviewer: string, note?: string): string =>
        JSON.stringify({ v: 1, key, hash: 'x', verdict, reviewer, at: '2026-11-28T03:00:00Z', ...(note ? { note } : {}) }) + '\n';
      fs.writeFileSync(
        path.join(sc, 'verdicts-alice.jsonl'),
        line('rec-1', 'correct', 'alice') + line('rec-2', 'correct', 'alice') + line('rec-2', 'undo', 'alice'),
      );
      fs.writeFileSync(path.join(sc, 'verdicts-bob.jsonl'), line('rec-1', 'incorrect', 'bob', 'noise is in the second image'));
      const u = uriOf(data);
      await client.open(u, body);
      await client.diagnosticsAt(u, 1);
      const h = await request<Hover>('textDocument/hover', { textDocument: { uri: u }, position: { line: 1, character: 0 } });
      const value = (h.contents as MarkupContent).value;
      assert.match(value, /✔ correct — alice, first\\-pass, 2026\\-11\\-28/);
      assert.match(value, /✘ incorrect — bob, first\\-pass.*noise is in the second image/);
      const h2 = await request<Hover>('textDocument/hover', { textDocument: { uri: u }, position: { line: 2, character: 0 } });
      assert.match((h2.contents as MarkupContent).value, /No spot-check verdict yet/, 'an undone verdict does not count');
      await client.close(u);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists one symbol per record, named by id', async () => {
    const symbols = await request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      [
        'demo-group2-005',
        'broken-placeholders',
        'broken-ordinals',
        'demo-group2-005',
        'broken-empty-answer',
        'broken-escape',
        'broken-missing-image',
        'broken-mixed',
        '#8',
        'demo-group2-006',
      ],
    );
    assert.equal(symbols.length, 10);
    assert.equal(symbols[2].range.start.line + 1, 40);
    assert.equal(symbols[2].selectionRange.start.line + 1, 41);
  });

  it('goes to the image file from an image path', async () => {
    const links = await request<LocationLink[]>('textDocument/definition', {
      textDocument: { uri },
      position: pos(text, 'images/railway-336702_07_03.jpg', 0, 4),
    });
    assert.equal(links.length, 1);
    assert.equal(links[0].targetUri, pathToFileURL(path.join(DEMO, 'images', 'railway-336702_07_03.jpg')).href);
    const none = await request<LocationLink[] | null>('textDocument/definition', {
      textDocument: { uri },
      position: pos(text, 'images/does-not-exist.jpg', 0, 4),
    });
    assert.equal(none, null);
  });

  it('puts Preview · Review · Ask model above every record, running the extension commands', async () => {
    const lenses = await request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 30);
    assert.deepEqual(
      lenses.slice(0, 3).map((l) => [l.command!.title, l.command!.command]),
      [
        ['Preview', 'curator.previewItem'],
        ['Review', 'curator.reviewItem'],
        ['Ask model', 'curator.askModel'],
      ],
    );
    assert.deepEqual(lenses[6].command!.arguments, [{ uri, index: 2, key: 'broken-ordinals' }]);
    // A duplicated id is not a key: the item is addressed by index.
    assert.deepEqual(lenses[9].command!.arguments, [{ uri, index: 3, key: '#3' }]);
  });

  it('in files over 5K lines shows CodeLens only at the cursor record', async () => {
    const u = uriOf(path.join(DEMO, '__lsp-lens.jsonl'));
    await client.open(u, jsonlDataset(6000));
    await client.diagnosticsAt(u, 1);
    const first = await request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: u } });
    assert.deepEqual(
      first.map((l) => l.range.start.line),
      [0, 0, 0],
    );
    await client.connection.sendNotification(CURSOR_NOTIFICATION, { uri: u, line: 4242 } satisfies CursorParams);
    // Messages are handled in order: the next request sees the cursor.
    const at = await request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: u } });
    assert.deepEqual(
      at.map((l) => l.range.start.line),
      [4242, 4242, 4242],
    );
    assert.equal((at[0].command!.arguments![0] as { key: string }).key, 'rec-4242');
    await client.close(u);
  });

  const actionsAt = async (u: string, position: { line: number; character: number }, diagnostics: Diagnostic[]): Promise<CodeAction[]> =>
    request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: u }, range: { start: position, end: position }, context: { diagnostics } });
  const editsOf = (a: CodeAction, u: string): TextEdit[] => a.edit!.changes![u];

  it('quick fix: renumbers ordinal prefixes', async () => {
    const diags = client.diagnostics.get(uri)!.diagnostics.filter((d) => d.code === 'ordinal-order' && d.range.start.line === 48);
    const actions = await actionsAt(uri, diags[0].range.start, diags);
    const fix = actions.find((a) => a.title.startsWith('Renumber the ordinal prefixes'))!;
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    const out = applyEdits(text, editsOf(fix, uri));
    assert.equal(out.split('\n')[48], text.split('\n')[48].replace('The third image:', 'The second image:'));
  });

  it('quick fix: converts <image> ↔ <|image|> in one record or in the whole file', async () => {
    const diags = client.diagnostics.get(uri)!.diagnostics.filter((d) => d.code === 'mixed-placeholders');
    const actions = await actionsAt(uri, diags[0].range.start, diags);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Convert <image> to <|image|> in record 7'), titles.join('; '));
    assert.ok(titles.includes('Convert <|image|> to <image> in record 7'));
    const toPipe = actions.find((a) => a.title === 'Convert <image> to <|image|> in record 7')!;
    const out = applyEdits(text, editsOf(toPipe, uri));
    assert.equal(out.split('\n')[143], text.split('\n')[143].replace('<image>', '<|image|>'));
    assert.equal(out.length, text.length + 2, 'only that record changed');

    // Whole file: the edit is computed on resolve (the client announced resolve support).
    const whole = actions.find((a) => a.title === 'Convert every <|image|> to <image> in the file')!;
    assert.equal(whole.edit, undefined);
    const resolved = await request<CodeAction>('codeAction/resolve', whole);
    const all = applyEdits(text, editsOf(resolved, uri));
    assert.ok(!all.includes('<|image|>'));
    assert.equal(all.split('<image>').length - 1, text.split('<image>').length - 1 + 1);
  });

  it('quick fix: removes a duplicate record (JSON array and JSONL), leaving valid JSON', async () => {
    const records = [JSON.parse(llavaLine(0)), JSON.parse(llavaLine(1)), JSON.parse(llavaLine(0)), JSON.parse(llavaLine(2))];
    for (const [name, body] of [
      ['__dups.json', arrayDataset(records)],
      ['__dups.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n'],
    ] as const) {
      const u = uriOf(path.join(DEMO, name));
      await client.open(u, body);
      const diags = (await client.diagnosticsAt(u, 1)).filter((d) => d.code === 'duplicate-id');
      assert.equal(diags.length, 1, name);
      const actions = await actionsAt(u, diags[0].range.start, diags);
      const remove = actions.find((a) => a.title.startsWith('Remove record 2'))!;
      assert.equal(remove.title, 'Remove record 2 (an exact copy of record 0)');
      const out = applyEdits(body, editsOf(remove, u));
      const parsed = name.endsWith('.jsonl')
        ? out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : JSON.parse(out);
      assert.deepEqual(
        parsed.map((r: { id: string }) => r.id),
        ['rec-0', 'rec-1', 'rec-2'],
        name,
      );
      await client.close(u);
    }
    // The duplicate is the last record: the comma before it goes with it.
    const last = arrayDataset([records[0], records[1], records[0]]);
    const u = uriOf(path.join(DEMO, '__dups-last.json'));
    await client.open(u, last);
    const diags = (await client.diagnosticsAt(u, 1)).filter((d) => d.code === 'duplicate-id');
    const remove = (await actionsAt(u, diags[0].range.start, diags)).find((a) => a.title.startsWith('Remove record 2'))!;
    assert.deepEqual(
      JSON.parse(applyEdits(last, editsOf(remove, u))).map((r: { id: string }) => r.id),
      ['rec-0', 'rec-1'],
    );
    await client.close(u);
  });
});
