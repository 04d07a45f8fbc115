import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnswerCache, type CachedAnswer } from '../../../src/core/endpoint/answerCache';

const entry = (key: string, answer: string): CachedAnswer => ({
  v: 1,
  key,
  model: 'm',
  endpoint: ['http://127.0.0.1:1/v1'],
  params: { temperature: 0 },
  prompt: 'Which is better?',
  images: [],
  answer,
  finishReason: 'stop',
  ms: 1,
  at: '2026-01-01T00:00:00.000Z',
});

describe('the answers cache (one cache for ask and build)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-answercache-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an answer recorded after a torn last line (a crash mid-write) survives the next load', () => {
    const file = path.join(tmp, 'answers', 'p.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(entry('a', 'first')) + '\n' + JSON.stringify(entry('b', 'torn')).slice(0, 40));
    const c = AnswerCache.open(file);
    assert.equal(c.skipped, 1);
    assert.equal(c.get('a')?.answer, 'first');
    c.put(entry('c', 'after the crash'));
    const again = AnswerCache.open(file);
    assert.equal(again.get('c')?.answer, 'after the crash');
    assert.equal(again.get('a')?.answer, 'first');
    assert.equal(again.skipped, 1);
  });

  it("reads the builder's older {k, v} lines beside answer lines", () => {
    const file = path.join(tmp, 'calls.jsonl');
    fs.writeFileSync(file, [JSON.stringify({ k: 'old', v: 'an older build answer' }), JSON.stringify(entry('new', 'an answer line'))].join('\n') + '\n');
    const c = AnswerCache.open(file);
    assert.equal(c.size, 2);
    assert.equal(c.get('old')?.answer, 'an older build answer');
    assert.equal(c.get('new')?.answer, 'an answer line');
    assert.equal(c.skipped, 0);
  });
});
