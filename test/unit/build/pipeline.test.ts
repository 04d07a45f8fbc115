import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { main } from '../../../src/cli/main';
import { Dataset } from '../../../src/core/dataset';
import { MAX_CONSECUTIVE_FAILURES, runMerge2Compare, runTeach2Compare } from '../../../src/core/build/pipeline';
import { TransformersEmbedder } from '../../../src/core/embeddings/transformersEmbedder';
import { validateDataset } from '../../../src/core/validate';
import { startBuildTestServer, type ChatRequestBody } from '../../support/buildTestServer';
import { makeTinyEmbeddingModel } from '../../support/makeTinyEmbeddingModel';

const ROOT = path.resolve(__dirname, '../../../..');
const DEMO = path.join(ROOT, 'demo');
const CLI = path.join(ROOT, 'out/src/cli/main.js');

function promptOf(b: ChatRequestBody): string {
  const c = b.messages[0].content;
  return typeof c === 'string' ? c : c.map((p) => p.text ?? '[img]').join(' ');
}
const mergeReply = (b: ChatRequestBody): string => `MERGED(${promptOf(b).slice(0, 60)})`;

function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function validErrors(file: string): string[] {
  const ds = Dataset.open(file);
  try {
    assert.equal(ds.format, 'llava');
    return validateDataset(ds)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => d.message);
  } finally {
    ds.close();
  }
}

