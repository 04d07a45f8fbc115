import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { CancelledError, EndpointClient, EndpointError, retryAfterMs } from '../../../src/core/endpoint/client';
import { resolveProfile, type EndpointProfile } from '../../../src/core/endpoint/profile';
import { buildContent } from '../../../src/core/endpoint/prompt';
import { ImageEncoder } from '../../../src/core/endpoint/imageEncoding';
import { OpenAITestServer } from '../../support/openaiTestServer';

const DEMO = path.resolve(__dirname, '../../../../demo/images');
const img = (name: string) => path.join(DEMO, name);

describe('endpoint client against a local OpenAI-compatible server', () => {
  let server: OpenAITestServer;
  afterEach(async () => {
    await server?.close();
  });

  const client = (over: Partial<EndpointProfile> = {}, key?: string) =>
    new EndpointClient(resolveProfile({ baseURL: server.url, model: 'test-model', maxRetries: 3, timeoutMs: 10_000, ...over }), key, {
      backoffBaseMs: 10,
      backoffMaxMs: 40,
    });

  async function content(n: number, mode: 'square' | 'original' = 'square') {
    const enc = new ImageEncoder({ mode });
    const files = ['animal-18193_03_01.jpg', 'bald-634460_02_04.jpg', 'boats-936943_07_03.jpg', 'duck-1721161_06_04.jpg'].slice(0, n);
    const images = await Promise.all(files.map((f) => enc.encodeFile(img(f))));
    return buildContent(
      'Which image has the best quality?',
      images.map((i) => i.dataUri),
    );
  }

  it('sends one interleaved user message and streams the answer back', async () => {
    server = await OpenAITestServer.start({ expectImageSize: 448 });
    server.script({ kind: 'answer', text: 'The second image has better quality because it is much sharper.' });
    const deltas: string[] = [];
    const r = await client().ask(await content(2), { onDelta: (d) => deltas.push(d) });
    assert.equal(r.text, 'The second image has better quality because it is much sharper.');
    assert.ok(deltas.length > 3, 'the answer arrived in several streamed pieces');
    assert.equal(deltas.join(''), r.text);
    assert.equal(r.attempts, 1);
    const req = server.requests[0];
    assert.deepEqual(req.problems, []);
    assert.equal(req.stream, true);
    assert.deepEqual(req.parts, ['The first image:', '<image>', 'The second image:', '<image>', 'Which image has the best quality?']);
    assert.deepEqual(
      req.images.map((i) => [i.width, i.height]),
      [
        [448, 448],
        [448, 448],
      ],
    );
    assert.equal(req.body?.model, 'test-model');
    assert.equal(req.body?.temperature, 0);
  });

  it('uses "The image:" for one image and works without streaming', async () => {
    server = await OpenAITestServer.start({ expectImageSize: 448 });
    server.script({ kind: 'answer', text: 'B' });
    const r = await client({ stream: false }).ask(await content(1));
    assert.equal(r.text, 'B');
    assert.deepEqual(server.requests[0].problems, []);
    assert.equal(server.requests[0].stream, false);
    assert.deepEqual(server.requests[0].parts.slice(0, 2), ['The image:', '<image>']);
  });

  it('sends four images in order', async () => {
    server = await OpenAITestServer.start({ expectImageSize: 448 });
    await client().ask(await content(4));
    assert.deepEqual(server.requests[0].problems, []);
    assert.deepEqual(server.requests[0].parts.filter((p) => p !== '<image>').slice(0, 4), [
      'The first image:',
      'The second image:',
      'The third image:',
      'The fourth image:',
    ]);
  });

  it('retries after 429 honouring Retry-After, and after 500', async () => {
    server = await OpenAITestServer.start();
    server.script({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 500 }, { kind: 'answer', text: 'ok' });
    const waits: number[] = [];
    const r = await client().ask(await content(1), { onRetry: (_n, e, ms) => waits.push(e.status === 429 ? ms : -1) });
    assert.equal(r.text, 'ok');
    assert.equal(r.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.equal(waits[0], 1000, 'waited what Retry-After asked');
  });

  it('retries malformed JSON (streamed and not) and a dropped connection', async () => {
    server = await OpenAITestServer.start();
    server.script({ kind: 'malformed' }, { kind: 'drop' }, { kind: 'answer', text: 'fine' });
    const retried: string[] = [];
    const r = await client().ask(await content(1), { onRetry: (_n, e) => retried.push(e.kind) });
    assert.equal(r.text, 'fine');
    assert.deepEqual(retried, ['malformed', 'connection']);
    server.script({ kind: 'malformed' }, { kind: 'answer', text: 'fine again' });
    const r2 = await client({ stream: false }).ask(await content(1));
    assert.equal(r2.text, 'fine again');
    assert.equal(r2.attempts, 2);
  });

  it('gives up after the allowed retries and does not retry a 400', async () => {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'status', status: 503 };
    await assert.rejects(client({ maxRetries: 2 }).ask(await content(1)), (e: unknown) => e instanceof EndpointError && e.status === 503);
    assert.equal(server.requests.length, 3);
    server.requests.length = 0;
    server.defaultBehaviour = { kind: 'status', status: 400 };
    await assert.rejects(client().ask(await content(1)), (e: unknown) => e instanceof EndpointError && e.status === 400 && !e.retryable);
    assert.equal(server.requests.length, 1);
  });

  it('times out a request that never completes (whole streamed answer included)', async () => {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'answer', text: 'a slow answer that takes a long time to stream', chunkDelayMs: 200 };
    await assert.rejects(client({ timeoutMs: 300, maxRetries: 0 }).ask(await content(1)), (e: unknown) => e instanceof EndpointError && e.kind === 'timeout');
  });

  it('cancels a request in flight and during a backoff wait', async () => {
    server = await OpenAITestServer.start();
    server.defaultBehaviour = { kind: 'hang' };
    const ctrl = new AbortController();
    const p = client().ask(await content(1), { signal: ctrl.signal });
    await server.waitForRequests(1);
    ctrl.abort();
    await assert.rejects(p, CancelledError);
    const ctrl2 = new AbortController();
    server.defaultBehaviour = { kind: 'status', status: 429, retryAfter: '3600' };
    const p2 = client().ask(await content(1), { signal: ctrl2.signal, onRetry: () => ctrl2.abort() });
    await assert.rejects(p2, CancelledError);
    assert.equal(server.requests.length, 2, 'no request after the cancel');
  });

  it('sends the key as a bearer token', async () => {
    server = await OpenAITestServer.start({ requireKey: 'sk-right' });
    assert.equal((await client({}, 'sk-right').ask(await content(1))).attempts, 1);
    await assert.rejects(client({}, 'sk-wrong').ask(await content(1)), (e: unknown) => e instanceof EndpointError && e.status === 401);
  });

  it('spreads requests over replicas and fails over when one is down', async () => {
    server = await OpenAITestServer.start();
    const other = await OpenAITestServer.start();
    try {
      const dead = 'http://127.0.0.1:1/v1';
      const c = client({ baseURL: [server.url, other.url, dead], maxRetries: 2 });
      const cont = await content(1);
      await Promise.all(Array.from({ length: 6 }, () => c.ask(cont)));
      assert.equal(server.requests.length + other.requests.length, 6);
      assert.ok(server.requests.length > 0 && other.requests.length > 0, 'both live replicas served');
    } finally {
      await other.close();
    }
  });

  it('reads Retry-After in seconds, as a date, and retry-after-ms', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150' })), 150);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
    assert.equal(retryAfterMs(new Headers({})), undefined);
  });
});
