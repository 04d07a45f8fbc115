import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import type { Command } from '../../../src/cli/command';
import { ask } from '../../../src/cli/commands/ask';
import { evalMcq } from '../../../src/cli/commands/eval-mcq';
import { sample } from '../../../src/cli/commands/sample';
import { twoafc } from '../../../src/cli/commands/twoafc';
import { twoAfcRounds } from '../../../src/core/eval/twoafc';
import { OpenAITestServer, type RecordedRequest } from '../../support/openaiTestServer';

const DEMO = path.resolve(__dirname, '../../../../demo');
const KEY = 'sk-cli-test-0a1b2c3d4e5f-DO-NOT-WRITE';

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

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('cocurate ask / eval-mcq / twoafc against a local server', () => {
  let server: OpenAITestServer;
  let tmp: string;
  let savedKey: string | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-cli-'));
    savedKey = process.env.COCURATE_API_KEY;
    process.env.COCURATE_API_KEY = KEY;
  });
  afterEach(async () => {
    await server?.close();
    if (savedKey === undefined) delete process.env.COCURATE_API_KEY;
    else process.env.COCURATE_API_KEY = savedKey;
    // The key never reaches any file the product wrote.
    for (const f of allFiles(tmp)) assert.ok(!fs.readFileSync(f, 'latin1').includes(KEY), `${f} holds the API key`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const endpoint = () => ['--endpoint', server.url, '--model', 'co-instruct', '--curation', path.join(tmp, '.curator')];

  it('ask FILE ID prints the label and the answer side by side', async () => {
    server = await OpenAITestServer.start({
      expectImageSize: 448,
      requireKey: KEY,
      answer: () => 'The second image has better quality, since the first is blurry.',
    });
    const j = await run(ask, [path.join(DEMO, 'coinstruct-demo.json'), 'demo-group2-005', ...endpoint(), '--json']);
    assert.equal(j.code, 0, j.err);
    const r = JSON.parse(j.out);
    assert.equal(r.key, 'demo-group2-005');
    assert.match(r.label, /^The second image has better quality/);
    assert.equal(r.answer, 'The second image has better quality, since the first is blurry.');
    assert.equal(r.agreement, 'agree');
    assert.equal(r.labelChoice, 'second image');
    assert.equal(r.cached, false);
    assert.deepEqual(server.requests[0].problems, []);
    assert.deepEqual(server.requests[0].parts.filter((p) => p !== '<image>').slice(0, 2), ['The first image:', 'The second image:']);
    const t = await run(ask, [path.join(DEMO, 'coinstruct-demo.json'), '4', ...endpoint()]);
    assert.equal(t.code, 0);
    assert.match(t.out, /Label: +→ first image/);
    assert.match(t.out, /Answer \(co-instruct\): +→ second image/);
    assert.match(t.out, /Agreement: disagree/);
    assert.ok(!t.out.includes(KEY) && !t.err.includes(KEY) && !j.out.includes(KEY));
    const bad = await run(ask, [path.join(DEMO, 'coinstruct-demo.json'), '999', ...endpoint()]);
    assert.equal(bad.code, 2);
  });

  it('ask PLAN_DIR answers a whole spot check, writes agreement and disagreements, reruns from the cache', async () => {
    server = await OpenAITestServer.start({
      requireKey: KEY,
      answer: (r) => (/rank/i.test(r.question) ? 'first > second > third > fourth' : 'The first image has better quality.'),
    });
    const s = await run(sample, [
      path.join(DEMO, 'coinstruct-demo.json'),
      '--size',
      '12',
      '--seed',
      '5',
      '--name',
      'check',
      '--out',
      path.join(tmp, '.curator'),
    ]);
    assert.equal(s.code, 0, s.err);
    const planDir = path.join(tmp, '.curator', 'spotchecks', 'check');
    const r1 = await run(ask, [planDir, ...endpoint(), '--concurrency', '3']);
    assert.ok(r1.code === 0 || r1.code === 1, r1.err);
    const file = path.join(planDir, 'agreement-co-instruct.json');
    const a = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(a.items.length + a.failures.length, 12);
    assert.equal(a.summary.agree + a.summary.disagree, a.summary.compared);
    assert.ok(a.summary.compared > 0);
    assert.deepEqual(
      a.disagreements.map((d: { key: string }) => d.key),
      a.items.filter((i: { status: string }) => i.status === 'disagree').map((i: { key: string }) => i.key),
    );
    assert.match(r1.out, /agreement label vs model: \d+\/\d+/);
    const sent = server.requests.length;
    assert.ok(sent > 0);
    const r2 = await run(ask, [planDir, ...endpoint(), '--json']);
    assert.equal(server.requests.length, sent, 'a rerun sends nothing already answered');
    assert.equal(JSON.parse(r2.out).summary.agree, a.summary.agree);
  });

  it('eval-mcq: accuracy by type and concern, per-item answers saved', async () => {
    server = await OpenAITestServer.start({ requireKey: KEY, answer: () => 'A' });
    const outFile = path.join(tmp, 'mcq-answers.jsonl');
    const r = await run(evalMcq, [path.join(DEMO, 'mcq-demo.jsonl'), ...endpoint(), '--concurrency', '4', '--out', outFile, '--json']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    const lines = fs
      .readFileSync(path.join(DEMO, 'mcq-demo.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expectA = lines.filter((l) => l.correct_choice === 'A').length;
    assert.equal(s.items, lines.length);
    assert.equal(s.correct, expectA);
    assert.ok(Math.abs(s.accuracy - expectA / lines.length) < 1e-12);
    assert.ok(Object.keys(s.byType).length > 0 && Object.keys(s.byConcern).length > 0);
    assert.equal(fs.readFileSync(outFile, 'utf8').trim().split('\n').length, lines.length);
    const q = server.requests[0].question;
    assert.match(q, /\nA\. .+\nB\. .+/);
    assert.ok(q.endsWith("Answer with the option's letter from the given choices directly."));
    const limited = await run(evalMcq, [path.join(DEMO, 'mcq-demo.jsonl'), ...endpoint(), '--limit', '3', '--json', '--out', path.join(tmp, 'l.jsonl')]);
    assert.equal(JSON.parse(limited.out).items, 3);
  });

  it('twoafc with a model, then --prefs on the saved judgements', async () => {
    const list = JSON.parse(fs.readFileSync(path.join(DEMO, 'kadis-scores.json'), 'utf8')) as { img_path: string; gt_score: number }[];
    const byHash = new Map(
      list.map((r) => [
        createHash('sha1')
          .update(fs.readFileSync(path.join(DEMO, r.img_path)))
          .digest('hex'),
        r.gt_score,
      ]),
    );
    const judge = (req: RecordedRequest) => {
      const [a, b] = req.images.map((i) => byHash.get(createHash('sha1').update(i.bytes).digest('hex')));
      if (a === undefined || b === undefined) return 'unknown image';
      return a > b ? 'The first image has better quality.' : 'The second image is better.';
    };
    server = await OpenAITestServer.start({ requireKey: KEY, answer: judge });
    const outFile = path.join(tmp, 'judgements.jsonl');
    const r = await run(twoafc, [
      path.join(DEMO, 'kadis-scores.json'),
      ...endpoint(),
      '--images',
      'original',
      '--rounds',
      '12',
      '--seed',
      '1',
      '--out',
      outFile,
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    const pairs = twoAfcRounds(12, 12, '1:');
    const distinct = new Set(pairs.flatMap(([i, k]) => [`${i},${k}`, `${k},${i}`]));
    assert.equal(s.judgements, 144, '6 pairs × 12 rounds × 2 orders');
    assert.equal(s.pairs, 72);
    assert.equal(server.requests.length, distinct.size, 'a pair drawn again in a later round is answered from the cache');
    assert.equal(s.kappa, 1);
    assert.equal(s.accuracy, 1);
    assert.ok(s.srcc > 0.8, `SRCC ${s.srcc}`);
    assert.equal(Object.keys(s.scores).length, 12);
    const p = await run(twoafc, ['--prefs', outFile, '--scores', path.join(DEMO, 'kadis-scores.json'), '--json']);
    assert.equal(p.code, 0, p.err);
    const ps = JSON.parse(p.out);
    assert.deepEqual(Object.keys(ps).slice(0, 4), ['scores', 'kappa', 'plcc', 'srcc']);
    assert.equal(ps.kappa, 1);
    assert.ok(Math.abs(ps.srcc - s.srcc) < 1e-12);
  });
});
