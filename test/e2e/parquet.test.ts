/**
 * A Q-Bench-HF parquet file in a real VS Code (code-server + Chromium): reopened with the curator
 * editor, its items browse like a JSON dataset and the images embedded in the file show (sent as
 * data URIs; no file is written beside the dataset).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeParquet } from '../support/parquetWriter';
import { copyWorkspace, REPO_ROOT, VsCode, captureFailures } from './harness';

describe('parquet datasets in VS Code (code-server)', function () {
  this.timeout(240_000);
  let vs: VsCode;
  let ws: string;

  before(async function () {
    ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'e2e-parquet');
    const pics = await Promise.all(
      [0, 1, 2].map((i) =>
        sharp({ create: { width: 96 + 32 * i, height: 64, channels: 3, background: { r: 200, g: 60 * i, b: 40 } } })
          .png()
          .toBuffer(),
      ),
    );
    writeParquet(
      path.join(ws, 'qbench.parquet'),
      [
        { name: 'id', kind: 'string', values: ['pq-0', 'pq-1', 'pq-2'] },
        { name: 'image', kind: 'image', values: pics.map((bytes, i) => ({ bytes, path: `${i}.png` })) },
        { name: 'question', kind: 'string', values: ['Is it red?', 'Is it sharp?', 'Is it dark?'] },
        { name: 'option0', kind: 'string', values: ['Yes', 'Yes', 'Yes'] },
        { name: 'option1', kind: 'string', values: ['No', 'No', 'No'] },
        { name: 'option2', kind: 'string', values: ['N/A', 'N/A', 'N/A'] },
        { name: 'option3', kind: 'string', values: ['N/A', 'N/A', 'N/A'] },
        { name: 'correct_choice', kind: 'string', values: ['A', 'B', 'A'] },
        { name: 'question_type', kind: 'string', values: ['yes-or-no', 'yes-or-no', 'yes-or-no'] },
        { name: 'question_concern', kind: 'string', values: ['other', 'other', 'other'] },
      ],
      [2, 1],
    );
    vs = await VsCode.start({ workspace: ws, settings: { 'curator.reviewer': 'e2e', 'curator.suggestOpenWithCurator': false } });
  });

  after(async function () {
    if (vs) await vs.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  captureFailures(() => vs);

  it('reopens a parquet file with the curator and shows its embedded images', async () => {
    const before = fs.readdirSync(ws).sort();
    await vs.openFile('qbench.parquet');
    await vs.runCommand('View: Reopen Editor With...');
    await vs.answerQuickInput(undefined, 'Curator');
    const view = vs.webview();
    await view.locator('#app[data-mode="browse"][data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.match((await view.locator('.subtitle').textContent()) ?? '', /qbench-hf · 3 records/);
    assert.equal(await view.locator('.item').getAttribute('data-key'), 'pq-0');
    const img = view.locator('.item .images img').first();
    await img.waitFor({ timeout: 15_000 });
    type Img = { complete: boolean; naturalWidth: number; onload: unknown; onerror: unknown };
    await img.evaluate(
      (el) =>
        new Promise((r) => {
          const i = el as unknown as Img;
          if (i.complete) r(null);
          else {
            i.onload = r;
            i.onerror = r;
          }
        }),
    );
    assert.equal(await img.evaluate((el) => (el as unknown as Img).naturalWidth), 96);
    await vs.screenshot('e2e-parquet');
    const after = fs
      .readdirSync(ws)
      .filter((f) => f !== '.curator' && f !== '.vscode')
      .sort();
    assert.deepEqual(
      after,
      before.filter((f) => f !== '.curator' && f !== '.vscode'),
      'no file written beside the dataset',
    );
  });
});
