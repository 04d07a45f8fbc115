import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { build } from '../../../src/cli/commands/build';
import { ChatBatch } from '../../../src/core/build/chatBatch';
import { runMerge2Compare } from '../../../src/core/build/pipeline';
import { TransformersEmbedder } from '../../../src/core/embeddings/transformersEmbedder';
import { BatchFileWriter, readBatchOutput } from '../../../src/core/endpoint/batchFiles';
import { runBatchStandIn } from '../../support/batchStandIn';
import { startBuildTestServer, type BuildTestServer, type ChatRequestBody } from '../../support/buildTestServer';
import { makeTinyEmbeddingModel } from '../../support/makeTinyEmbeddingModel';

const DEMO = path.resolve(__dirname, '../../../../demo');

function promptOf(b: ChatRequestBody): string {
  const c = b.messages[0].content;
  return typeof c === 'string' ? c : c.map((p) => p.text ?? '[img]').join(' ');
}

/** Deterministic teacher: the answer depends only on the request. */
function teacher(b: ChatRequestBody): string {
  const text = promptOf(b);
  const n = (text.match(/\[img\]/g) ?? []).length;
  if (/Reply with JSON/.test(text))
    return JSON.stringify({ question: `Which of ${n} images is sharpest?`, correct: 'The first image', false: ['The second image', 'Both equally'] });
  return `The first of ${n} images is sharper.`;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await build.run(parseArgs(argv, build.flags), {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

const lines = (f: string) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('build through batch files', function () {
  this.timeout(60_000);
  let tmp: string;
  let server: BuildTestServer;
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-buildbatch-'));
    fs.cpSync(path.join(DEMO, 'images'), path.join(tmp, 'images'), { recursive: true });
    server = await startBuildTestServer({ chat: teacher });
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('teach2compare: calls out as batches, an expired call goes into the next batch, the finished build equals a live one', async () => {
    const common = (out: string, curator: string) => [
      'teach2compare',
      path.join(tmp, 'images'),
      '--out',
      out,
      '--llm',
      server.url,
      '--model',
      'teacher-vlm',
      '--pairs',
      '3',
      '--triples',
      '1',
      '--quads',
      '1',
      '--seed',
      '3',
      '--curator',
      curator,
      '--quiet',
    ];
    // the reference: a live build
    const live = await run(common(path.join(tmp, 'live.jsonl'), path.join(tmp, 'cur-live')));
    assert.equal(live.code, 0, live.err);
    const liveCalls = server.chatRequests.length;
    assert.equal(liveCalls, 10);

    const out = path.join(tmp, 't2c.jsonl');
    const cur = path.join(tmp, 'cur');
    const dir = path.join(tmp, 'batch');
    const r1 = await run([...common(out, cur), '--batch-out', dir]);
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /10 call\(s\) written to 1 batch file/);
    assert.equal(server.chatRequests.length, liveCalls, 'nothing sent live');
    const input = path.join(dir, 'build-teach2compare-teacher-vlm-001.jsonl');
    const reqs = lines(input) as { custom_id: string; body: ChatRequestBody }[];
    assert.equal(reqs.length, 10);
    // the bodies are exactly what the live build sent
    const sortKey = (b: unknown) => JSON.stringify(b);
    assert.deepEqual(reqs.map((r) => sortKey(r.body)).sort(), server.chatRequests.slice(0, liveCalls).map(sortKey).sort());

    const expiredId = reqs[4].custom_id;
    const run1 = await runBatchStandIn(input, path.join(tmp, 'o1.jsonl'), path.join(tmp, 'e1.jsonl'), {
      baseURL: server.url,
      expire: (id) => id === expiredId,
    });
    assert.deepEqual(run1.invalid, []);

    // import alone: the group whose call expired fails with the batch's error, nothing is sent live
    const sent = server.chatRequests.length;
    const r2 = await run([...common(out, cur), '--batch-in', run1.outputFile, run1.errorFile]);
    assert.equal(r2.code, 1);
    assert.match(r2.out, /1 group\(s\) failed[\s\S]*batch_expired/);
    assert.equal(server.chatRequests.length, sent);

    // import and export together: the expired call is written again
    const r3 = await run([...common(out, cur), '--batch-in', run1.outputFile, run1.errorFile, '--batch-out', dir]);
    assert.equal(r3.code, 0, r3.err);
    assert.deepEqual(
      lines(input).map((l) => l.custom_id),
      [expiredId],
    );
    const run2 = await runBatchStandIn(input, path.join(tmp, 'o2.jsonl'), path.join(tmp, 'e2.jsonl'), { baseURL: server.url });
    fs.appendFileSync(
      run2.outputFile,
      JSON.stringify({ custom_id: 'f00d', response: { status_code: 200, body: { choices: [{ message: { content: 'x' } }] } }, error: null }) + '\n',
    );

    const r4 = await run([...common(out, cur), '--batch-in', run1.outputFile, run2.outputFile]);
    assert.equal(r4.code, 0, r4.err);
    assert.match(r4.out, /custom_id "f00d" matches no call of this build/);
    assert.equal(server.chatRequests.length, sent + 1, "only the stand-in's second batch reached the server");
    assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(path.join(tmp, 'live.jsonl'), 'utf8'));
  });

  it('merge2compare: LLM merges through a batch file give the same outputs as live', async () => {
    const input = path.join(tmp, 'descriptions.json');
    fs.copyFileSync(path.join(DEMO, 'descriptions-demo.json'), input);
    const descriptions = JSON.parse(fs.readFileSync(input, 'utf8')) as { description: string }[];
    const modelDir = makeTinyEmbeddingModel(path.join(tmp, 'model'), { words: descriptions.map((d) => d.description) });
    const opts = (out: string, curatorDir: string, batch?: ChatBatch) => ({
      input,
      out,
      curatorDir,
      embedder: new TransformersEmbedder({ folder: modelDir }),
      threshold: 0.85,
      seed: 1,
      llm: { baseURL: server.url, model: 'merger-7b', maxRetries: 0, batch },
    });
    const live = await runMerge2Compare(opts(path.join(tmp, 'live.jsonl'), path.join(tmp, 'cl')));
    assert.equal(live.incomplete, false);
    const dir = path.join(tmp, 'b');
    const r1 = await runMerge2Compare(opts(path.join(tmp, 'm.jsonl'), path.join(tmp, 'cb'), new ChatBatch(undefined, new BatchFileWriter(dir, 'm'))));
    assert.equal(r1.incomplete, true);
    assert.equal(r1.failures.length, 0);
    assert.equal(r1.batch!.deferred, 20);
    assert.equal(r1.calls.made, 0);
    const ran = await runBatchStandIn(r1.batch!.written!.files[0].file, path.join(tmp, 'o.jsonl'), path.join(tmp, 'e.jsonl'), { baseURL: server.url });
    const r2 = await runMerge2Compare(opts(path.join(tmp, 'm.jsonl'), path.join(tmp, 'cb'), new ChatBatch(readBatchOutput([ran.outputFile]).results)));
    assert.equal(r2.incomplete, false);
    assert.deepEqual(r2.batch!.unknown, []);
    assert.equal(fs.readFileSync(path.join(tmp, 'm.jsonl'), 'utf8'), fs.readFileSync(path.join(tmp, 'live.jsonl'), 'utf8'));
    assert.equal(fs.readFileSync(path.join(tmp, 'm.removed.jsonl'), 'utf8'), fs.readFileSync(path.join(tmp, 'live.removed.jsonl'), 'utf8'));
  });
});
