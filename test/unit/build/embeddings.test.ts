import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosine } from '../../../src/core/build/similarity';
import { EmbeddingCache } from '../../../src/core/embeddings/embeddingCache';
import type { Embedder } from '../../../src/core/embeddings/embedder';
import { embedderFromSpec } from '../../../src/core/embeddings/embedderSpec';
import { OpenAIEmbedder } from '../../../src/core/embeddings/openaiEmbedder';
import { TransformersEmbedder } from '../../../src/core/embeddings/transformersEmbedder';
import { startBuildTestServer } from '../../support/buildTestServer';
import { makeTinyEmbeddingModel } from '../../support/makeTinyEmbeddingModel';

describe('build: embeddings', function () {
  this.timeout(60_000);
  let tmp: string;
  let modelDir: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-emb-'));
    modelDir = makeTinyEmbeddingModel(path.join(tmp, 'tiny-model'), { words: ['cat', 'mat', 'sat', 'stock', 'market', 'rose'] });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads a local model folder through transformers.js: mean pooled, normalised, sharing words raises similarity', async () => {
    const e = new TransformersEmbedder({ folder: modelDir });
    try {
      const [a, b, c] = await e.embed(['The cat sat on the mat.', 'A cat on a mat.', 'The stock market rose.']);
      assert.equal(a.length, 64);
      for (const v of [a, b, c]) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4);
      assert.ok(cosine(a, b) > 0.5, `related ${cosine(a, b)}`);
      assert.ok(cosine(a, c) < 0.3, `unrelated ${cosine(a, c)}`);
      assert.ok(cosine(a, b) > cosine(a, c) + 0.3);
      const [again] = await e.embed(['The cat sat on the mat.']);
      assert.ok(cosine(a, again) > 0.9999, 'same text, same vector (padding does not change it)');
    } finally {
      await e.dispose();
    }
  });

  it('names the folder when the model is missing', async () => {
    const missing = path.join(tmp, 'no-such-model');
    const e = embedderFromSpec(`local:${missing}`, { cacheDir: tmp });
    await assert.rejects(e.embed(['x']), (err: Error) => err.message.includes(missing) && /model folder/.test(err.message));
    fs.mkdirSync(path.join(tmp, 'half-model'));
    fs.writeFileSync(path.join(tmp, 'half-model', 'config.json'), '{"model_type":"bert"}');
    await assert.rejects(
      new TransformersEmbedder({ folder: path.join(tmp, 'half-model') }).embed(['x']),
      /half-model is missing tokenizer\.json, tokenizer_config\.json/,
    );
  });

  it('caches vectors by text hash: each text is embedded once across runs; a torn tail is dropped', async () => {
    const calls: string[][] = [];
    const fake: Embedder = {
      id: 'fake:1',
      batchSize: 2,
      async embed(texts) {
        calls.push(texts);
        return texts.map((t) => Float32Array.from([t.length, 1, 0]));
      },
    };
    const dir = path.join(tmp, 'cache');
    const c1 = new EmbeddingCache(dir, fake);
    const v1 = await c1.embedAll(['aa', 'b', 'aa', 'cccc', 'dd']);
    assert.deepEqual(calls, [
      ['aa', 'b'],
      ['cccc', 'dd'],
    ]);
    assert.deepEqual([...v1[2]], [2, 1, 0]);
    fs.appendFileSync(c1.file, Buffer.from([1, 2, 3])); // torn record
    const c2 = new EmbeddingCache(dir, fake);
    assert.equal(c2.size, 4);
    const v2 = await c2.embedAll(['dd', 'eee']);
    assert.deepEqual(calls.slice(2), [['eee']]);
    assert.deepEqual([...v2[0]], [2, 1, 0]);
    assert.equal(new EmbeddingCache(dir, fake).size, 5);
  });

  it('calls an OpenAI-compatible /v1/embeddings endpoint and normalises the vectors', async () => {
    const server = await startBuildTestServer({ embed: (t) => [t.length, 0, 0, 0] });
    try {
      const e = new OpenAIEmbedder({ baseURL: server.url.replace(/\/v1$/, ''), model: 'e5-mistral-7b-instruct', maxRetries: 0 });
      const vs = await e.embed(['abc', 'de']);
      assert.deepEqual(
        vs.map((v) => [...v]),
        [
          [1, 0, 0, 0],
          [1, 0, 0, 0],
        ],
      );
      assert.deepEqual(server.embeddingRequests, [{ model: 'e5-mistral-7b-instruct', input: ['abc', 'de'] }]);
      assert.match(e.id, /^openai:http:\/\/127\.0\.0\.1:\d+\/v1:e5-mistral-7b-instruct$/);
    } finally {
      await server.close();
    }
  });
});
