import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import type { Command } from '../../../src/cli/command';
import { ask } from '../../../src/cli/commands/ask';
import { evalMcq } from '../../../src/cli/commands/eval-mcq';
import { sample } from '../../../src/cli/commands/sample';
import { BatchFileWriter, readBatchOutput } from '../../../src/core/endpoint/batchFiles';
import { runBatchStandIn } from '../../support/batchStandIn';
import { OpenAITestServer } from '../../support/openaiTestServer';

const DEMO = path.resolve(__dirname, '../../../../demo');

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

const readLines = (f: string) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

describe('OpenAI Batch files', () => {
  let server: OpenAITestServer;
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-batch-'));
  });
  afterEach(async () => {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const endpoint = () => ['--endpoint', server.url, '--model', 'co-instruct', '--curation', path.join(tmp, '.curator')];

  describe('BatchFileWriter', () => {
    it('splits by request count and by bytes, refuses repeated ids and oversized lines, removes stale files', () => {
      const dir = path.join(tmp, 'b');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'x-009.jsonl'), 'stale\n');
      fs.writeFileSync(path.join(dir, 'keep.jsonl'), 'other\n');
      const w = new BatchFileWriter(dir, 'x', { maxRequests: 3, maxBytes: 400 });
      for (let i = 0; i < 7; i++) w.add(`p:${i}`, { model: 'm', n: i });
      assert.throws(() => w.add('p:3', {}), /already in this batch/);
      assert.throws(() => w.add('p:big', { pad: 'x'.repeat(500) }), /more than a batch file may hold/);
      w.add('p:7', { pad: 'y'.repeat(250) }); // fits alone, not beside the last file's lines
      const res = w.close();
      assert.deepEqual(
        res.files.map((f) => path.basename(f.file)),
        ['x-001.jsonl', 'x-002.jsonl', 'x-003.jsonl', 'x-004.jsonl'],
      );
      assert.deepEqual(
        res.files.map((f) => f.requests),
        [3, 3, 1, 1],
      );
      assert.equal(res.requests, 8);
      for (const f of res.files) {
        assert.ok(fs.statSync(f.file).size <= 400 && fs.statSync(f.file).size === f.bytes);
        for (const l of readLines(f.file)) assert.deepEqual(Object.keys(l), ['custom_id', 'method', 'url', 'body']);
      }
      assert.deepEqual(
        readLines(res.files[1].file).map((l) => l.custom_id),
        ['p:3', 'p:4', 'p:5'],
      );
      assert.ok(!fs.existsSync(path.join(dir, 'x-009.jsonl')), 'stale file of an earlier export removed');
      assert.ok(fs.existsSync(path.join(dir, 'keep.jsonl')));
    });

    it('reads answers, error lines and non-200 responses; reports unreadable lines by file and line', () => {
      const f = path.join(tmp, 'out.jsonl');
      fs.writeFileSync(
        f,
        [
          JSON.stringify({
            id: 'r1',
            custom_id: 'p:a',
            response: { status_code: 200, body: { choices: [{ message: { content: 'A' }, finish_reason: 'stop' }] } },
            error: null,
          }),
          '{"custom_id": "p:b", "response": {"status_code": 4',
          JSON.stringify({ id: 'r3', custom_id: 'p:c', response: null, error: { code: 'batch_expired', message: 'expired' } }),
          JSON.stringify({ id: 'r4', custom_id: 'p:d', response: { status_code: 400, body: { error: { message: 'image too large' } } }, error: null }),
          JSON.stringify({ id: 'r5', response: null, error: null }),
          '',
        ].join('\n'),
      );
      const o = readBatchOutput([f, path.join(tmp, 'missing.jsonl')]);
      assert.equal(o.lines, 5);
      assert.deepEqual(o.results.get('p:a'), { customId: 'p:a', ok: true, text: 'A', finishReason: 'stop', where: `${f}:1` });
      assert.deepEqual(o.results.get('p:c'), { customId: 'p:c', ok: false, error: 'batch_expired: expired', where: `${f}:3` });
      assert.match((o.results.get('p:d') as { error: string }).error, /^HTTP 400 image too large/);
      assert.deepEqual(
        o.problems.map((p) => p.where),
        [`${f}:2`, `${f}:5`, path.join(tmp, 'missing.jsonl')],
      );
      assert.match(o.problems[1].message, /custom_id/);
    });
  });

  it('ask PLAN_DIR: batch out, through the stand-in (with error lines), batch in to the same cache and agreement file', async () => {
    server = await OpenAITestServer.start({
      expectImageSize: 448,
      answer: (r) => (/rank/i.test(r.question) ? 'first > second > third > fourth' : 'The first image has better quality.'),
    });
    const s = await run(sample, [
      path.join(DEMO, 'coinstruct-demo.json'),
      '--size',
      '10',
      '--seed',
      '3',
      '--name',
      'check',
      '--out',
      path.join(tmp, '.curator'),
    ]);
    assert.equal(s.code, 0, s.err);
    const planDir = path.join(tmp, '.curator', 'spotchecks', 'check');
    const plan = JSON.parse(fs.readFileSync(path.join(planDir, 'plan.json'), 'utf8')) as { items: { key: string }[] };

    // phase 1: requests written, nothing sent
    const batchDir = path.join(tmp, 'batch');
    const out = await run(ask, [planDir, ...endpoint(), '--batch-out', batchDir]);
    assert.equal(out.code, 0, out.err);
    assert.equal(server.requests.length, 0, 'export sends nothing');
    const input = path.join(batchDir, 'ask-co-instruct-001.jsonl');
    assert.deepEqual(fs.readdirSync(batchDir), ['ask-co-instruct-001.jsonl']);
    const lines = readLines(input);
    assert.deepEqual(
      lines.map((l) => l.custom_id),
      plan.items.map((i) => `co-instruct:${i.key}`),
    );
    for (const l of lines) {
      assert.equal(l.method, 'POST');
      assert.equal(l.url, '/v1/chat/completions');
      assert.equal(l.body.stream, undefined);
    }

    // The line's body is what the live client sends for that item (apart from streaming).
    const live = await run(ask, [path.join(DEMO, 'coinstruct-demo.json'), plan.items[0].key, ...endpoint(), '--no-cache', '--json']);
    assert.equal(live.code, 0, live.err);
    const { stream, ...liveBody } = server.requests[0].body!;
    assert.equal(stream, true);
    assert.deepEqual(lines[0].body, liveBody);

    // the stand-in runs it: one request expires, one gets HTTP 500
    const expired = plan.items[1].key;
    server.script({ kind: 'answer' }, { kind: 'answer' }, { kind: 'status', status: 500 });
    const before = server.requests.length;
    const ran = await runBatchStandIn(input, path.join(tmp, 'output.jsonl'), path.join(tmp, 'errors.jsonl'), {
      baseURL: server.url,
      expire: (id) => id.endsWith(`:${expired}`),
    });
    assert.deepEqual(ran.invalid, []);
    assert.deepEqual(
      server.requests.slice(before).flatMap((r) => r.problems),
      [],
      'the stand-in server found the batch requests well formed',
    );
    const failedKey = readLines(input)
      .filter((l) => !l.custom_id.endsWith(`:${expired}`))[2]
      .custom_id.split(':')[1];
    // an unknown id and a torn line in the output: reported, not fatal
    fs.appendFileSync(
      ran.outputFile,
      JSON.stringify({
        id: 'x',
        custom_id: 'co-instruct:no-such-item',
        response: { status_code: 200, body: { choices: [{ message: { content: 'A' } }] } },
        error: null,
      }) + '\n{"custom_id": "co-',
    );

    // phase 2: answers from the files, nothing sent
    const sent = server.requests.length;
    const imp = await run(ask, [planDir, ...endpoint(), '--batch-in', ran.outputFile, ran.errorFile]);
    assert.equal(server.requests.length, sent, 'import sends nothing');
    assert.equal(imp.code, 1, 'two items failed');
    assert.match(imp.err, /12 batch output line\(s\): 9 answer\(s\), 2 error line\(s\), 1 for no item here, 1 unreadable/);
    assert.match(imp.err, /output\.jsonl:10: not JSON/);
    assert.match(imp.err, /custom_id "co-instruct:no-such-item" matches no item/);
    const agreement = JSON.parse(fs.readFileSync(path.join(planDir, 'agreement-co-instruct.json'), 'utf8'));
    assert.equal(agreement.items.length, 8);
    assert.deepEqual(agreement.failures.map((f: { key: string }) => f.key).sort(), [expired, failedKey].sort());
    assert.match(agreement.failures.find((f: { key: string }) => f.key === expired).error, /batch_expired/);
    assert.match(agreement.failures.find((f: { key: string }) => f.key === failedKey).error, /HTTP 500/);
    assert.ok(agreement.summary.compared > 0);
    const cache = readLines(path.join(tmp, '.curator', 'answers', 'co-instruct.jsonl'));
    assert.equal(cache.length, 8, 'the 8 imported answers (the live check above ran with --no-cache)');

    // a second export writes only what is still unanswered; live asking answers the rest from the cache
    const again = await run(ask, [planDir, ...endpoint(), '--batch-out', batchDir, '--json']);
    assert.equal(again.code, 0, again.err);
    const j = JSON.parse(again.out);
    assert.equal(j.requests, 2);
    assert.equal(j.cached, 8);
    assert.deepEqual(
      readLines(input)
        .map((l) => l.custom_id.split(':')[1])
        .sort(),
      [expired, failedKey].sort(),
    );
    const sentBefore = server.requests.length;
    const rest = await run(ask, [planDir, ...endpoint()]);
    assert.equal(rest.code, 0, rest.err);
    assert.equal(server.requests.length - sentBefore, 2, 'only the two unanswered items are asked live');
  });

  it('ask FILE --batch-out covers every record; eval-mcq goes out and in with the same accuracy as live', async () => {
    server = await OpenAITestServer.start({ answer: () => 'A' });
    const all = await run(ask, [path.join(DEMO, 'coinstruct-demo.json'), ...endpoint(), '--batch-out', path.join(tmp, 'all'), '--json']);
    assert.equal(all.code, 0, all.err);
    const demoCount = (JSON.parse(fs.readFileSync(path.join(DEMO, 'coinstruct-demo.json'), 'utf8')) as unknown[]).length;
    assert.equal(JSON.parse(all.out).requests, demoCount);

    const mcq = path.join(DEMO, 'mcq-demo.jsonl');
    const o = await run(evalMcq, [mcq, ...endpoint(), '--batch-out', path.join(tmp, 'mcq'), '--json']);
    assert.equal(o.code, 0, o.err);
    const input = path.join(tmp, 'mcq', 'eval-mcq-co-instruct-001.jsonl');
    const lines = readLines(input);
    assert.equal(lines.length, 8);
    assert.match(lines[0].body.messages[0].content.at(-1).text, /\nA\. .+\nB\. .+\n.*Answer with the option's letter/s);
    const ran = await runBatchStandIn(input, path.join(tmp, 'mcq-out.jsonl'), path.join(tmp, 'mcq-err.jsonl'), { baseURL: server.url });
    assert.deepEqual(ran.invalid, []);
    const sent = server.requests.length;
    const i = await run(evalMcq, [mcq, ...endpoint(), '--batch-in', ran.outputFile, '--out', path.join(tmp, 'rows.jsonl'), '--json']);
    assert.equal(i.code, 0, i.err);
    assert.equal(server.requests.length, sent);
    const viaBatch = JSON.parse(i.out);
    const expectA = readLines(mcq).filter((l) => l.correct_choice === 'A').length;
    assert.equal(viaBatch.items, 8);
    assert.equal(viaBatch.correct, expectA);
    // live on the same cache: all answered already
    const live = await run(evalMcq, [mcq, ...endpoint(), '--out', path.join(tmp, 'rows2.jsonl'), '--json']);
    assert.equal(server.requests.length, sent);
    assert.equal(JSON.parse(live.out).accuracy, viaBatch.accuracy);
  });

  it('refuses both phases at once', async () => {
    server = await OpenAITestServer.start();
    await assert.rejects(run(evalMcq, [path.join(DEMO, 'mcq-demo.jsonl'), ...endpoint(), '--batch-out', tmp, '--batch-in', 'x.jsonl']), /two separate phases/);
  });
});
