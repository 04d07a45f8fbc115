import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { parquetReadObjects } from 'hyparquet';
import { Dataset } from '../../src/core/dataset';
import { embeddedImageBytes } from '../../src/core/parquet/embeddedImages';
import { parseArgs } from '../../src/cli/args';
import type { Command } from '../../src/cli/command';
import { ask } from '../../src/cli/commands/ask';
import { evalMcq } from '../../src/cli/commands/eval-mcq';
import { sample } from '../../src/cli/commands/sample';
import { validate } from '../../src/cli/commands/validate';
import { parseFieldMapping } from '../../src/core/item';
import { validateDataset } from '../../src/core/validate';
import { OpenAITestServer } from '../support/openaiTestServer';
import { writeParquet, type TestColumn } from '../support/parquetWriter';

async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await cmd.run(parseArgs(argv, cmd.flags), {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** A noisy picture: tens of KB, so reading images shows in the bytes read. */
async function noisy(seed: number, fmt: 'png' | 'jpeg'): Promise<Buffer> {
  const s = sharp({
    create: { width: 160, height: 120, channels: 3, background: { r: (seed * 40) % 256, g: 90, b: 160 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  });
  return fmt === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer();
}

/** Q-Bench-HF columns over `n` rows; option3 "N/A" on odd rows, option2 too on row 0. */
async function qbenchColumns(n: number, images: 1 | 2, idPrefix: string | undefined): Promise<{ cols: TestColumn[]; imgs: Buffer[][] }> {
  const imgs: Buffer[][] = [];
  for (let i = 0; i < n; i++) imgs.push(await Promise.all(Array.from({ length: images }, (_, k) => noisy(i * 2 + k, (i + k) % 2 ? 'jpeg' : 'png'))));
  const cols: TestColumn[] = [];
  if (idPrefix !== undefined) cols.push({ name: 'id', kind: 'string', values: Array.from({ length: n }, (_, i) => `${idPrefix}${i}`) });
  if (images === 1) cols.push({ name: 'image', kind: 'image', values: imgs.map((x, i) => ({ bytes: x[0], path: `img${i}.png` })) });
  else for (let k = 0; k < 2; k++) cols.push({ name: `image${k + 1}`, kind: 'image', values: imgs.map((x, i) => ({ bytes: x[k], path: `img${i}_${k}.png` })) });
  cols.push(
    { name: 'question', kind: 'string', values: Array.from({ length: n }, (_, i) => `Is image ${i} sharp?`) },
    { name: 'option0', kind: 'string', values: Array.from({ length: n }, () => 'Yes') },
    { name: 'option1', kind: 'string', values: Array.from({ length: n }, () => 'No') },
    { name: 'option2', kind: 'string', values: Array.from({ length: n }, (_, i) => (i === 0 ? 'N/A' : 'Partly')) },
    { name: 'option3', kind: 'string', values: Array.from({ length: n }, (_, i) => (i % 2 ? 'N/A' : 'Cannot tell')) },
    { name: 'correct_choice', kind: 'string', values: Array.from({ length: n }, (_, i) => 'AB'[i % 2]) },
    { name: 'question_type', kind: 'string', values: Array.from({ length: n }, (_, i) => (i % 2 ? 'yes-or-no' : 'what')) },
    { name: 'question_concern', kind: 'string', values: Array.from({ length: n }, () => 'distortion') },
  );
  return { cols, imgs };
}

async function png(r: number, g: number, b: number, w = 24, h = 16): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}
async function jpeg(r: number, g: number, b: number, w = 20, h = 30): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
}

describe('parquet datasets', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-parquet-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the test writer writes files hyparquet reads back (struct images, two row groups)', async () => {
    const f = path.join(tmp, 'a.parquet');
    const imgs = [await png(255, 0, 0), await jpeg(0, 0, 255), await png(0, 255, 0)];
    writeParquet(
      f,
      [
        { name: 'id', kind: 'string', values: ['a', 'b', 'c'] },
        { name: 'n', kind: 'int64', values: [1, 2, 3] },
        { name: 'image', kind: 'image', values: imgs.map((bytes, i) => ({ bytes, path: `${i}.png` })) },
      ],
      [2, 1],
    );
    const buf = fs.readFileSync(f);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const rows = await parquetReadObjects({ file, utf8: false });
    assert.deepEqual(
      rows.map((r) => [r.id, Number(r.n), r.image.path]),
      [
        ['a', 1, '0.png'],
        ['b', 2, '1.png'],
        ['c', 3, '2.png'],
      ],
    );
    assert.ok(Buffer.from(rows[1].image.bytes).equals(imgs[1]));
  });

  it('Q-Bench-HF file: footer only on open, rows without their images, images on demand; N/A options dropped; id keys', async () => {
    const f = path.join(tmp, 'qbench.parquet');
    const { cols, imgs } = await qbenchColumns(5, 1, 'q');
    writeParquet(f, cols, [3, 2]);
    const imageBytes = imgs.flat().reduce((a, b) => a + b.length, 0);
    const ds = Dataset.open(f);
    try {
      const src = ds.parquet!;
      assert.equal(ds.container, 'parquet');
      assert.equal(ds.count, 5);
      assert.deepEqual(
        src.rowGroups().map((g) => [g.rowStart, g.rows]),
        [
          [0, 3],
          [3, 2],
        ],
      );
      assert.deepEqual(src.imageColumns, ['image']);
      assert.equal(ds.format, 'qbench-hf');
      const afterOpen = src.bytesRead;
      assert.ok(afterOpen < imageBytes / 4, `opening (with format detection on the first rows) read ${afterOpen} bytes, images are ${imageBytes}`);
      const it3 = ds.item(3);
      assert.equal(it3.key, 'q3');
      assert.deepEqual(it3.candidates, ['Yes', 'No', 'Partly']);
      assert.equal(it3.correct, 'No');
      assert.deepEqual(ds.item(0).candidates, ['Yes', 'No', 'Cannot tell']);
      assert.equal(it3.images.length, 1);
      assert.ok(src.bytesRead < imageBytes / 4, 'reading records reads no image bytes');
      // the image reaches whoever asks for it, byte for byte, from its row group only
      const before = src.bytesRead;
      assert.ok(embeddedImageBytes(it3.images[0]).equals(imgs[3][0]));
      const groupImages = imgs[3][0].length + imgs[4][0].length;
      assert.ok(src.bytesRead - before >= groupImages && src.bytesRead - before < groupImages + 4096, 'one image column chunk read');
      assert.equal(ds.findKey('q4'), 4);
      assert.equal(ds.keyFor(1), 'q1');
      // validation: the embedded images count as present
      const v = validateDataset(ds);
      assert.deepEqual(
        v.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
    } finally {
      ds.close();
    }
    assert.throws(() => embeddedImageBytes(`parquet-embedded:${'0'.repeat(12)}/0/image`), /not open/);
  });

  it('Q-Bench2-HF folder of shards: image1/image2, row-number keys without an id column, stable across opens; --map on other columns', async () => {
    const dir = path.join(tmp, 'qbench2');
    fs.mkdirSync(dir);
    const a = await qbenchColumns(3, 2, undefined);
    const b = await qbenchColumns(4, 2, undefined);
    writeParquet(path.join(dir, 'test-00000-of-00002.parquet'), a.cols, [2, 1]);
    writeParquet(path.join(dir, 'test-00001-of-00002.parquet'), b.cols, [4]);
    const keys = () => {
      const ds = Dataset.open(dir);
      try {
        assert.equal(ds.format, 'qbench-hf');
        assert.equal(ds.count, 7);
        const it = ds.item(4);
        assert.equal(it.images.length, 2);
        assert.ok(embeddedImageBytes(it.images[1]).equals(b.imgs[1][1]));
        assert.ok(embeddedImageBytes(ds.item(0).images[0]).equals(a.imgs[0][0]));
        return Array.from({ length: ds.count }, (_, i) => ds.keyFor(i));
      } finally {
        ds.close();
      }
    };
    const k1 = keys();
    assert.deepEqual(k1, ['#0', '#1', '#2', '#3', '#4', '#5', '#6']);
    assert.deepEqual(keys(), k1);

    const m = path.join(tmp, 'mapped.parquet');
    writeParquet(
      m,
      [
        { name: 'uid', kind: 'string', values: ['u0', 'u1'] },
        {
          name: 'picture',
          kind: 'image',
          values: [
            { bytes: a.imgs[0][0], path: 'x.png' },
            { bytes: a.imgs[1][0], path: 'y.png' },
          ],
        },
        { name: 'prompt', kind: 'string', values: ['Which is better?', 'Is it blurry?'] },
        { name: 'reply', kind: 'string', values: ['The first image.', 'Yes'] },
      ],
      [1, 1],
    );
    const ds = Dataset.open(m, { mapping: parseFieldMapping('id=uid,images=picture,question=prompt,answer=reply'), format: 'mcq' });
    try {
      const it = ds.item(1);
      assert.equal(it.key, 'u1');
      assert.equal(it.question, 'Is it blurry?');
      assert.ok(embeddedImageBytes(it.images[0]).equals(a.imgs[1][0]));
    } finally {
      ds.close();
    }
  });

  it('CLI on parquet: validate, sample + ask a spot check, eval-mcq with the embedded images sent, batch out', async () => {
    const f = path.join(tmp, 'bench.parquet');
    const { cols } = await qbenchColumns(6, 1, 'p');
    writeParquet(f, cols, [4, 2]);
    const cur = path.join(tmp, '.curator');
    const v = await run(validate, [f]);
    assert.equal(v.code, 0, v.out + v.err);
    const server = await OpenAITestServer.start({ expectImageSize: 448, answer: () => 'A' });
    try {
      const ep = ['--endpoint', server.url, '--model', 'm', '--curation', cur];
      const e = await run(evalMcq, [f, ...ep, '--json', '--out', path.join(tmp, 'rows.jsonl')]);
      assert.equal(e.code, 0, e.err);
      const r = JSON.parse(e.out);
      assert.equal(r.items, 6);
      assert.equal(r.correct, 3);
      assert.equal(server.requests.length, 6);
      assert.deepEqual(
        server.requests.flatMap((q) => q.problems),
        [],
      );
      assert.ok(server.requests.every((q) => q.images.length === 1));
      const s = await run(sample, [f, '--size', '4', '--seed', '1', '--name', 'pq', '--out', cur]);
      assert.equal(s.code, 0, s.err);
      const planDir = path.join(cur, 'spotchecks', 'pq');
      const a = await run(ask, [planDir, ...ep]);
      assert.equal(a.code, 0, a.err);
      assert.equal(server.requests.length, 6, 'the spot check was answered from the cache eval-mcq filled');
      const b = await run(ask, [f, ...ep, '--batch-out', path.join(tmp, 'b'), '--no-cache', '--json']);
      assert.equal(b.code, 0, b.err);
      const line = JSON.parse(fs.readFileSync(path.join(tmp, 'b', 'ask-m-001.jsonl'), 'utf8').split('\n')[0]);
      assert.equal(line.custom_id, 'm:p0');
      assert.match(line.body.messages[0].content[1].image_url.url, /^data:image\/jpeg;base64,/);
    } finally {
      await server.close();
    }
    // nothing left behind: no temp files beside the dataset or in the temp folder's top level
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['.curator', 'b', 'bench.parquet', 'rows.jsonl']);
  });

  it('refuses files that are not parquet, naming the file', () => {
    const f = path.join(tmp, 'bad.parquet');
    fs.writeFileSync(f, 'PAR1 not really');
    assert.throws(() => Dataset.open(f), /bad\.parquet: not a parquet file/);
  });
});