describe('build: resumable pipeline', function () {
  this.timeout(60_000);
  let tmp: string;
  let work: string;
  let input: string;
  let modelDir: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-build-'));
    const descriptions = JSON.parse(fs.readFileSync(path.join(DEMO, 'descriptions-demo.json'), 'utf8')) as { description: string }[];
    modelDir = makeTinyEmbeddingModel(path.join(tmp, 'model'), { words: descriptions.map((d) => d.description) });
  });
  beforeEach(function () {
    work = path.join(tmp, this.currentTest!.title.replace(/\W+/g, '-').slice(0, 40));
    fs.mkdirSync(work, { recursive: true });
    fs.cpSync(path.join(DEMO, 'images'), path.join(work, 'images'), { recursive: true });
    input = path.join(work, 'descriptions.json');
    fs.copyFileSync(path.join(DEMO, 'descriptions-demo.json'), input);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('dry run: matches and filters, prints retention, writes no output', async () => {
    const embedder = new TransformersEmbedder({ folder: modelDir });
    const r = await runMerge2Compare({ input, out: path.join(work, 'm2c.jsonl'), embedder, threshold: 0.85, dryRun: true, seed: 1 });
    assert.equal(r.units, 12);
    assert.deepEqual(r.counts, { pairs: 13, triples: 4, quads: 3 });
    assert.equal(r.groups, 20);
    assert.deepEqual(
      r.retention!.map((x) => x.matched),
      [13, 4, 3],
    );
    assert.equal(
      r.retention!.reduce((s, x) => s + x.kept + x.removed, 0),
      20,
    );
    assert.ok(!fs.existsSync(path.join(work, 'm2c.jsonl')));
    assert.ok(
      fs.readdirSync(path.join(work, '.curator', 'embeddings')).some((f) => f.endsWith('.f32')),
      'embeddings cached',
    );
  });

  it('merges kept and removed groups into two valid Co-Instruct files with provenance', async () => {
    const server = await startBuildTestServer({ chat: mergeReply });
    try {
      const out = path.join(work, 'm2c.jsonl');
      const r = await runMerge2Compare({
        input,
        out,
        embedder: new TransformersEmbedder({ folder: modelDir }),
        threshold: 0.85,
        seed: 1,
        llm: { baseURL: server.url, model: 'merger-7b', maxRetries: 0 },
      });
      assert.equal(r.failures.length, 0);
      assert.equal(r.incomplete, false);
      const kept = readJsonl(out);
      const removed = readJsonl(path.join(work, 'm2c.removed.jsonl'));
      const retention = r.retention!;
      assert.equal(
        kept.length,
        retention.reduce((s, x) => s + x.kept, 0),
      );
      assert.equal(
        removed.length,
        retention.reduce((s, x) => s + x.removed, 0),
      );
      assert.ok(kept.length > 0 && removed.length > 0, `kept ${kept.length}, removed ${removed.length}`);
      assert.equal(server.chatRequests.length, 20);
      for (const rec of kept) assert.ok((rec.max_similarity as number) < 0.85);
      for (const rec of removed) assert.ok((rec.max_similarity as number) >= 0.85);
      // the text the LLM saw is the paper's template over the source descriptions
      const first = kept[0] as { image: string[]; source_descriptions: string[]; conversations: { value: string }[] };
      const sent = server.chatRequests.map(promptOf).find((p) => first.conversations[1].value === `MERGED(${p.slice(0, 60)})`);
      assert.ok(sent, 'answer matches a request');
      assert.ok(sent!.startsWith(`The first image: ${first.source_descriptions[0]} The second image: ${first.source_descriptions[1]}`));
      assert.ok(first.image.every((p) => p.startsWith('images/')));
      assert.deepEqual(validErrors(out), []);
      assert.deepEqual(validErrors(path.join(work, 'm2c.removed.jsonl')), []);
      const ds = Dataset.open(out);
      try {
        const item = ds.item(0);
        assert.equal(item.subset, 'merge2compare');
        assert.equal(item.extra.merge_model, 'merger-7b');
        assert.ok(Array.isArray(item.extra.source_descriptions));
      } finally {
        ds.close();
      }
      // plan order: pairs before triples before quads, ids ascending
      const ids = kept.map((k) => k.id as string);
      assert.deepEqual(ids, [...ids].sort());
      // a rerun costs nothing and leaves the files as they are
      const before = fs.readFileSync(out, 'utf8');
      const again = await runMerge2Compare({
        input,
        out,
        embedder: new TransformersEmbedder({ folder: modelDir }),
        threshold: 0.85,
        seed: 1,
        llm: { baseURL: server.url, model: 'merger-7b', maxRetries: 0 },
      });
      assert.equal(server.chatRequests.length, 20);
      assert.equal(again.calls.made, 0);
      assert.equal(fs.readFileSync(out, 'utf8'), before);
      // different settings on the same output are refused
      await assert.rejects(
        runMerge2Compare({
          input,
          out,
          embedder: new TransformersEmbedder({ folder: modelDir }),
          threshold: 0.85,
          seed: 2,
          llm: { baseURL: server.url, model: 'merger-7b' },
        }),
        /different settings \(.*seed.*\).*--fresh/,
      );
    } finally {
      await server.close();
    }
  });

  it('resumes after a crash: no finished call is repeated and no half record is kept', async () => {
    let release!: () => void;
    const hang = new Promise<void>((r) => {
      release = r;
    });
    let reachedFourth!: () => void;
    const fourth = new Promise<void>((r) => {
      reachedFourth = r;
    });
    const server = await startBuildTestServer({
      chat: async (b, n) => {
        if (n === 4) {
          reachedFourth();
          await hang;
        }
        return mergeReply(b);
      },
    });
    try {
      const out = path.join(work, 'm2c.json'); // JSON array output: progress goes to a journal first
      const args = [
        CLI,
        'build',
        'merge2compare',
        input,
        '--out',
        out,
        '--embedder',
        `local:${modelDir}`,
        '--threshold',
        '0.85',
        '--seed',
        '1',
        '--llm',
        server.url,
        '--model',
        'merger-7b',
        '--concurrency',
        '1',
        '--quiet',
      ];
      const child = spawn(process.execPath, args, { stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(sig ? -1 : code)));
      await fourth;
      child.kill('SIGKILL');
      assert.equal(await exited, -1);
      release();
      const journals = [`${out}.partial.jsonl`, path.join(work, 'm2c.removed.json.partial.jsonl')].filter((f) => fs.existsSync(f));
      const written = journals.flatMap(readJsonl);
      assert.equal(written.length, 3, 'three whole records before the crash');
      assert.ok(!fs.existsSync(out), 'no final file from a crashed run');
      fs.appendFileSync(journals[0], '{"id":"m2c-2-0000'); // a torn line, as a crash mid-write leaves
      const rerun = spawn(process.execPath, args, { stdio: 'ignore' });
      assert.equal(await new Promise((r) => rerun.on('exit', r)), 0);
      // 20 groups: 3 answered before the crash, 1 lost in flight, 17 after
      assert.equal(server.chatRequests.length, 21);
      const afterCrash = server.chatRequests.slice(4).map(promptOf);
      for (const early of server.chatRequests.slice(0, 3).map(promptOf)) assert.ok(!afterCrash.includes(early), 'finished call repeated');
      const kept = JSON.parse(fs.readFileSync(out, 'utf8')) as { id: string }[];
      const removed = JSON.parse(fs.readFileSync(path.join(work, 'm2c.removed.json'), 'utf8')) as { id: string }[];
      assert.equal(kept.length + removed.length, 20);
      assert.equal(new Set([...kept, ...removed].map((r) => r.id)).size, 20);
      assert.ok(!fs.existsSync(`${out}.partial.jsonl`));
      assert.deepEqual(validErrors(out), []);
    } finally {
      release();
      await server.close();
    }
  });

  it('records failed calls, keeps going, and a rerun retries only those', async () => {
    const server = await startBuildTestServer({
      chat: (b, n) => (n === 2 ? { status: 400, body: { error: { message: 'context too long' } } } : mergeReply(b)),
    });
    try {
      const out = path.join(work, 'm2c.jsonl');
      const opts = {
        input,
        out,
        embedder: new TransformersEmbedder({ folder: modelDir }),
        threshold: 0.85,
        seed: 1,
        concurrency: 1,
        llm: { baseURL: server.url, model: 'm', maxRetries: 0 },
      };
      const r1 = await runMerge2Compare(opts);
      assert.equal(r1.failures.length, 1);
      assert.match(r1.failures[0].error, /context too long/);
      assert.ok(r1.incomplete);
      const r2 = await runMerge2Compare(opts);
      assert.equal(r2.failures.length, 0);
      assert.equal(r2.calls.made, 1);
      assert.equal(server.chatRequests.length, 21);
    } finally {
      await server.close();
    }
  });

  it('stops after a run of failed groups (endpoint down) and names the endpoint', async () => {
    const out = path.join(work, 'm2c.jsonl');
    const r = await runMerge2Compare({
      input,
      out,
      embedder: new TransformersEmbedder({ folder: modelDir }),
      threshold: 0.85,
      seed: 1,
      concurrency: 1,
      llm: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', maxRetries: 0, timeoutMs: 5000 },
    });
    assert.ok(r.stoppedAfterFailures);
    assert.equal(r.failures.length, MAX_CONSECUTIVE_FAILURES);
    assert.match(r.failures[0].error, /^http:\/\/127\.0\.0\.1:9\/v1: connection failed/);
    assert.ok(r.incomplete);
  });

  it('teach2compare: interleaved images to the teacher; comparison, open QA and MCQ records', async () => {
    const server = await startBuildTestServer({
      chat: (b) => {
        const text = promptOf(b);
        if (/Reply with JSON/.test(text))
          return '```json\n{"question": "Which image is sharper?", "correct": "The first image", "false": ["The second image", "Both equally"]}\n```';
        return 'The first image is sharper, the second is noisy.';
      },
    });
    try {
      const out = path.join(work, 't2c.jsonl');
      const r = await runTeach2Compare({
        input: path.join(work, 'images'),
        out,
        seed: 3,
        counts: { pairs: 3, triples: 1, quads: 1 },
        teacher: { baseURL: server.url, model: 'teacher-vlm', maxRetries: 0 },
      });
      assert.equal(r.failures.length, 0);
      assert.equal(server.chatRequests.length, 10);
      const content = server.chatRequests[0].messages[0].content as { type: string; text?: string; image_url?: { url: string } }[];
      assert.equal(content[0].text, 'The first image:');
      assert.match(content[1].image_url!.url, /^data:image\/jpeg;base64,\/9j\//);
      const sent = await sharp(Buffer.from(content[1].image_url!.url.split(',')[1], 'base64')).metadata();
      assert.deepEqual([sent.width, sent.height], [448, 448], 'padded to a square, 448 px (ARCHITECTURE.md, Endpoint)');
      assert.equal(content[2].text, 'The second image:');
      const recs = readJsonl(out);
      assert.equal(recs.length, 15);
      assert.deepEqual([...new Set(recs.map((x) => x.subset))].sort(), ['teach2compare-comparison', 'teach2compare-mcq', 'teach2compare-qa']);
      assert.deepEqual(validErrors(out), []);
      const ds = Dataset.open(out);
      try {
        const mcq = ds.item(recs.findIndex((x) => x.subset === 'teach2compare-mcq'));
        assert.equal(mcq.correct, 'The first image');
        assert.equal(mcq.candidates!.length, 3);
        assert.equal(mcq.extra.teacher_model, 'teacher-vlm');
      } finally {
        ds.close();
      }
      await runTeach2Compare({
        input: path.join(work, 'images'),
        out,
        seed: 3,
        counts: { pairs: 3, triples: 1, quads: 1 },
        teacher: { baseURL: server.url, model: 'teacher-vlm' },
      });
      assert.equal(server.chatRequests.length, 10, 'rerun served from the cache');
    } finally {
      await server.close();
    }
  });

  it('teach2compare: an answer that is not the asked-for JSON fails the group and is asked again on rerun', async () => {
    let bad = true;
    const server = await startBuildTestServer({
      chat: (b) =>
        /Reply with JSON/.test(promptOf(b))
          ? bad
            ? 'I would rather not.'
            : '{"question": "Which is darker?", "correct": "The second image", "false": ["The first image"]}'
          : 'The first is better.',
    });
    try {
      const out = path.join(work, 't2c.json');
      const opts = {
        input: path.join(work, 'images'),
        out,
        seed: 3,
        counts: { pairs: 2, triples: 0, quads: 0 },
        teacher: { baseURL: server.url, model: 'teacher-vlm', maxRetries: 0 },
      };
      const r1 = await runTeach2Compare(opts);
      assert.equal(r1.failures.length, 2);
      assert.match(r1.failures[0].error, /JSON object/);
      assert.ok(!fs.existsSync(out), 'no final file while groups are missing');
      assert.equal(readJsonl(`${out}.partial.jsonl`).length, 2, 'the two comparisons are kept');
      bad = false;
      const r2 = await runTeach2Compare(opts);
      assert.equal(r2.failures.length, 0);
      assert.equal(server.chatRequests.length, 6, '2 comparisons + 2 refused QA + 2 QA again');
      const recs = JSON.parse(fs.readFileSync(out, 'utf8')) as { id: string }[];
      assert.deepEqual(
        recs.map((x) => x.id),
        ['t2c-2-000001-cmp', 't2c-2-000001-qa', 't2c-2-000001-mcq', 't2c-2-000002-cmp', 't2c-2-000002-qa', 't2c-2-000002-mcq'],
      );
      assert.deepEqual(validErrors(out), []);
    } finally {
      await server.close();
    }
  });

  it('merge2compare with an OpenAI-compatible embeddings endpoint (url: embedder)', async () => {
    // vectors from the endpoint: two descriptions that mention "acceptable" point the same way
    const server = await startBuildTestServer({ chat: mergeReply, embed: (t) => (/acceptable/.test(t) ? [2, 0] : [0, 3]) });
    try {
      const embedder = (await import('../../../src/core/embeddings/embedderSpec')).embedderFromSpec(`url:${server.url}`, {
        cacheDir: tmp,
        model: 'e5-mistral-7b-instruct',
      });
      const r = await runMerge2Compare({
        input,
        out: path.join(work, 'm2c.jsonl'),
        embedder,
        threshold: 0.99,
        seed: 1,
        llm: { baseURL: server.url, model: 'm', maxRetries: 0 },
      });
      assert.equal(r.failures.length, 0);
      assert.ok(server.embeddingRequests.length >= 1);
      assert.equal(new Set(server.embeddingRequests.flatMap((q) => q.input)).size, 12, 'each description embedded once');
      const removed = readJsonl(path.join(work, 'm2c.removed.jsonl')) as { source_descriptions: string[]; max_similarity: number }[];
      const kept = readJsonl(path.join(work, 'm2c.jsonl')) as { source_descriptions: string[]; max_similarity: number }[];
      const twoAlike = (ds: string[]): boolean => ds.filter((d) => /acceptable/.test(d)).length >= 2 || ds.filter((d) => !/acceptable/.test(d)).length >= 2;
      assert.equal(removed.length + kept.length, 20);
      for (const rec of removed) {
        assert.ok(twoAlike(rec.source_descriptions));
        assert.equal(rec.max_similarity, 1);
      }
      for (const rec of kept) {
        assert.ok(!twoAlike(rec.source_descriptions));
        assert.equal(rec.max_similarity, 0);
      }
    } finally {
      await server.close();
    }
  });

  it('cocurate build: usage errors exit 2 with one line; --dry-run prints the retention table', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const w1 = process.stdout.write.bind(process.stdout);
    const w2 = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((t: string) => {
      out.push(String(t));
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((t: string) => {
      err.push(String(t));
      return true;
    }) as typeof process.stderr.write;
    let codes: number[];
    try {
      codes = [
        await main(['build', 'merge3compare', input]),
        await main(['build', 'merge2compare', input, '--embedder', `local:${modelDir}`]),
        await main([
          'build',
          'merge2compare',
          input,
          '--dry-run',
          '--embedder',
          `local:${modelDir}`,
          '--threshold',
          '0.85',
          '--seed',
          '1',
          '--pairs',
          '10',
          '--triples',
          '0',
          '--quads',
          '2',
          '--quiet',
        ]),
        await main(['build', 'merge2compare', input, '--dry-run', '--pairs', '100']),
      ];
    } finally {
      process.stdout.write = w1;
      process.stderr.write = w2;
    }
    assert.deepEqual(codes, [2, 2, 0, 2]);
    assert.match(err.join(''), /merge2compare or teach2compare, not "merge3compare"/);
    assert.match(err.join(''), /--out OUT is needed/);
    assert.match(err.join(''), /100 distinct groups of 2 requested but 12 images only make 66/);
    const text = out.join('');
    assert.match(text, /12 images, 12 groups \(10 pairs, 0 triples, 2 quads\)/);
    assert.match(text, /pairs\s+10\s+\d+\s+\d+\s+[\d.]+ %/);
  });
});
