/**
 * The builder calls the endpoint through the same client, pool, key rule and cache as `ask`
 * (ARCHITECTURE.md, "Endpoint"): a build spreads its calls over every replica, refuses an implicit
 * OPENAI_API_KEY with the message `cocurate ask` gives, and reads the call caches earlier builds wrote.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { runTeach2Compare } from '../../../src/core/build/pipeline';
import { comparisonQuestion } from '../../../src/core/build/merge';
import { QA_GENERATION_PROMPT } from '../../../src/core/build/teach';
import { Dataset } from '../../../src/core/dataset';
import { embedderSlug } from '../../../src/core/embeddings/embeddingCache';
import { contentHash } from '../../../src/core/endpoint/imageEncoding';
import { OpenAITestServer, type RecordedRequest } from '../../support/openaiTestServer';

const DEMO = path.resolve(__dirname, '../../../../demo');
const QA_JSON = '{"question": "Which image is sharper?", "correct": "The first image", "false": ["The second image", "Both equally"]}';
/** A teacher: the QA prompt gets JSON, the comparison question a comparison. */
const teacher = (r: RecordedRequest): string => (/Reply with JSON/.test(r.question) ? QA_JSON : 'The first image is sharper.');

/** Runs the CLI in-process; stdout and stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string) => out.push(String(t)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(String(t)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

describe('build: one endpoint client, pool, key rule and cache', function () {
  this.timeout(60_000);
  let tmp: string;
  let images: string;
  const servers: OpenAITestServer[] = [];
  const savedEnv = { COCURATE_API_KEY: process.env.COCURATE_API_KEY, OPENAI_API_KEY: process.env.OPENAI_API_KEY };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-buildendpoint-'));
    images = path.join(tmp, 'images');
    fs.cpSync(path.join(DEMO, 'images'), images, { recursive: true });
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const start = async (opts: Parameters<typeof OpenAITestServer.start>[0]): Promise<OpenAITestServer> => {
    const s = await OpenAITestServer.start(opts);
    servers.push(s);
    return s;
  };
  /** `cocurate build teach2compare` over the test images: one --llm per URL, the given group counts. */
  const teach = (urls: string[], [pairs, triples, quads]: number[], ...more: string[]): string[] => {
    const counts = ['--pairs', String(pairs), '--triples', String(triples), '--quads', String(quads)];
    return [
      'build',
      'teach2compare',
      images,
      '--out',
      path.join(tmp, 't2c.jsonl'),
      ...urls.flatMap((u) => ['--llm', u]),
      '--model',
      'teacher-vlm',
      ...counts,
      '--curator',
      path.join(tmp, 'cur'),
      '--quiet',
      ...more,
    ];
  };

  it('spreads the calls of a build over every replica (--llm repeated), each request shaped as ask sends it', async () => {
    const a = await start({ expectImageSize: 448, answer: teacher });
    const b = await start({ expectImageSize: 448, answer: teacher });
    const args = teach([a.url, b.url], [3, 1, 1], '--seed', '3');
    const r = await cli(args);
    assert.equal(r.code, 0, r.err + r.out);
    assert.equal(a.requests.length + b.requests.length, 10, 'five groups, two calls each');
    assert.ok(a.requests.length >= 3 && b.requests.length >= 3, `calls per replica: ${a.requests.length} and ${b.requests.length}`);
    assert.deepEqual(
      [...a.requests, ...b.requests].flatMap((q) => q.problems),
      [],
      'one user message: ordinal, image, …, question',
    );
    const ds = Dataset.open(path.join(tmp, 't2c.jsonl'));
    try {
      assert.equal(ds.count, 15);
    } finally {
      ds.close();
    }
    // a rerun is answered from the one cache, whichever replica answered first
    const again = await cli([...args, '--fresh']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /calls: 0 made, 10 from cache/);
    assert.equal(a.requests.length + b.requests.length, 10);
  });

  it('refuses an implicit OPENAI_API_KEY with the message cocurate ask gives', async () => {
    const key = 'sk-openai-only-0123456789abcdef';
    const server = await start({ requireKey: key, answer: teacher });
    delete process.env.COCURATE_API_KEY;
    process.env.OPENAI_API_KEY = key;

    const asked = await cli([
      'ask',
      path.join(DEMO, 'coinstruct-demo.json'),
      '0',
      '--endpoint',
      server.url,
      '--model',
      'teacher-vlm',
      '--curation',
      path.join(tmp, 'a'),
    ]);
    assert.equal(asked.code, 2);
    const askMessage = /^cocurate ask: (.*)$/m.exec(asked.err)?.[1];
    assert.ok(askMessage, asked.err);
    assert.match(askMessage!, /HTTP 401 .*refused the API key/);

    const built = await cli(teach([server.url], [2, 0, 0]));
    assert.equal(built.code, 1, built.out + built.err);
    assert.match(built.out, /2 group\(s\) failed/);
    const failures = built.out.split('\n').filter((l) => /^ {2}t2c-2-\d+: /.test(l));
    assert.equal(failures.length, 2, built.out);
    for (const f of failures) assert.equal(f.replace(/^ {2}t2c-2-\d+: /, ''), askMessage);
    assert.ok(server.requests.length > 0);
    for (const q of server.requests) assert.notEqual(q.headers.authorization, `Bearer ${key}`, 'the OPENAI_API_KEY was sent');
  });

  it('the key comes from COCURATE_API_KEY, as for ask', async () => {
    const key = 'sk-cocurate-0123456789abcdef';
    const server = await start({ requireKey: key, answer: teacher });
    process.env.COCURATE_API_KEY = key;
    delete process.env.OPENAI_API_KEY;
    const r = await cli(teach([server.url], [1, 0, 0]));
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(server.requests.length, 2);
    for (const f of fs.readdirSync(path.join(tmp, 'cur', 'build')))
      assert.ok(!fs.readFileSync(path.join(tmp, 'cur', 'build', f), 'utf8').includes(key), `${f} holds the key`);
  });

  it('answers from a call cache in the format earlier builds wrote ({k, v} lines, same keys): nothing is sent', async () => {
    const server = await start({ expectImageSize: 448, answer: teacher });
    // two images make one pair; the cache holds both orders, since the key names the images in order
    const two = path.join(tmp, 'two');
    fs.mkdirSync(two);
    const names = fs
      .readdirSync(images)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, 2);
    for (const n of names) fs.copyFileSync(path.join(images, n), path.join(two, n));
    const hashes = names.map((n) => contentHash(fs.readFileSync(path.join(two, n))));
    const curator = path.join(tmp, 'cur');
    const model = 'teacher-vlm';
    // the recipe of src/core/build/callCache.ts before the caches were merged
    const oldKey = (parts: unknown) =>
      createHash('sha256')
        .update(JSON.stringify({ base: server.url, model, temperature: null, maxTokens: null, messages: parts }))
        .digest('hex')
        .slice(0, 32);
    const lines: string[] = [];
    for (const order of [hashes, [...hashes].reverse()]) {
      lines.push(JSON.stringify({ k: oldKey({ images: order, preprocessing: 'square', text: comparisonQuestion(2) }), v: 'OLD comparison answer.' }));
      lines.push(JSON.stringify({ k: oldKey({ images: order, preprocessing: 'square', text: QA_GENERATION_PROMPT }), v: QA_JSON }));
    }
    const cacheFile = path.join(curator, 'build', `calls-${embedderSlug(`${server.url}:${model}`)}.jsonl`);
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, lines.join('\n') + '\n');
    const out = path.join(tmp, 't2c.jsonl');
    const r = await runTeach2Compare({
      input: two,
      out,
      curatorDir: curator,
      seed: 1,
      counts: { pairs: 1, triples: 0, quads: 0 },
      teacher: { baseURL: server.url, model },
    });
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.calls, { made: 0, cached: 2 });
    assert.equal(server.requests.length, 0);
    assert.match(fs.readFileSync(out, 'utf8'), /OLD comparison answer\./);
  });
});
