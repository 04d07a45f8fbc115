import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnswerCache, answersPath } from '../../../src/core/endpoint/answerCache';
import { Asker } from '../../../src/core/endpoint/asker';
import { runBatch } from '../../../src/core/endpoint/batch';
import { CancelledError, EndpointClient } from '../../../src/core/endpoint/client';
import { resolveProfile, type EndpointProfile } from '../../../src/core/endpoint/profile';
import type { Item } from '../../../src/core/item';
import { OpenAITestServer } from '../../support/openaiTestServer';

const DEMO = path.resolve(__dirname, '../../../../demo');
const IMAGES = fs
  .readdirSync(path.join(DEMO, 'images'))
  .filter((f) => f.endsWith('.jpg'))
  .sort();

function pairItem(i: number): Item {
  const a = IMAGES[i % IMAGES.length],
    b = IMAGES[(i + 1) % IMAGES.length];
  return {
    index: i,
    key: `pair-${i}`,
    hash: `h${i}`,
    line: 1,
    format: 'llava',
    images: [`images/${a}`, `images/${b}`],
    groupSize: 2,
    extra: {},
    question: `Which image is better? (#${i})`,
    label: 'The first image is better.',
  };
}

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('asking items: cache, batches, cancel, secrets', () => {
  let server: OpenAITestServer;
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-ask-'));
  });
  afterEach(async () => {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function asker(over: Partial<EndpointProfile> = {}, key?: string) {
    const profile = resolveProfile({ name: 'served co-instruct', baseURL: server.url, model: 'co-instruct', maxRetries: 1, ...over });
    const cache = AnswerCache.open(answersPath(path.join(tmp, '.curator'), profile));
    return new Asker(profile, new EndpointClient(profile, key, { backoffBaseMs: 5 }), cache, DEMO);
  }

  it('sends nothing for an item already answered, across runs', async () => {
    server = await OpenAITestServer.start({ expectImageSize: 448 });
    server.script({ kind: 'answer', text: 'The second image is better.' });
    const first = await asker().askItem(pairItem(0));
    assert.equal(first.cached, false);
    const again = await asker().askItem(pairItem(0)); // a new asker reads the cache file
    assert.equal(again.cached, true);
    assert.equal(again.text, 'The second image is better.');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.requests[0].problems, []);
    const file = path.join(tmp, '.curator', 'answers', 'served-co-instruct.jsonl');
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 1);
    // The cached answer is found without encoding images or asking.
    assert.equal((await asker().cachedAnswer(pairItem(0)))?.answer, 'The second image is better.');
    assert.equal(await asker().cachedAnswer(pairItem(1)), undefined);
    assert.equal(server.requests.length, 1);
    // Another model or other parameters is another question.
    await asker({ temperature: 0.5 }).askItem(pairItem(0));
    assert.equal(server.requests.length, 2);
    // Identical questions in flight together are sent once.
    const a = asker();
    await Promise.all([a.askItem(pairItem(5)), a.askItem(pairItem(5))]);
    assert.equal(server.requests.length, 3);
  });

  it('keeps N requests in flight with concurrency N', async () => {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'gated' };
    const a = asker({ stream: false });
    const items = Array.from({ length: 10 }, (_, i) => pairItem(i));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    const batch = runBatch(items, (it, _i, signal) => a.askItem(it, { signal }), { concurrency: 4 });
    await server.waitForRequests(4);
    await settle();
    assert.equal(server.requests.length, 4, 'four sent, the fifth waits');
    assert.equal(server.inFlight, 4);
    for (let k = 5; k <= 10; k++) {
      server.release(1);
      await server.waitForRequests(k);
      await settle();
      assert.equal(server.requests.length, k, 'one answer lets exactly one more request go');
      assert.equal(server.inFlight, 4, 'still four in flight');
    }
    server.release(4);
    const r = await batch;
    assert.equal(r.done, 10);
    assert.equal(r.failed, 0);
    assert.equal(server.maxInFlight, 4);
  });

  it('cancel stops the batch: nothing new is sent, what was in flight is aborted', async () => {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'hang' };
    const a = asker();
    const ctrl = new AbortController();
    const items = Array.from({ length: 10 }, (_, i) => pairItem(i));
    const p = runBatch(items, (it, _i, signal) => a.askItem(it, { signal }), { concurrency: 2, signal: ctrl.signal });
    await server.waitForRequests(2);
    ctrl.abort();
    const r = await p;
    assert.equal(r.cancelled, true);
    assert.equal(r.done, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.requests.length, 2, 'no request after cancel');
    assert.ok(
      server.requests.every((q) => q.aborted),
      'in-flight requests were aborted',
    );
    await assert.rejects(a.askItem(pairItem(1), { signal: ctrl.signal }), CancelledError);
  });

  it('never writes the API key to any file', async () => {
    const key = 'sk-test-9f8e7d6c5b4a-SECRET';
    server = await OpenAITestServer.start({ requireKey: key });
    const a = asker({}, key);
    await runBatch([0, 1, 2].map(pairItem), (it) => a.askItem(it), { concurrency: 2 });
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests.every((q) => q.headers.authorization === `Bearer ${key}`));
    const files = allFiles(tmp);
    assert.ok(files.length > 0);
    for (const f of files) assert.ok(!fs.readFileSync(f, 'latin1').includes(key), `${f} holds the key`);
  });

  it('refuses image paths that leave the image root, without a request', async () => {
    server = await OpenAITestServer.start();
    const item = { ...pairItem(0), images: ['../../etc/passwd.png', 'images/' + IMAGES[0]] };
    await assert.rejects(asker().askItem(item), /leaves the image root/);
    assert.equal(server.requests.length, 0);
  });
});
